// Throttling and feature restriction: the app works, but slower (less used, less attractive) or
// without some features (e.g. voice calls). Apps that work on slow links escape part of a slowdown.
import type { ShockModule } from './types.ts';

export const throttle: ShockModule = {
  apply(s, t, f, p) {
    if (t >= s.end || s.spec.type !== 'throttle') return;
    const spec = s.spec;
    const voiceCut = spec.features.includes('voice');
    for (const r of s.regions) {
      for (const a of s.platforms) {
        const k = r * f.K + a;
        const slow = spec.slowdown * (f.slowLinks[a] ? 1 - Math.min(1, p.featureSlowLinks) : 1);
        f.utility[k] -= p.betaThrottle * slow + (voiceCut && f.voice[a] ? p.featureVoice : 0);
        f.useFactor[k] *= 1 - slow;
      }
    }
  },
};
