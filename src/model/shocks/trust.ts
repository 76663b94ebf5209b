// Trust / privacy shock (an acquisition, a policy change): the app's privacy reputation drops and
// recovers slowly; the news move people in proportion to their privacy concern.
import type { ShockModule } from './types.ts';

export const trust: ShockModule = {
  privacyNews: true,
  apply(s, t, f, p) {
    if (s.spec.type !== 'trust') return;
    const drop = s.spec.magnitude * Math.exp(-p.trustRecovery * (t - s.start));
    for (const r of s.regions) {
      for (const a of s.platforms) {
        const k = r * f.K + a;
        f.privacy[k] = Math.max(0, f.privacy[k] - drop);
      }
    }
  },
};
