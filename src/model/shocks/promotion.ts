// Promotion (a state messenger, mandatory pre-install): some people get the app installed for them,
// and it gains utility (services only available there) while the promotion lasts.
import type { ShockModule } from './types.ts';

export const promotion: ShockModule = {
  apply(s, t, f) {
    if (t >= s.end || s.spec.type !== 'promotion') return;
    for (const r of s.regions) {
      for (const a of s.platforms) {
        const k = r * f.K + a;
        f.preinstall[k] += s.spec.preinstall;
        f.utility[k] += s.spec.bonus;
      }
    }
  },
};
