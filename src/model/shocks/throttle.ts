// Throttling and feature restriction: the app works, but slower (less used, less attractive) or
// without some features (e.g. voice calls). Apps that work on slow links escape most of a slowdown.
import type { ShockModule } from './types.ts';

export const throttle: ShockModule = {
  apply(s, _t, f, p) {
    const voiceCut = s.features.includes('voice');
    for (const r of s.regions) {
      for (const a of s.platforms) {
        const k = r * f.K + a;
        const slow = s.slowdown * (f.slowLinks[a] ? 1 - p.slowLinksEscape : 1);
        f.utility[k] -= p.betaThrottle * slow + (voiceCut && f.voice[a] ? p.featureVoice : 0);
        f.useFactor[k] *= 1 - slow;
      }
    }
  },
};
