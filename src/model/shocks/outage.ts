// Outage: the app stops working for a share (severity) of its users for a while. Only people who
// try to use it notice; the decision rule decides who waits and who reaches for something else.
import type { ShockModule } from './types.ts';

export const outage: ShockModule = {
  newsOfFailure: true,
  apply(s, _t, f) {
    for (const r of s.regions) {
      f.disrupted[r] = 1;
      for (const a of s.platforms) {
        const k = r * f.K + a;
        // Overlapping outages: the harder one decides who is cut off.
        if (s.severity > f.outageSeverity[k]) {
          f.outageSeverity[k] = s.severity;
          f.outageSalt[k] = 7919 * (s.index + 1);
        }
        f.downSince[k] = Math.min(f.downSince[k], s.start);
      }
    }
  },
};
