// The shock types. Adding one means a module here and a schema entry in src/scenarios/schema.ts.
import type { ShockModule, CompiledShock } from './types.ts';
import type { Fields } from '../fields.ts';
import type { Params } from '../params.ts';
import { mediaLevel } from '../fields.ts';
import { outage } from './outage.ts';
import { block } from './block.ts';
import { throttle } from './throttle.ts';
import { trust } from './trust.ts';
import { promotion } from './promotion.ts';
import { announcement } from './announcement.ts';

export type { CompiledShock } from './types.ts';

export const SHOCK_MODULES: Record<CompiledShock['spec']['type'], ShockModule> = {
  outage,
  block,
  throttle,
  trust,
  promotion,
  announcement,
};

/** Apply every shock that has started by time t, including its media attention. */
export function applyShocks(shocks: readonly CompiledShock[], t: number, f: Fields, p: Params): void {
  for (const s of shocks) {
    if (t < s.start) continue;
    const m = SHOCK_MODULES[s.spec.type];
    m.apply(s, t, f, p);
    for (let r = 0; r < f.R; r++) {
      const level = mediaLevel(s.loudness[r], s.start, s.end, t, p);
      if (level === 0) continue;
      if (m.privacyNews) f.mediaPrivacy[r] += level;
      else f.media[r] += level;
    }
  }
}
