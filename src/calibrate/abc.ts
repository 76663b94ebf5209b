// Posterior sample: ABC-SMC in the adaptive population Monte Carlo form of Lenormand, Jabot and
// Deffuant (2013, "Adaptive approximate Bayesian computation for complex models"), whose cost per
// generation is fixed - it suits a time budget. Distance = the calibration loss.
//
// Prior: by default a Gaussian around the centre (the optimiser's best) with sd `spread` in the
// unit cube, truncated to the cube - a LOCAL posterior. With a few hundred simulations a flat prior
// over some thirty parameters cannot be explored (importance weights collapse onto one or two
// particles); the local prior keeps the sample usable and says what it is: the uncertainty of the
// parameters around the optimum, not other modes. `prior: 'uniform'` gives the flat prior on the
// cube (log-uniform for log-scale parameters).
//
//   generation 0: n0 = N / alpha particles from the prior (or, with the flat prior, from the
//     Gaussian around the centre with importance weights prior / proposal); keep the N closest,
//     epsilon = the largest kept distance.
//   generation t: the kernel is Gaussian with twice the weighted variance of the kept particles
//     (per coordinate: N is small beside the number of parameters); draw n0 - N new particles from
//     the kept ones by weight and move them; weight = prior / sum_j w_j K(theta - theta_j); keep
//     the N closest of old and new; the acceptance rate is the share of new particles closer
//     than the previous epsilon. Stop when it falls below pAccMin, or at the budget.
// The kernel's truncation at the cube is not renormalised (a common simplification).
import { makeRng, normal } from '../model/rng.ts';
import { scored, type BatchObjective } from './optimise.ts';

export interface AbcOptions {
  seed: number;
  /** Maximum number of evaluations (simulated candidates). */
  budget: number;
  /** Particles kept (default 24). */
  particles?: number;
  /** Share kept each generation (default 0.5). */
  alpha?: number;
  /** Stop when the acceptance rate falls below this (default 0.05). */
  pAccMin?: number;
  /** Standard deviation of the local prior (and initial proposal) around the centre, in the unit cube (default 0.08). */
  spread?: number;
  /** 'local' (default): Gaussian around the centre; 'uniform': flat on the unit cube. */
  prior?: 'local' | 'uniform';
  onGeneration?: (g: AbcGeneration) => void;
}

export interface AbcGeneration {
  generation: number;
  evaluations: number;
  epsilon: number;
  best: number;
  median: number;
  acceptance: number;
  /** Effective sample size of the weights, 1 / sum w^2. */
  ess: number;
}

interface Particle {
  u: number[];
  distance: number;
  /** Log importance weight (unnormalised). */
  logw: number;
}

export interface WeightedParticle {
  u: number[];
  distance: number;
  weight: number;
}

export interface AbcResult {
  particles: WeightedParticle[];
  generations: AbcGeneration[];
  evaluations: number;
}

