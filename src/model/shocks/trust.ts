// Trust / privacy shock (an acquisition, a policy change, or good news): the app's privacy
// reputation moves by `magnitude` (positive lowers it, negative raises it) and fades back slowly.
// Its news is privacy news: felt in proportion to each person's privacy concern.
import type { ShockModule } from './types.ts';

export const trust: ShockModule = {
  lingers: true,
  apply(s, t, f, p) {
    const change = s.magnitude * Math.exp(-p.trustRecovery * (t - s.start));
    for (const r of s.regions) {
      for (const a of s.platforms) {
        const k = r * f.K + a;
        f.privacy[k] = Math.min(1, Math.max(0, f.privacy[k] - change));
      }
    }
  },
};
