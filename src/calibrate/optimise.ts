// Derivative-free point estimate: CMA-ES (Hansen's (mu/mu_w, lambda)-CMA-ES, as in the
// tutorial "The CMA Evolution Strategy", 2016) in the unit cube. Points outside the cube are
// evaluated at the nearest point inside plus a quadratic penalty on the distance. All draws come
// from generators seeded by (seed, restart, generation), so a run is a pure function of its inputs
// and of the objective: replaying it with cached evaluations reproduces it exactly.
import { makeRng, normal } from '../model/rng.ts';
import { symEig } from './linalg.ts';

/**
 * What the caller of an objective needs: exact values only for the points that can be among the
 * topK smallest, or that are below a threshold; others may come back as lower bounds (exact:
 * false). An objective may ignore it and return exact values for all.
 */
export interface Need {
  topK?: number;
  below?: number;
}

export interface Scored {
  values: number[];
  exact: boolean[];
}

/** Loss of a batch of points of the unit cube (evaluated in parallel by the caller). */
export type BatchObjective = (us: number[][], need?: Need) => Promise<number[] | Scored>;

export function scored(r: number[] | Scored): Scored {
  return Array.isArray(r) ? { values: r, exact: r.map(() => true) } : r;
}

export interface OptimiseOptions {
  seed: number;
  /** Maximum number of evaluations. */
  budget: number;
  /** Initial step size in the unit cube (default 0.2). */
  sigma0?: number;
  /** Population size (default 4 + floor(3 ln n), at most 10: small budgets gain from more generations). */
  lambda?: number;
  onGeneration?: (g: OptimiserGeneration) => void;
}

export interface OptimiserGeneration {
  generation: number;
  evaluations: number;
  best: number;
  median: number;
  sigma: number;
}

export interface OptimiseResult {
  best: number[];
  bestLoss: number;
  evaluations: number;
  generations: OptimiserGeneration[];
}

const PENALTY = 1;

export async function cmaes(f: BatchObjective, x0: readonly number[], o: OptimiseOptions): Promise<OptimiseResult> {
  const n = x0.length;
  const lambda = o.lambda ?? Math.min(10, 4 + Math.floor(3 * Math.log(n)));
  const mu = Math.floor(lambda / 2);
  const wRaw = Array.from({ length: mu }, (_, i) => Math.log(mu + 0.5) - Math.log(i + 1));
  const wSum = wRaw.reduce((a, b) => a + b, 0);
  const w = wRaw.map((x) => x / wSum);
  const mueff = 1 / w.reduce((a, b) => a + b * b, 0);
  const cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n);
  const cs = (mueff + 2) / (n + mueff + 5);
  const c1 = 2 / ((n + 1.3) ** 2 + mueff);
  const cmu = Math.min(1 - c1, (2 * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + mueff));
  const damps = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs;
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const sigma0 = o.sigma0 ?? 0.2;

  let best = x0.slice();
  let bestLoss = Infinity;
  let evaluations = 0;
  const generations: OptimiserGeneration[] = [];
  let gen = 0;

  for (let restart = 0; evaluations + lambda <= o.budget; restart++) {
    let m = restart === 0 ? x0.slice() : best.slice();
    let sigma = restart === 0 ? sigma0 : sigma0 / 2 ** Math.min(restart, 3);
    let C = identity(n);
    let B = identity(n);
    let D = new Array(n).fill(1);
    let pc = new Array(n).fill(0);
    let ps = new Array(n).fill(0);
    let stall = 0;
    for (let g = 0; evaluations + lambda <= o.budget; g++, gen++) {
      const rng = makeRng(o.seed, `cmaes:${restart}:${g}`);
      const xs: number[][] = [];
      for (let k = 0; k < lambda; k++) {
        const z = Array.from({ length: n }, () => normal(rng));
        const y = matVec(B, z.map((zi, i) => D[i] * zi));
        xs.push(m.map((mi, i) => mi + sigma * y[i]));
      }
      const inside = xs.map((x) => x.map((xi) => Math.min(1, Math.max(0, xi))));
      const res = scored(await f(inside, { topK: mu }));
      const raw = res.values;
      evaluations += lambda;
      const fit = raw.map((l, k) => l + PENALTY * xs[k].reduce((a, xi, i) => a + (xi - inside[k][i]) ** 2, 0));
      for (let k = 0; k < lambda; k++) {
        if (res.exact[k] && raw[k] < bestLoss) {
          bestLoss = raw[k];
          best = inside[k];
        }
      }
      const order = fit.map((_, k) => k).sort((a, b) => fit[a] - fit[b] || a - b);
      const sorted = raw.slice().sort((a, b) => a - b);
      const info = { generation: gen, evaluations, best: bestLoss, median: sorted[lambda >> 1], sigma };
      generations.push(info);
      o.onGeneration?.(info);

      // Update mean, evolution paths, covariance and step size.
      const mOld = m;
      m = new Array(n).fill(0);
      for (let i = 0; i < mu; i++) for (let j = 0; j < n; j++) m[j] += w[i] * xs[order[i]][j];
      const yw = m.map((mj, j) => (mj - mOld[j]) / sigma);
      // C^(-1/2) yw = B D^-1 B^T yw
      const bt = matTVec(B, yw).map((x, i) => x / D[i]);
      const invSqrtYw = matVec(B, bt);
      ps = ps.map((p, j) => (1 - cs) * p + Math.sqrt(cs * (2 - cs) * mueff) * invSqrtYw[j]);
      const psNorm = Math.hypot(...ps);
      const hsig = psNorm / Math.sqrt(1 - (1 - cs) ** (2 * (g + 1))) / chiN < 1.4 + 2 / (n + 1) ? 1 : 0;
      pc = pc.map((p, j) => (1 - cc) * p + hsig * Math.sqrt(cc * (2 - cc) * mueff) * yw[j]);
      const ys = order.slice(0, mu).map((k) => xs[k].map((x, j) => (x - mOld[j]) / sigma));
      const C2 = identity(n);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b <= a; b++) {
          let rankMu = 0;
          for (let i = 0; i < mu; i++) rankMu += w[i] * ys[i][a] * ys[i][b];
          const v = (1 - c1 - cmu) * C[a][b] + c1 * (pc[a] * pc[b] + (1 - hsig) * cc * (2 - cc) * C[a][b]) + cmu * rankMu;
          C2[a][b] = v;
          C2[b][a] = v;
        }
      }
      C = C2;
      sigma *= Math.exp((cs / damps) * (psNorm / chiN - 1));
      sigma = Math.min(sigma, 1);
      m = m.map((x) => Math.min(1, Math.max(0, x)));
      const eig = symEig(C);
      B = eig.vectors;
      D = eig.values.map((v) => Math.sqrt(Math.max(v, 1e-20)));

      stall = sorted[0] >= sorted[lambda - 1] - 1e-12 ? stall + 1 : 0;
      if (sigma * Math.max(...D) < 1e-3 || stall >= 3) break; // converged or flat: restart from the best
    }
  }
  return { best, bestLoss, evaluations, generations };
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

function matVec(M: number[][], v: number[]): number[] {
  return M.map((row) => row.reduce((a, x, j) => a + x * v[j], 0));
}

function matTVec(M: number[][], v: number[]): number[] {
  const n = v.length;
  const out = new Array(n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j] += M[i][j] * v[i];
  return out;
}
