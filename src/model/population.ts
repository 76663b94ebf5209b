// Builds the agents of a scenario: regions and weights, traits, the contact network and the initial
// use of each app (clustered in the network, as real adoption is), then the app constants and each
// person's main app, so that the world starts at rest.
import type { ModelInput } from './input.ts';
import type { Params } from './params.ts';
import type { Fields } from './fields.ts';
import { makeRng, normal, type Rng } from './rng.ts';
import { buildNetwork, type Network } from './network.ts';
import { ACTIVE, EVER, INSTALLED, NO_APP, type World } from './world.ts';
import { mainUtilities, taste } from './decide.ts';
import { WakeCalendar } from './wake.ts';
import { Tally } from './tally.ts';
import { Outbox } from './outbox.ts';
import { plainAlloc, type Alloc } from './alloc.ts';

/** "Long before the start" (World.lastActive is 16-bit: days -32768..32767). */
const BEFORE_START = -30_000;
/** Longest run in days that "last used" can count (16-bit days, beyond any monthly window). */
export const MAX_DAYS = 32_000;

/**
 * Agents per region: as given by `sample`, else proportional to sqrt(population); with `scale`,
 * that many agents per person in every region (scale 1: one agent per person).
 */
export function allocateAgents(input: { regions: readonly { sample?: number; population: number }[] }, agents: number, scale?: number): number[] {
  const R = input.regions.length;
  if (scale !== undefined) return input.regions.map((r) => Math.max(50, Math.round(r.population * scale)));
  const share = input.regions.map((r) => r.sample ?? Math.sqrt(r.population));
  const total = share.reduce((a, b) => a + b, 0);
  const counts = share.map((x) => Math.max(50, Math.floor((agents * x) / total)));
  const used = counts.slice(0, R - 1).reduce((a, b) => a + b, 0);
  counts[R - 1] = Math.max(50, agents - used);
  return counts;
}

