// Connectivity: a regional mobile-internet shutdown (a share of people cut off) or throttling (all
// apps slower). It hits every app except those exempt (a whitelist) and those that work on slow
// links (2G/3G), which is where such apps grow.
import type { ShockModule } from './types.ts';

export const connectivity: ShockModule = {
  apply(s, _t, f, p) {
    for (const r of s.regions) {
      if (s.severity > f.netCut[r]) {
        f.netCut[r] = s.severity;
        f.netSalt[r] = 104729 * (s.index + 1);
      }
      if (s.severity > 0) {
        f.disrupted[r] = 1;
        f.durable[r] = 1;
      }
      for (const a of s.platforms) {
        if (s.exempt.includes(a)) continue;
        const k = r * f.K + a;
        if (s.severity > 0 && !f.slowLinks[a]) {
          f.netHits[k] = 1;
          f.downSince[k] = Math.min(f.downSince[k], s.start);
        }
        const slow = s.slowdown * (f.slowLinks[a] ? 1 - p.slowLinksEscape : 1);
        f.utility[k] -= p.betaThrottle * slow;
        f.useFactor[k] *= 1 - slow;
      }
    }
  },
};
