// Outage: the app stops working for a share (severity) of its users for a while.
import type { ShockModule } from './types.ts';

export const outage: ShockModule = {
  apply(s, t, f) {
    if (t >= s.end) return;
    for (const r of s.regions) {
      f.disrupted[r] = 1;
      for (const a of s.platforms) {
        const k = r * f.K + a;
        // Overlapping outages: the harder one decides who is cut off.
        if (s.spec.type === 'outage' && s.spec.severity > f.outageSeverity[k]) {
          f.outageSeverity[k] = s.spec.severity;
          f.outageSalt[k] = 7919 * (s.index + 1);
        }
      }
    }
  },
};
