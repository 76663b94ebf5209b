// Announcement: a threatened or announced block moves people before it starts; the app looks less
// dependable until the measure takes effect (or the threat fades).
import type { ShockModule } from './types.ts';

export const announcement: ShockModule = {
  apply(s, t, f) {
    if (t >= s.end || s.spec.type !== 'announcement') return;
    for (const r of s.regions) {
      for (const a of s.platforms) {
        const k = r * f.K + a;
        f.threat[k] = Math.max(f.threat[k], s.spec.threat);
      }
    }
  },
};
