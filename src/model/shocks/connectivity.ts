// Connectivity: regional mobile-internet shutdowns (a share of people cut off on a given day,
// drawn afresh each day: shutdowns come and go, so nobody gives up an app over them) or throttling
// (all apps slower). It hits every app except those exempt (a whitelist) and those that work on
// slow links (2G/3G), which is where such apps grow: people cut off reach for an app that works.
import type { ShockModule } from './types.ts';

export const connectivity: ShockModule = {
  apply(s, t, f, p) {
    const day = Math.floor(t + 1e-9);
    for (const r of s.regions) {
      if (s.severity > f.netCut[r]) {
        f.netCut[r] = s.severity;
        f.netSalt[r] = 104729 * (s.index + 1) + 7 * day;
      }
      if (s.severity > 0) f.disrupted[r] = 1;
      for (const a of s.platforms) {
        if (s.exempt.includes(a)) continue;
        const k = r * f.K + a;
        if (s.severity > 0 && !f.slowLinks[a]) {
          f.netHits[k] = 1;
          f.downSince[k] = Math.min(f.downSince[k], Math.max(s.start, day));
        }
        const slow = s.slowdown * (f.slowLinks[a] ? 1 - p.slowLinksEscape : 1);
        f.utility[k] -= p.betaThrottle * slow;
        f.useFactor[k] *= 1 - slow;
      }
    }
  },
};
