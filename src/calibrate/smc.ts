// Posterior sampling on a cheap log-likelihood (the emulator's): sequential Monte Carlo with
// likelihood tempering (Del Moral, Doucet & Jasra 2006). Particles start as prior draws; the
// likelihood is switched on in steps pi_b(u) ~ prior(u) L(u)^b, each step as large as keeps the
// effective sample size at half the particles; after each step the particles are resampled and
// moved by random-walk Metropolis steps whose proposal covariance is the particles' own. With
// b = 1 they are draws from the posterior. Deterministic for a given seed.
import { makeRng, normal } from '../model/rng.ts';
import { logPrior, priorDraw, type Dim } from './space.ts';
import { cholesky } from './gp.ts';

export interface SmcOptions {
  seed: number;
  /** Number of particles (default 2000). */
  particles?: number;
  /** Metropolis moves per tempering step (default 6). */
  moves?: number;
  /** Target effective sample size per step, as a share of the particles (default 0.5). */
  essShare?: number;
  onStage?: (s: SmcStage) => void;
}

export interface SmcStage {
  stage: number;
  temperature: number;
  ess: number;
  acceptance: number;
}

export interface SmcResult {
  /** Equally weighted posterior draws (unit cube). */
  particles: number[][];
  logLik: number[];
  stages: SmcStage[];
  /** Effective sample size of the last reweighting (before its resampling). */
  ess: number;
  /** Distinct particles in the final sample. */
  unique: number;
}

export function temperedSmc(dims: readonly Dim[], logLik: (u: number[]) => number, o: SmcOptions): SmcResult {
  const N = o.particles ?? 2000;
  const moves = o.moves ?? 6;
  const essShare = o.essShare ?? 0.5;
  const D = dims.length;
  const rng = makeRng(o.seed, 'smc');
  let us = Array.from({ length: N }, () => priorDraw(dims, rng));
  let ll = us.map((u) => logLik(u));
  let lp = us.map((u) => logPrior(dims, u));
  let beta = 0;
  const stages: SmcStage[] = [];
  let lastEss = N;
  let scale = 2.38 / Math.sqrt(D);
  for (let stage = 1; beta < 1 && stage <= 200; stage++) {
    // The next temperature: the largest step that keeps the ESS at essShare * N.
    const essAt = (b: number) => {
      const lw = ll.map((x) => (b - beta) * (Number.isFinite(x) ? x : -1e300));
      const m = Math.max(...lw);
      let s = 0;
      let s2 = 0;
      for (const x of lw) {
        const w = Math.exp(x - m);
        s += w;
        s2 += w * w;
      }
      return (s * s) / s2;
    };
    let next = 1;
    if (essAt(1) < essShare * N) {
      let lo = beta;
      let hi = 1;
      for (let k = 0; k < 50; k++) {
        const mid = (lo + hi) / 2;
        if (essAt(mid) < essShare * N) hi = mid;
        else lo = mid;
      }
      next = Math.max(lo, beta + 1e-6);
    }
    lastEss = essAt(next);
    const lw = ll.map((x) => (next - beta) * (Number.isFinite(x) ? x : -1e300));
    const m = Math.max(...lw);
    const w = lw.map((x) => Math.exp(x - m));
    const idx = systematic(w, N, rng());
    us = idx.map((i) => us[i].slice());
    ll = idx.map((i) => ll[i]);
    lp = idx.map((i) => lp[i]);
    beta = next;

    // Move: random-walk Metropolis with the particles' covariance.
    const L = covarianceFactor(us, D);
    let accepted = 0;
    for (let mv = 0; mv < moves; mv++) {
      let acc = 0;
      for (let p = 0; p < N; p++) {
        const z = Array.from({ length: D }, () => normal(rng));
        const prop = us[p].slice();
        for (let a = 0; a < D; a++) {
          let s = 0;
          for (let b = 0; b <= a; b++) s += L[a * D + b] * z[b];
          prop[a] += scale * s;
        }
        const lpp = logPrior(dims, prop);
        if (lpp === -Infinity) continue;
        const llp = logLik(prop);
        const logA = lpp + beta * llp - (lp[p] + beta * ll[p]);
        if (Math.log(rng()) < logA) {
          us[p] = prop;
          ll[p] = llp;
          lp[p] = lpp;
          acc++;
        }
      }
      const rate = acc / N;
      accepted += rate;
      // Keep the acceptance rate near a quarter.
      scale *= rate > 0.3 ? 1.15 : rate < 0.15 ? 0.8 : 1;
    }
    const s = { stage, temperature: beta, ess: lastEss, acceptance: accepted / moves };
    stages.push(s);
    o.onStage?.(s);
  }
  const unique = new Set(us.map((u) => u.join(','))).size;
  return { particles: us, logLik: ll, stages, ess: lastEss, unique };
}

/** Systematic resampling: n indices by weight with one uniform offset. */
function systematic(w: readonly number[], n: number, u0: number): number[] {
  const total = w.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let cum = w[0];
  let i = 0;
  for (let k = 0; k < n; k++) {
    const u = ((k + u0) / n) * total;
    while (cum < u && i < w.length - 1) cum += w[++i];
    out.push(i);
  }
  return out;
}

/** Lower Cholesky factor of the particles' covariance (with a small ridge). */
function covarianceFactor(us: readonly number[][], D: number): Float64Array {
  const N = us.length;
  const mean = new Float64Array(D);
  for (const u of us) for (let a = 0; a < D; a++) mean[a] += u[a] / N;
  const C = new Float64Array(D * D);
  for (const u of us) for (let a = 0; a < D; a++) for (let b = 0; b <= a; b++) C[a * D + b] += ((u[a] - mean[a]) * (u[b] - mean[b])) / N;
  for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) C[b * D + a] = C[a * D + b];
  for (let a = 0; a < D; a++) C[a * D + a] += 1e-6;
  if (!cholesky(C, D)) {
    const I = new Float64Array(D * D);
    for (let a = 0; a < D; a++) I[a * D + a] = 0.01;
    return I;
  }
  return C;
}
