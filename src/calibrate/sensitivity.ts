// Global sensitivity of every compared figure to every parameter (`exodus sensitivity`).
// - Morris elementary effects (default; Morris 1991, with mu* of Campolongo et al. 2007): r
//   trajectories through a 4-level grid of the prior (in prior-quantile space), each changing one
//   parameter at a time by 2/3 of its range; the effect of a step on a figure is the change of its
//   log10 value. mu* (mean absolute effect) ranks influence, sigma shows interactions or
//   non-linearity. Simulated: every trajectory point runs on every event with one seed (common
//   random numbers); a step in one event's own unknown reruns only that event.
// - Sobol indices (first order and total, Saltelli 2010 and Jansen 1999 estimators) with bootstrap
//   95% intervals, computed on the calibration's emulators (cheap; as good as the emulators are over
//   the prior), over the prior.
import type { LoadedScenario } from '../scenarios/load.ts';
import { makeRng } from '../model/rng.ts';
import type { Pool } from './pool.ts';
import { candidateRunner, eventSetups } from './calibrate.ts';
import { floorOf, predictEvent, toLog, type EventModel } from './emulate.ts';
import { priorQuantile, type Dim } from './space.ts';
import type { openCheckpoint } from './checkpoint.ts';

export interface SensitivityCell {
  event: string;
  figure: string;
  param: string;
  /** Morris: mean absolute and sd of the elementary effects (log10 per 2/3 of the prior range). */
  muStar?: number;
  sigma?: number;
  /** Sobol: first-order and total indices with 95% bootstrap intervals. */
  first?: number;
  firstLo?: number;
  firstHi?: number;
  total?: number;
  totalLo?: number;
  totalHi?: number;
}

export interface MorrisOptions {
  events: LoadedScenario[];
  dims: Dim[];
  agents: Record<string, number>;
  trajectories?: number;
  seed?: number;
  pool: Pool;
  checkpoint: ReturnType<typeof openCheckpoint>;
  onProgress?: (done: number, total: number) => void;
}

export const MORRIS_DEFAULTS = { trajectories: 8, levels: 4 } as const;

