// Announcement: a threatened or announced block moves people before it starts; the app looks less
// dependable (and an app beside it more useful) until the measure takes effect or the threat fades.
import type { ShockModule } from './types.ts';

export const announcement: ShockModule = {
  apply(s, _t, f) {
    for (const r of s.regions) {
      for (const a of s.platforms) {
        const k = r * f.K + a;
        f.threat[k] = Math.max(f.threat[k], s.threat);
      }
    }
  },
};
