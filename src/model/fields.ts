// What the platforms are and what the shocks do to the world at one moment, per region and app
// (index r * K + a). Shocks write these fields each step; the decision rule and the metrics read
// them. Small arrays, reused.
import type { Params } from './params.ts';
import type { PlatformInput } from './input.ts';

export interface Fields {
  R: number;
  K: number;
  /** 1 once the app has launched. */
  launched: Uint8Array;
  /** Platform features and settings now (dated platform changes applied). */
  voice: Uint8Array;
  slowLinks: Uint8Array;
  proxy: Uint8Array;
  quality: Float32Array;
  price: Float32Array;
  /** Sign-ups per hour, index r * K + a, and worldwide at R * K + a (Infinity: no limit). */
  capacity: Float64Array;
  /** Block: circumvention skill needed (0..1, after VPN bans and built-in proxies), -1 where not blocked. */
  hardness: Float32Array;
  /** Raw block hardness (max over blocks) and what circumvention shocks add to it. */
  blockHardness: Float32Array;
  circPenalty: Float32Array;
  /** Outage: share of users cut off, with a salt choosing who. */
  outageSeverity: Float32Array;
  outageSalt: Int32Array;
  /** Mobile-internet shutdown per region: share of people cut off on a given day, and the apps it hits. */
  netCut: Float32Array;
  netHits: Uint8Array;
  /** Since when (days) the app has not worked for those it does not work for (for noticing). */
  downSince: Float32Array;
  /** Utility added (throttling, lost features, promotion bonus). */
  utility: Float32Array;
  /** Multiplier of daily use (throttling makes an app used less). */
  useFactor: Float32Array;
  /** Threat of an announced block (0..1). */
  threat: Float32Array;
  /** Privacy reputation now (0..1). */
  privacy: Float32Array;
  /** Per day: share of people who get the app pre-installed, and who are required to use it. */
  preinstall: Float32Array;
  require: Float32Array;
  /** Media attention per region: general, and privacy news (felt in proportion to privacy concern). */
  media: Float32Array;
  mediaPrivacy: Float32Array;
  /** Media attention felt only by the users of each app (news of harm to it), index r * K + a. */
  mediaUsers: Float32Array;
  mediaPrivacyUsers: Float32Array;
  /** How prominently the news names each app now (weight of the mention, fading with the story; the most prominent naming). */
  salience: Float32Array;
  /** Media attention of news that the app failed (its outages), while it lasts: nobody tries it then. */
  failing: Float32Array;
  /** 1 where some app does not work for some people in the region (frustration is possible). */
  disrupted: Uint8Array;
  /** 1 where some app is durably out of reach for some people (blocks, shutdowns). */
  durable: Uint8Array;
  /** Share of an app's active users in the region who can reach it now (updated once a day). */
  availShare: Float32Array;
}

export function makeFields(R: number, K: number): Fields {
  const rk = R * K;
  return {
    R,
    K,
    launched: new Uint8Array(K),
    voice: new Uint8Array(K),
    slowLinks: new Uint8Array(K),
    proxy: new Uint8Array(K),
    quality: new Float32Array(K),
    price: new Float32Array(K),
    capacity: new Float64Array(rk + K),
    hardness: new Float32Array(rk),
    blockHardness: new Float32Array(rk),
    circPenalty: new Float32Array(rk),
    outageSeverity: new Float32Array(rk),
    outageSalt: new Int32Array(rk),
    netCut: new Float32Array(R),
    netHits: new Uint8Array(rk),
    downSince: new Float32Array(rk),
    utility: new Float32Array(rk),
    useFactor: new Float32Array(rk),
    threat: new Float32Array(rk),
    privacy: new Float32Array(rk),
    preinstall: new Float32Array(rk),
    require: new Float32Array(rk),
    media: new Float32Array(R),
    mediaPrivacy: new Float32Array(R),
    mediaUsers: new Float32Array(rk),
    mediaPrivacyUsers: new Float32Array(rk),
    salience: new Float32Array(rk),
    failing: new Float32Array(rk),
    disrupted: new Uint8Array(R),
    durable: new Uint8Array(R),
    availShare: new Float32Array(rk).fill(1),
  };
}

/** Reset to the platforms as they are at time t (dated changes applied) in a world without shocks. */
export function resetFields(f: Fields, platforms: readonly PlatformInput[], t: number): void {
  const { R, K } = f;
  for (let a = 0; a < K; a++) {
    const pl = platforms[a];
    f.launched[a] = t >= pl.launchDay ? 1 : 0;
    let features = pl.features;
    let quality = pl.quality;
    let privacy = pl.privacy;
    let price = pl.price;
    let capacity = pl.capacity;
    for (const c of pl.changes) {
      if (c.day > t) break;
      if (c.add.length || c.remove.length) features = [...features.filter((x) => !c.remove.includes(x)), ...c.add];
      quality = c.quality ?? quality;
      privacy = c.privacy ?? privacy;
      price = c.price ?? price;
      capacity = c.capacity ?? capacity;
    }
    f.voice[a] = features.includes('voice') ? 1 : 0;
    f.slowLinks[a] = features.includes('slow-links') ? 1 : 0;
    f.proxy[a] = features.includes('proxy') ? 1 : 0;
    f.quality[a] = quality;
    f.price[a] = price;
    for (let r = 0; r < R; r++) {
      f.capacity[r * K + a] = capacity[r];
      f.privacy[r * K + a] = privacy;
    }
    f.capacity[R * K + a] = capacity[R];
  }
  f.blockHardness.fill(-1);
  f.circPenalty.fill(0);
  f.outageSeverity.fill(0);
  f.netCut.fill(0);
  f.netHits.fill(0);
  f.downSince.fill(Infinity);
  f.utility.fill(0);
  f.useFactor.fill(1);
  f.threat.fill(0);
  f.preinstall.fill(0);
  f.require.fill(0);
  f.media.fill(0);
  f.mediaPrivacy.fill(0);
  f.mediaUsers.fill(0);
  f.mediaPrivacyUsers.fill(0);
  f.salience.fill(0);
  f.failing.fill(0);
  f.disrupted.fill(0);
  f.durable.fill(0);
}

/** A built-in proxy halves the skill needed to get round a block of the app. */
export const PROXY_EASE = 0.5;

/** After the shocks: the hardness people face (VPN bans added, built-in proxies taken off). */
export function finishFields(f: Fields): void {
  const { R, K } = f;
  for (let r = 0; r < R; r++) {
    for (let a = 0; a < K; a++) {
      const k = r * K + a;
      const h = f.blockHardness[k];
      if (h < 0) {
        f.hardness[k] = -1;
        continue;
      }
      const eff = (h + f.circPenalty[k]) * (f.proxy[a] ? 1 - PROXY_EASE : 1);
      f.hardness[k] = Math.min(1, Math.max(0, eff));
    }
  }
}

/**
 * Media attention of a shock at time t (days): at its peak from the start for as long as it lasts
 * (at most a day: news are news for a day), then decaying with params.mediaDecay.
 */
export function mediaLevel(loudness: number, start: number, end: number, t: number, p: Params): number {
  if (t < start - 1e-9 || loudness <= 0) return 0;
  const plateauEnd = start + Math.min(end - start, 1);
  if (t <= plateauEnd) return loudness;
  return loudness * Math.exp(-p.mediaDecay * (t - plateauEnd));
}
