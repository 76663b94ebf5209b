// Promotion (a state messenger, mandatory pre-install): some people get the app installed for them
// (dormant until first used), some are required to use it (schools, employers, public services),
// and it gains utility (services only available there) while it lasts.
import type { ShockModule } from './types.ts';

export const promotion: ShockModule = {
  apply(s, _t, f) {
    for (const r of s.regions) {
      for (const a of s.platforms) {
        const k = r * f.K + a;
        f.preinstall[k] += s.preinstall;
        f.require[k] += s.require;
        f.utility[k] += s.bonus;
      }
    }
  },
};
