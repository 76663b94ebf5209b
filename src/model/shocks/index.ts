// The shock types. Adding one means a module here and a schema entry in src/scenarios/schema.ts.
import type { ShockModule, CompiledShock } from './types.ts';
import type { ShockType } from '../input.ts';
import type { Fields } from '../fields.ts';
import type { Params } from '../params.ts';
import { finishFields, mediaLevel } from '../fields.ts';
import { outage } from './outage.ts';
import { block } from './block.ts';
import { throttle } from './throttle.ts';
import { trust } from './trust.ts';
import { promotion } from './promotion.ts';
import { announcement } from './announcement.ts';
import { attention } from './attention.ts';
import { connectivity } from './connectivity.ts';
import { circumvention } from './circumvention.ts';

export type { CompiledShock } from './types.ts';

export const SHOCK_MODULES: Record<ShockType, ShockModule> = {
  outage,
  block,
  throttle,
  trust,
  promotion,
  announcement,
  attention,
  connectivity,
  circumvention,
};

/**
 * Apply every shock under way at time t, with its media attention and the apps its news names.
 * News outlast the shock (they decay from its first day); a trust shock's reputation change too.
 * News of harm to apps reaches their users (aboutUsers); other news, everyone in the region. The
 * news of an outage marks its apps as failing for as long as it lasts.
 */
export function applyShocks(shocks: readonly CompiledShock[], t: number, f: Fields, p: Params): void {
  const K = f.K;
  for (const s of shocks) {
    // Steps are cut at shock boundaries; the tolerance absorbs rounding of day fractions.
    if (t < s.start - 1e-9) continue;
    const m = SHOCK_MODULES[s.type];
    if (t < s.end - 1e-9 || m.lingers) m.apply(s, t, f, p);
    for (let r = 0; r < f.R; r++) {
      const level = mediaLevel(s.loudness[r], s.start, s.end, t, p);
      if (level < 1e-4) continue;
      if (s.aboutUsers) {
        const to = s.privacyNews ? f.mediaPrivacyUsers : f.mediaUsers;
        for (const a of s.platforms) to[r * K + a] += level;
      } else if (s.privacyNews) f.mediaPrivacy[r] += level;
      else f.media[r] += level;
      // How prominently the news names an app: its mention weight, fading as the story fades. The
      // loudness sets how many people hear the story (they reconsider); it does not make the named
      // app pull harder on each of them, or a story twice as loud would count twice. The most
      // prominent naming counts (stories do not add up to more than one app of the story).
      const fade = level / s.loudness[r];
      for (let a = 0; a < K; a++) f.salience[r * K + a] = Math.max(f.salience[r * K + a], fade * s.mentions[r * K + a]);
      if (m.newsOfFailure) for (const a of s.platforms) f.failing[r * K + a] += level;
    }
  }
  finishFields(f);
}