export async function abcSmc(f: BatchObjective, centre: readonly number[], o: AbcOptions): Promise<AbcResult> {
  const n = centre.length;
  const N = o.particles ?? 24;
  const alpha = o.alpha ?? 0.5;
  const n0 = Math.max(N + 1, Math.round(N / alpha));
  const pAccMin = o.pAccMin ?? 0.05;
  const s0 = o.spread ?? 0.08;
  const generations: AbcGeneration[] = [];
  let evaluations = 0;
  if (o.budget < n0) return { particles: [], generations, evaluations };

  // Generation 0: importance sample around the centre.
  const rng0 = makeRng(o.seed, 'abc:0');
  const sd0 = new Array(n).fill(s0);
  const us0 = Array.from({ length: n0 }, () => truncatedStep(rng0, centre, sd0));
  // Only the N closest are kept: the others need no exact distance.
  const d0 = scored(await f(us0, { topK: N })).values;
  evaluations += n0;
  const local = (o.prior ?? 'local') === 'local';
  const logPrior = (u: readonly number[]) => (local ? logGauss(u, centre, sd0) : 0);
  let pop: Particle[] = us0.map((u, k) => ({ u, distance: d0[k], logw: local ? 0 : -logGauss(u, centre, sd0) }));
  pop = keepClosest(pop, N);
  let eps = pop[pop.length - 1].distance;
  report(0, 1);

  for (let t = 1; evaluations + (n0 - N) <= o.budget; t++) {
    const rng = makeRng(o.seed, `abc:${t}`);
    const ws = normalised(pop);
    const sd = Array.from({ length: n }, (_, i) => {
      const mean = pop.reduce((a, p, k) => a + ws[k] * p.u[i], 0);
      const v = pop.reduce((a, p, k) => a + ws[k] * (p.u[i] - mean) ** 2, 0);
      return Math.max(Math.sqrt(2 * v), 1e-4);
    });
    const fresh: number[][] = [];
    for (let k = 0; k < n0 - N; k++) fresh.push(truncatedStep(rng, pop[pickByWeight(rng, ws)].u, sd));
    // A new particle is kept only if closer than the current epsilon (the N-th distance).
    const d = scored(await f(fresh, { below: eps })).values;
    evaluations += fresh.length;
    const added: Particle[] = fresh.map((u, k) => {
      const terms = pop.map((p, j) => Math.log(ws[j]) + logGauss(u, p.u, sd));
      return { u, distance: d[k], logw: logPrior(u) - logSumExp(terms) };
    });
    const acceptance = added.filter((p) => p.distance < eps).length / added.length;
    pop = keepClosest([...pop, ...added], N);
    eps = pop[pop.length - 1].distance;
    report(t, acceptance);
    if (acceptance < pAccMin) break;
  }
  const wFinal = normalised(pop);
  return { particles: pop.map((p, k) => ({ u: p.u, distance: p.distance, weight: wFinal[k] })), generations, evaluations };

  function report(generation: number, acceptance: number) {
    const ds = pop.map((p) => p.distance);
    const w = normalised(pop);
    const ess = 1 / w.reduce((a, x) => a + x * x, 0);
    const g = { generation, evaluations, epsilon: eps, best: ds[0], median: ds[ds.length >> 1], acceptance, ess };
    generations.push(g);
    o.onGeneration?.(g);
  }
}

/** The N particles with the smallest distance (ties by original order), sorted by distance. */
function keepClosest(ps: Particle[], N: number): Particle[] {
  return ps
    .map((p, k) => ({ p, k }))
    .sort((a, b) => a.p.distance - b.p.distance || a.k - b.k)
    .slice(0, N)
    .map((x) => x.p);
}

function pickByWeight(rng: () => number, ws: readonly number[]): number {
  let u = rng();
  for (let k = 0; k < ws.length; k++) {
    u -= ws[k];
    if (u < 0) return k;
  }
  return ws.length - 1;
}

/** Weights normalised to sum 1 from log weights. */
function normalised(pop: readonly Particle[]): number[] {
  const m = Math.max(...pop.map((p) => p.logw));
  const e = pop.map((p) => Math.exp(p.logw - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}

/** A Gaussian step from `from`, redrawn (up to 100 times per coordinate) until inside [0, 1]. */
function truncatedStep(rng: () => number, from: readonly number[], sd: readonly number[]): number[] {
  return from.map((x, i) => {
    for (let tries = 0; tries < 100; tries++) {
      const y = x + sd[i] * normal(rng);
      if (y >= 0 && y <= 1) return y;
    }
    return Math.min(1, Math.max(0, x));
  });
}

/** Log of a product of normal densities (the constant 2 pi cancels in the weights). */
function logGauss(u: readonly number[], c: readonly number[], sd: readonly number[]): number {
  let q = 0;
  for (let i = 0; i < u.length; i++) q += 0.5 * ((u[i] - c[i]) / sd[i]) ** 2 + Math.log(sd[i]);
  return -q;
}
