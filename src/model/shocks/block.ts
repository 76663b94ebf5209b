// Block: the app is unreachable in the region except for people whose circumvention skill (VPN,
// proxies) reaches the block's hardness.
import type { ShockModule } from './types.ts';

export const block: ShockModule = {
  apply(s, t, f) {
    if (t >= s.end || s.spec.type !== 'block') return;
    for (const r of s.regions) {
      f.disrupted[r] = 1;
      for (const a of s.platforms) {
        const k = r * f.K + a;
        f.blockHardness[k] = Math.max(f.blockHardness[k], s.spec.hardness);
      }
    }
  },
};
