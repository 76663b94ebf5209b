// What the shocks do to the world at one moment, per region and app (index r * K + a). Shocks write
// these fields each step; the decision rule and the metrics read them. Small arrays, reused.
import type { Params } from './params.ts';

export interface Fields {
  R: number;
  K: number;
  /** 1 once the app has launched. */
  launched: Uint8Array;
  /** Platform features that shocks act on (set once per run). */
  voice: Uint8Array;
  slowLinks: Uint8Array;
  /** Block: circumvention skill needed (0..1), -1 where not blocked. */
  blockHardness: Float32Array;
  /** Outage: share of users cut off, with a salt choosing who. */
  outageSeverity: Float32Array;
  outageSalt: Int32Array;
  /** Utility added (throttling, lost features, promotion bonus). */
  utility: Float32Array;
  /** Multiplier of daily use (throttling makes an app used less). */
  useFactor: Float32Array;
  /** Threat of an announced block (0..1). */
  threat: Float32Array;
  /** Privacy reputation now (0..1). */
  privacy: Float32Array;
  /** Per day: share of people who get the app pre-installed. */
  preinstall: Float32Array;
  /** Media attention per region: general, and privacy news (felt in proportion to privacy concern). */
  media: Float32Array;
  mediaPrivacy: Float32Array;
  /** 1 where some app does not work for some people in the region (frustration is possible). */
  disrupted: Uint8Array;
}

export function makeFields(R: number, K: number): Fields {
  const rk = R * K;
  return {
    R,
    K,
    launched: new Uint8Array(K),
    voice: new Uint8Array(K),
    slowLinks: new Uint8Array(K),
    blockHardness: new Float32Array(rk),
    outageSeverity: new Float32Array(rk),
    outageSalt: new Int32Array(rk),
    utility: new Float32Array(rk),
    useFactor: new Float32Array(rk),
    threat: new Float32Array(rk),
    privacy: new Float32Array(rk),
    preinstall: new Float32Array(rk),
    media: new Float32Array(R),
    mediaPrivacy: new Float32Array(R),
    disrupted: new Uint8Array(R),
  };
}

/** Reset to a world without shocks. */
export function resetFields(f: Fields, launchDays: readonly number[], basePrivacy: readonly number[], t: number): void {
  for (let a = 0; a < f.K; a++) f.launched[a] = t >= launchDays[a] ? 1 : 0;
  f.blockHardness.fill(-1);
  f.outageSeverity.fill(0);
  f.utility.fill(0);
  f.useFactor.fill(1);
  f.threat.fill(0);
  f.preinstall.fill(0);
  for (let r = 0; r < f.R; r++) for (let a = 0; a < f.K; a++) f.privacy[r * f.K + a] = basePrivacy[a];
  f.media.fill(0);
  f.mediaPrivacy.fill(0);
  f.disrupted.fill(0);
}

/**
 * Media attention of a shock at time t (days): at its peak from the start for as long as it lasts
 * (at most a day: news are news for a day), then decaying with params.mediaDecay.
 */
export function mediaLevel(loudness: number, start: number, end: number, t: number, p: Params): number {
  if (t < start || loudness <= 0) return 0;
  const plateauEnd = start + Math.min(end - start, 1);
  if (t <= plateauEnd) return loudness;
  return loudness * Math.exp(-p.mediaDecay * (t - plateauEnd));
}
