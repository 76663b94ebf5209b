// Connectivity: regional mobile-internet shutdowns (a share of people cut off on a given day:
// shutdowns come and go, so nobody gives up an app over them, but a day without it is a day the
// app is not used, and people cut off reach for an app that works: engine.ts) or throttling (all
// apps slower). It hits every app except those exempt (a whitelist) and those that work on slow
// links (2G/3G), which is where such apps grow.
import type { ShockModule } from './types.ts';

export const connectivity: ShockModule = {
  apply(s, _t, f, p) {
    for (const r of s.regions) {
      f.netCut[r] = Math.max(f.netCut[r], s.severity);
      for (const a of s.platforms) {
        if (s.exempt.includes(a)) continue;
        const k = r * f.K + a;
        if (s.severity > 0 && !f.slowLinks[a]) {
          f.netHits[k] = 1;
          f.useFactor[k] *= 1 - s.severity;
        }
        const slow = s.slowdown * (f.slowLinks[a] ? 1 - p.slowLinksEscape : 1);
        f.utility[k] -= p.betaThrottle * slow;
        f.useFactor[k] *= 1 - slow;
      }
    }
  },
};