export async function morris(o: MorrisOptions): Promise<SensitivityCell[]> {
  const r = o.trajectories ?? MORRIS_DEFAULTS.trajectories;
  const p = MORRIS_DEFAULTS.levels;
  const delta = p / (2 * (p - 1));
  const seed = o.seed ?? 1;
  const rng = makeRng(seed, 'morris');
  const setups = eventSetups(o.events);
  const D = o.dims.length;
  // Trajectories in prior-quantile space, then mapped through each prior's quantile function.
  const paths: { q: number[][]; order: number[] }[] = [];
  for (let t = 0; t < r; t++) {
    const base = Array.from({ length: D }, () => Math.floor(rng() * (p / 2)) / (p - 1)); // 0 or 1/3: + delta stays in [0, 1]
    const order = Array.from({ length: D }, (_, i) => i);
    for (let i = D - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const q = [base.slice()];
    for (const d of order) {
      const next = q[q.length - 1].slice();
      next[d] = next[d] + delta <= 1 + 1e-9 ? next[d] + delta : next[d] - delta;
      q.push(next);
    }
    paths.push({ q, order });
  }
  const toU = (q: number[]) => q.map((x, i) => priorQuantile(o.dims[i], Math.min(1 - 1e-9, Math.max(1e-9, x))));
  const points = paths.flatMap((pt) => pt.q.map(toU));
  let done = 0;
  let chunk = 0;
  // Progress in points over all chunks (a chunk reports its own runs done of its own total).
  const runner = candidateRunner(setups, o.dims, o.agents, o.pool, o.checkpoint, { onBatch: (d, n) => o.onProgress?.(done + (n ? (d / n) * chunk : 0), points.length) });
  const values: number[][][] = [];
  const CHUNK = 24;
  for (let s = 0; s < points.length; s += CHUNK) {
    // One seed for every point: differences are the parameters', not chance's.
    const part = points.slice(s, s + CHUNK);
    chunk = part.length;
    values.push(...(await runner.run(part, part.map(() => seed))));
    done += part.length;
  }
  const cells: SensitivityCell[] = [];
  setups.forEach((su, e) => {
    su.targets.forEach((t, j) => {
      const floor = floorOf(t);
      const eff: number[][] = Array.from({ length: D }, () => []);
      let at = 0;
      for (const pt of paths) {
        for (let k = 0; k < D; k++) {
          const d = pt.order[k];
          const y0 = toLog(values[at + k][e][j], floor);
          const y1 = toLog(values[at + k + 1][e][j], floor);
          eff[d].push((y1 - y0) * Math.sign(pt.q[k + 1][d] - pt.q[k][d]));
        }
        at += D + 1;
      }
      o.dims.forEach((dim, d) => {
        if (dim.event && dim.event !== su.name) return; // another event's unknown cannot move this figure
        const xs = eff[d];
        const muStar = xs.reduce((a, x) => a + Math.abs(x), 0) / xs.length;
        const m = xs.reduce((a, x) => a + x, 0) / xs.length;
        const sigma = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
        cells.push({ event: su.name, figure: t.id, param: dim.key, muStar, sigma });
      });
    });
  });
  return cells;
}

export interface SobolOptions {
  models: EventModel[];
  dims: Dim[];
  /** Base sample size (default 2048). */
  n?: number;
  bootstrap?: number;
  seed?: number;
}

/** Sobol indices of every figure on the emulators, over the prior. */
export function sobolOnEmulator(o: SobolOptions): SensitivityCell[] {
  const N = o.n ?? 2048;
  const B = o.bootstrap ?? 100;
  const rng = makeRng(o.seed ?? 1, 'sobol');
  const draw = () => o.dims.map((d) => priorQuantile(d, rng()));
  const A = Array.from({ length: N }, draw);
  const Bm = Array.from({ length: N }, draw);
  const cells: SensitivityCell[] = [];
  for (const ev of o.models) {
    const inputs = ev.inputs;
    const m = ev.targets.length;
    const f = (u: number[]) => Float64Array.from(predictEvent(ev, u));
    const fA = A.map(f);
    const fB = Bm.map(f);
    for (const d of inputs) {
      const fAB = A.map((a, k) => {
        const x = a.slice();
        x[d] = Bm[k][d];
        return f(x);
      });
      for (let j = 0; j < m; j++) {
        const est = (idx: readonly number[]) => {
          let mean = 0;
          for (const k of idx) mean += (fA[k][j] + fB[k][j]) / (2 * idx.length);
          let v = 0;
          let s1 = 0;
          let st = 0;
          for (const k of idx) {
            v += ((fA[k][j] - mean) ** 2 + (fB[k][j] - mean) ** 2) / (2 * idx.length);
            s1 += (fB[k][j] * (fAB[k][j] - fA[k][j])) / idx.length;
            st += (fA[k][j] - fAB[k][j]) ** 2 / (2 * idx.length);
          }
          return v > 1e-12 ? { first: s1 / v, total: st / v } : { first: 0, total: 0 };
        };
        const all = Array.from({ length: N }, (_, k) => k);
        const point = est(all);
        const boots = Array.from({ length: B }, () => est(all.map(() => Math.floor(rng() * N))));
        const q = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.round(p * (xs.length - 1))))];
        cells.push({
          event: ev.event,
          figure: ev.targets[j].id,
          param: o.dims[d].key,
          first: point.first,
          firstLo: q(boots.map((b) => b.first), 0.025),
          firstHi: q(boots.map((b) => b.first), 0.975),
          total: point.total,
          totalLo: q(boots.map((b) => b.total), 0.025),
          totalHi: q(boots.map((b) => b.total), 0.975),
        });
      }
    }
  }
  return cells;
}
