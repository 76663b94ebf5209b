// Builds the agents of a scenario: regions and weights, traits, the contact network and the initial
// use of each app (clustered in the network, as real adoption is), then fits the app constants.
import type { Scenario } from '../scenarios/schema.ts';
import type { Params } from './params.ts';
import type { Fields } from './fields.ts';
import { makeRng, normal, type Rng } from './rng.ts';
import { buildNetwork } from './network.ts';
import { ACTIVE, EVER, INSTALLED, NO_APP, type Platform, type World } from './world.ts';
import { parseDate, DAY_MS } from './time.ts';
import { utilities } from './decide.ts';
import { WakeCalendar } from './wake.ts';

/** "Long before the start": initial users count as active in the last month. */
const BEFORE_START = -1_000_000;

export function compilePlatforms(s: Scenario): Platform[] {
  const t0 = parseDate(s.time.start);
  return s.platforms.map((p) => ({
    id: p.id,
    quality: p.quality,
    price: p.price,
    privacy: p.privacy,
    capacityPerDay: p.capacity === undefined ? Infinity : p.capacity * 24,
    launchDay: p.launch === undefined ? -Infinity : (parseDate(p.launch) - t0) / DAY_MS,
    voice: p.features.includes('voice'),
    slowLinks: p.features.includes('slow-links'),
    e2ee: p.features.includes('e2ee'),
  }));
}

