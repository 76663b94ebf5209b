// Circumvention: how hard blocks are to get round changes (a VPN ban makes it harder: positive
// hardness; a new easy way round makes it easier: negative). People whose skill no longer suffices
// lose the blocked app until they learn a new way (decide.ts).
import type { ShockModule } from './types.ts';

export const circumvention: ShockModule = {
  apply(s, _t, f) {
    for (const r of s.regions) {
      for (const a of s.platforms) f.circPenalty[r * f.K + a] += s.hardness;
    }
  },
};