function logitNormal(rng: Rng, mean: number, sd: number): number {
  const m = Math.min(0.999, Math.max(0.001, mean));
  return 1 / (1 + Math.exp(-(Math.log(m / (1 - m)) + sd * normal(rng))));
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Progress of building a world: share done (0..1). */
export type BuildProgress = (done: number) => void;

/** Shares of the build's time: traits and initial use, the network, reach counts (the rest: constants). */
const BUILD_TRAITS = 0.45;
const BUILD_NETWORK = 0.3;
const BUILD_REACH = 0.05;

export function createWorld(input: ModelInput, agents: number, seed: number, stepStart: Float64Array, stepEnd: number, scale?: number, progress?: BuildProgress, alloc: Alloc = plainAlloc): World {
  const platforms = input.platforms;
  const K = platforms.length;
  const R = input.regions.length;
  const U = input.universes.length;
  if (R > 255) throw new Error(`a run has at most 255 regions (one byte per agent), got ${R}`);
  if (stepEnd > MAX_DAYS) throw new Error(`a run lasts at most ${MAX_DAYS} days, got ${Math.ceil(stepEnd)}`);
  const counts = allocateAgents(input, agents, scale);
  const n = counts.reduce((a, b) => a + b, 0);
  const regionStart = new Uint32Array(R + 1);
  for (let r = 0; r < R; r++) regionStart[r + 1] = regionStart[r] + counts[r];

  const rng = makeRng(seed, 'population');
  const region = alloc(Uint8Array, n);
  const privacy = alloc(Float32Array, n);
  // Circumvention: the skill drawn at the start is where `circ` (what one can get round now) begins.
  const circ = alloc(Float32Array, n);
  const inertia = alloc(Float32Array, n);
  const activity = alloc(Float32Array, n);
  const universe = alloc(Uint8Array, n);
  const status = alloc(Uint8Array, n * K);
  const lastActive = alloc(Int16Array, n * K).fill(-1);
  const weight = new Float64Array(R);
  const population = new Float64Array(R);
  const growth = new Float64Array(R);

  // Initial use: per app a smooth random field along the agent index (ties are mostly between
  // nearby indices), so that users of an app have contacts on it, as in real adoption.
  const field = new Float64Array(K);
  const rho = Math.exp(-1 / 25);
  const innov = Math.sqrt(1 - rho * rho);
  const activeShare = new Float64Array(K);
  const dormantShare = new Float64Array(K);

  for (let r = 0; r < R; r++) {
    const spec = input.regions[r];
    weight[r] = spec.population / counts[r];
    population[r] = spec.population;
    growth[r] = spec.growth;
    activeShare.fill(0);
    dormantShare.fill(0);
    for (const app of spec.apps) {
      activeShare[app.platform] = app.active;
      dormantShare[app.platform] = app.dormant;
    }
    for (let a = 0; a < K; a++) field[a] = normal(rng);
    for (let i = regionStart[r]; i < regionStart[r + 1]; i++) {
      if (progress && (i & 0xfffff) === 0) progress((BUILD_TRAITS * i) / n);
      region[i] = r;
      privacy[i] = logitNormal(rng, spec.privacy.mean, spec.privacy.sd);
      circ[i] = logitNormal(rng, spec.circumvention.mean, spec.circumvention.sd);
      inertia[i] = logitNormal(rng, spec.inertia.mean, spec.inertia.sd);
      activity[i] = Math.exp(0.3 * normal(rng) - 0.045);
      for (let u = 0; u < U; u++) if (rng() < spec.universeShare[u]) universe[i] |= 1 << u;
      for (let a = 0; a < K; a++) {
        field[a] = rho * field[a] + innov * normal(rng);
        if (platforms[a].launchDay > 0) continue;
        const x = phi(field[a]);
        const b = i * K + a;
        if (x < activeShare[a]) {
          status[b] = INSTALLED | ACTIVE | EVER;
          lastActive[b] = BEFORE_START;
        } else if (x < activeShare[a] + dormantShare[a]) status[b] = INSTALLED | EVER;
      }
    }
  }

  const net = buildNetwork(regionStart, input.network, () => makeRng(seed, 'network'), progress && ((d) => progress(BUILD_TRAITS + BUILD_NETWORK * d)), alloc);
  // Contacts active on an app: one byte each when nobody has more than 255 contacts.
  let maxDegree = 0;
  for (let i = 0; i < n; i++) maxDegree = Math.max(maxDegree, net.offsets[i + 1] - net.offsets[i]);
  const reachCount = maxDegree <= 255 ? alloc(Uint8Array, n * K) : alloc(Uint16Array, n * K);
  progress?.(BUILD_TRAITS + BUILD_NETWORK);
  countReach(status, net, K, reachCount);
  return {
    n,
    K,
    R,
    U,
    platforms,
    regionIds: input.regions.map((r) => r.id),
    regionStart,
    weight,
    population,
    growth,
    region,
    privacy,
    circ,
    inertia,
    activity,
    universe,
    status,
    lastActive,
    reachCount,
    primary: alloc(Uint8Array, n).fill(NO_APP),
    heard: alloc(Uint8Array, n).fill(NO_APP),
    attn: alloc(Float32Array, n),
    attnT: alloc(Float32Array, n),
    wake: new WakeCalendar(n, stepStart, stepEnd, alloc(Int32Array, n).fill(-1)),
    waiting: new Int32Array(0),
    waitingStart: new Uint32Array(R + 1),
    waitingCount: new Int32Array(R),
    net,
    asc: new Float64Array(R * K),
    trend: new Float64Array(R * K),
    addConst: new Float64Array(R * K),
    known: new Float64Array(R * K),
    tally: new Tally(n, K, regionStart, U, stepEnd, { lo: 0, hi: n }, undefined, alloc),
    lo: 0,
    hi: n,
    outbox: new Outbox(),
    circShared: circ,
    tasteSalt: (Math.imul(seed | 0, 0x9e3779b1) ^ 0x5bd1e995) | 0,
    scratchU: new Float64Array(K),
    scratchW: new Float64Array(K),
  };
}

/**
 * The app constants (one per region and app) and everyone's main app. The target is who has which
 * main app: as the scenario gives it, or else among the apps a person uses, the more widespread
 * ones more often. The constants are fitted (contraction mapping, as for the alternative-specific
 * constants of discrete-choice models) so that the logit shares over each person's installed apps
 * match the target; then each person's main app is the best of their installed apps given the
 * constants and their persistent tastes. So the world starts at rest: with no shock, nobody has a
 * reason to move. Apps nobody in the region uses at the start get the weakest fitted constant.
 */
export function assignMainApps(w: World, f: Fields, p: Params, input: ModelInput, seed: number, progress?: BuildProgress): void {
  const K = w.K;
  const rng = makeRng(seed, 'constants');
  const sampleMax = 4000;
  const weightOf = new Float64Array(K);
  const inUse = (i: number, a: number) => (w.status[i * K + a] & ACTIVE) !== 0 && f.launched[a] === 1;
  const waiting = new WaitingLists(w.R);
  for (let r = 0; r < w.R; r++) {
    const spec = input.regions[r];
    const a0 = w.regionStart[r];
    const size = w.regionStart[r + 1] - a0;
    const givenPrimary = spec.apps.some((x) => x.primary !== undefined);
    weightOf.fill(0);
    const hasUsers = new Uint8Array(K);
    for (const app of spec.apps) {
      if (app.active > 0 && f.launched[app.platform]) hasUsers[app.platform] = 1;
      weightOf[app.platform] = givenPrimary ? (app.active > 0 ? (app.primary ?? 0) / app.active : 0) : app.active * app.active;
    }
    // Target counts on a sample of users: a weighted draw among each person's apps in use.
    const isUser = (i: number) => {
      for (let a = 0; a < K; a++) if (inUse(i, a)) return true;
      return false;
    };
    let users = 0;
    for (let i = a0; i < a0 + size; i++) if (isUser(i)) users++;
    if (users === 0) {
      for (let a = 0; a < K; a++) w.asc[r * K + a] = 0;
      for (let i = a0; i < a0 + size; i++) waiting.push(r, i);
      continue;
    }
    // A random subsample (with replacement) keeps the fit cheap for large regions: the k-th user
    // for each of m random ranks, found in one pass (no list of all users at a billion agents).
    const m = Math.min(sampleMax, users);
    const ranks = users <= sampleMax ? Array.from({ length: m }, (_, k) => k) : Array.from({ length: m }, () => Math.floor(rng() * users));
    const picks = usersAtRanks(ranks, a0, size, isUser);
    const target = new Float64Array(K);
    for (const i of picks) {
      let total = 0;
      let pick = -1;
      for (let a = 0; a < K; a++) {
        if (!inUse(i, a)) continue;
        const wa = weightOf[a] + 1e-9;
        total += wa;
        if (rng() * total < wa) pick = a;
      }
      target[pick]++;
    }
    // An app some sampled people use but nobody as main app still gets a very low constant; one
    // nobody in the sample uses cannot be fitted (its logit share is 0 whatever its constant) and
    // takes the weakest constant below.
    const usedInSample = new Uint8Array(K);
    for (const i of picks) for (let a = 0; a < K; a++) if (inUse(i, a)) usedInSample[a] = 1;
    for (let a = 0; a < K; a++) if (target[a] === 0 && hasUsers[a] && usedInSample[a]) target[a] = 0.5;
    const V = new Float64Array(m * K);
    for (let s = 0; s < m; s++) {
      mainUtilities(w, f, p, picks[s], false);
      for (let a = 0; a < K; a++) V[s * K + a] = inUse(picks[s], a) ? w.scratchU[a] : -Infinity;
    }
    const delta = new Float64Array(K);
    const pred = new Float64Array(K);
    const tot = target.reduce((x, y) => x + y, 0);
    const ts = p.tasteScale;
    for (let it = 0; it < 80; it++) {
      pred.fill(0);
      for (let s = 0; s < m; s++) {
        let best = -Infinity;
        for (let a = 0; a < K; a++) if (target[a] > 0) best = Math.max(best, (V[s * K + a] + delta[a]) / ts);
        if (best === -Infinity) continue;
        let sum = 0;
        for (let a = 0; a < K; a++) if (target[a] > 0) sum += Math.exp((V[s * K + a] + delta[a]) / ts - best);
        for (let a = 0; a < K; a++) if (target[a] > 0) pred[a] += Math.exp((V[s * K + a] + delta[a]) / ts - best) / sum;
      }
      const predTot = pred.reduce((x, y) => x + y, 0);
      for (let a = 0; a < K; a++) {
        if (target[a] > 0) delta[a] += ts * (Math.log(target[a] / tot) - Math.log(Math.max(1e-12, pred[a] / predTot)));
      }
    }
    let weakest = Infinity;
    for (let a = 0; a < K; a++) if (target[a] > 0) weakest = Math.min(weakest, delta[a]);
    for (let a = 0; a < K; a++) w.asc[r * K + a] = target[a] > 0 ? delta[a] : weakest;

    // Everyone's main app: the best of their apps in use, tastes included.
    const built = BUILD_TRAITS + BUILD_NETWORK + BUILD_REACH;
    for (let i = a0; i < a0 + size; i++) {
      if (progress && (i & 0xfffff) === 0) progress(built + ((1 - built) * i) / w.n);
      mainUtilities(w, f, p, i, false);
      let best = -Infinity;
      let pick = -1;
      for (let a = 0; a < K; a++) {
        if (!inUse(i, a)) continue;
        const u = w.scratchU[a] + w.asc[r * K + a] + taste(w, p, i, a);
        if (u > best) {
          best = u;
          pick = a;
        }
      }
      if (pick >= 0) w.primary[i] = pick;
      else waiting.push(r, i);
    }
  }
  waiting.into(w);
}

/** The agents of a block who are users at the given ranks (0-based, in the block's order), in the ranks' order. */
function usersAtRanks(ranks: number[], a0: number, size: number, isUser: (i: number) => boolean): number[] {
  const order = ranks.map((_, k) => k).sort((x, y) => ranks[x] - ranks[y]);
  const out = new Array<number>(ranks.length);
  let rank = 0;
  let k = 0;
  for (let i = a0; i < a0 + size && k < order.length; i++) {
    if (!isUser(i)) continue;
    while (k < order.length && ranks[order[k]] === rank) out[order[k++]] = i;
    rank++;
  }
  return out;
}

/** Not-yet-users per region, gathered region by region, then packed into World.waiting. */
class WaitingLists {
  private buf = new Int32Array(1024);
  private n = 0;
  private readonly counts: Int32Array;
  constructor(R: number) {
    this.counts = new Int32Array(R);
  }
  /** Regions are visited in order: agent i of region r. */
  push(r: number, i: number): void {
    if (this.n === this.buf.length) {
      const grown = new Int32Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.n++] = i;
    this.counts[r]++;
  }
  into(w: World): void {
    w.waiting = this.buf.slice(0, this.n);
    for (let r = 0; r < w.R; r++) {
      w.waitingStart[r + 1] = w.waitingStart[r] + this.counts[r];
      w.waitingCount[r] = this.counts[r];
    }
  }
}

/** Add to `out` (per agent and app) how many of each agent's contacts have the app in use. */
export function countReach(status: Uint8Array, net: Network, K: number, out: Uint8Array | Uint16Array | Int32Array): void {
  const n = net.offsets.length - 1;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < K; a++) {
      if (!(status[i * K + a] & ACTIVE)) continue;
      for (let x = net.offsets[i]; x < net.offsets[i + 1]; x++) out[net.nbrs[x] * K + a]++;
    }
  }
}