/** Agents per region: as given by `sample`, else proportional to sqrt(population). */
export function allocateAgents(s: Scenario, agents: number): number[] {
  const R = s.regions.length;
  const share = s.regions.map((r) => r.sample ?? Math.sqrt(r.population));
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

export function createWorld(s: Scenario, agents: number, seed: number, stepStart: Float64Array, stepEnd: number): World {
  const platforms = compilePlatforms(s);
  const K = platforms.length;
  const R = s.regions.length;
  const counts = allocateAgents(s, agents);
  const n = counts.reduce((a, b) => a + b, 0);
  const regionStart = new Uint32Array(R + 1);
  for (let r = 0; r < R; r++) regionStart[r + 1] = regionStart[r] + counts[r];

  const rng = makeRng(seed, 'population');
  const region = new Uint8Array(n);
  const privacy = new Float32Array(n);
  const skill = new Float32Array(n);
  const inertia = new Float32Array(n);
  const activity = new Float32Array(n);
  const status = new Uint8Array(n * K);
  const lastActive = new Int32Array(n * K).fill(-1);
  const primary = new Uint8Array(n).fill(NO_APP);
  const waiting = new Int32Array(n);
  const waitingCount = new Int32Array(R);
  const weight = new Float64Array(R);
  const population = new Float64Array(R);
  const pid = new Map(platforms.map((p, a) => [p.id, a]));

  // Initial use: per app a smooth random field along the agent index (ties are mostly between
  // nearby indices), so that users of an app have contacts on it, as in real adoption.
  const field = new Float64Array(K);
  const rho = Math.exp(-1 / 25);
  const innov = Math.sqrt(1 - rho * rho);
  const activeShare = new Float64Array(K);
  const dormantShare = new Float64Array(K);
  const mainWeight = new Float64Array(K);

  for (let r = 0; r < R; r++) {
    const spec = s.regions[r];
    weight[r] = spec.population / counts[r];
    population[r] = spec.population;
    activeShare.fill(0);
    dormantShare.fill(0);
    mainWeight.fill(0);
    const givenPrimary = Object.values(spec.apps).some((v) => typeof v !== 'number' && v.primary !== undefined);
    for (const [id, v] of Object.entries(spec.apps)) {
      const a = pid.get(id)!;
      activeShare[a] = typeof v === 'number' ? v : v.active;
      dormantShare[a] = typeof v === 'number' ? v / 10 : (v.dormant ?? v.active / 10);
      // Chance that a user of the app has it as main app: as given, else growing with its spread.
      const pr = typeof v === 'number' ? undefined : v.primary;
      mainWeight[a] = givenPrimary ? (activeShare[a] > 0 ? (pr ?? 0) / activeShare[a] : 0) : activeShare[a] * activeShare[a];
    }
    for (let a = 0; a < K; a++) field[a] = normal(rng);
    for (let i = regionStart[r]; i < regionStart[r + 1]; i++) {
      region[i] = r;
      privacy[i] = logitNormal(rng, spec.privacy.mean, spec.privacy.sd);
      skill[i] = logitNormal(rng, spec.circumvention.mean, spec.circumvention.sd);
      inertia[i] = logitNormal(rng, spec.inertia.mean, spec.inertia.sd);
      activity[i] = Math.exp(0.3 * normal(rng) - 0.045);
      // Primary app: among the apps in use, the more widespread ones are more often primary.
      let pick = -1;
      let totalW = 0;
      for (let a = 0; a < K; a++) {
        field[a] = rho * field[a] + innov * normal(rng);
        if (platforms[a].launchDay > 0) continue;
        const u = phi(field[a]);
        const b = i * K + a;
        if (u < activeShare[a]) {
          status[b] = INSTALLED | ACTIVE | EVER;
          lastActive[b] = BEFORE_START;
          const wa = mainWeight[a] + 1e-9; // tiny floor: a user of only this app has it as main app
          totalW += wa;
          if (rng() * totalW < wa) pick = a; // weighted reservoir choice
        } else if (u < activeShare[a] + dormantShare[a]) status[b] = INSTALLED | EVER;
      }
      if (pick >= 0) primary[i] = pick;
      else waiting[regionStart[r] + waitingCount[r]++] = i;
    }
  }

  const net = buildNetwork(regionStart, s.network, makeRng(seed, 'network'));
  return {
    n,
    K,
    R,
    platforms,
    regionIds: s.regions.map((r) => r.id),
    regionStart,
    weight,
    population,
    region,
    privacy,
    skill,
    inertia,
    activity,
    status,
    lastActive,
    primary,
    attn: new Float32Array(n),
    attnT: new Float32Array(n),
    wake: new WakeCalendar(n, stepStart, stepEnd),
    waiting,
    waitingCount,
    net,
    asc: new Float64Array(R * K),
    scratchReach: new Float64Array(K),
    scratchU: new Float64Array(K),
    scratchAccess: new Uint8Array(K),
  };
}

/**
 * Fit the app constants (one per region and app) so that, in the initial state, people who
 * reconsider would choose each app as primary as often as it is primary now: the world starts at
 * rest, and what moves people afterwards is the shocks, not a mismatch of the starting point
 * (the alternative-specific constants of discrete-choice models, fitted by contraction mapping).
 * Apps nobody in the region uses at the start (not listed there, or launched later) get the weakest
 * fitted constant plus their stated quality.
 */
export function fitConstants(w: World, f: Fields, p: Params, seed: number, hasUsers: Uint8Array): void {
  const K = w.K;
  const rng = makeRng(seed, 'constants');
  const sampleMax = 4000;
  for (let r = 0; r < w.R; r++) {
    const a0 = w.regionStart[r];
    const size = w.regionStart[r + 1] - a0;
    const target = new Float64Array(K);
    let users = 0;
    for (let i = a0; i < a0 + size; i++) {
      if (w.primary[i] !== NO_APP) {
        target[w.primary[i]]++;
        users++;
      }
    }
    // An app some people use but (in this sample) nobody as primary still gets a fitted, very low
    // constant: half an agent's worth of share.
    for (let a = 0; a < K; a++) if (target[a] === 0 && hasUsers[r * K + a]) target[a] = 0.5;
    if (users === 0) {
      for (let a = 0; a < K; a++) w.asc[r * K + a] = w.platforms[a].quality;
      continue;
    }
    const m = Math.min(sampleMax, users);
    const V = new Float64Array(m * K);
    let got = 0;
    while (got < m) {
      const i = a0 + Math.floor(rng() * size);
      if (w.primary[i] === NO_APP) continue;
      utilities(w, f, p, i, false);
      for (let a = 0; a < K; a++) V[got * K + a] = w.scratchU[a];
      got++;
    }
    const delta = new Float64Array(K);
    const pred = new Float64Array(K);
    for (let it = 0; it < 60; it++) {
      pred.fill(0);
      for (let s = 0; s < m; s++) {
        let best = -Infinity;
        for (let a = 0; a < K; a++) if (target[a] > 0) best = Math.max(best, V[s * K + a] + delta[a]);
        let sum = 0;
        for (let a = 0; a < K; a++) if (target[a] > 0) sum += Math.exp(V[s * K + a] + delta[a] - best);
        for (let a = 0; a < K; a++) if (target[a] > 0) pred[a] += Math.exp(V[s * K + a] + delta[a] - best) / sum / m;
      }
      for (let a = 0; a < K; a++) if (target[a] > 0) delta[a] += Math.log(target[a] / users) - Math.log(Math.max(1e-12, pred[a]));
    }
    let weakest = Infinity;
    for (let a = 0; a < K; a++) if (target[a] > 0) weakest = Math.min(weakest, delta[a]);
    for (let a = 0; a < K; a++) {
      // Constants are in logit-scale units; store them in utility units.
      w.asc[r * K + a] = (target[a] > 0 ? delta[a] : weakest + w.platforms[a].quality / p.logitScale) * p.logitScale;
    }
  }
}
