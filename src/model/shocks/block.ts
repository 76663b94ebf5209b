// Block: the app is unreachable in the region except for people whose circumvention skill (VPN,
// proxies) reaches the block's hardness; others can learn it while the block lasts (decide.ts).
import type { ShockModule } from './types.ts';

export const block: ShockModule = {
  apply(s, _t, f) {
    for (const r of s.regions) {
      f.disrupted[r] = 1;
      f.durable[r] = 1;
      for (const a of s.platforms) {
        const k = r * f.K + a;
        f.blockHardness[k] = Math.max(f.blockHardness[k], s.hardness);
        f.downSince[k] = Math.min(f.downSince[k], s.start);
      }
    }
  },
};
