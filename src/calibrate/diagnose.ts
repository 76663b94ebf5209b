// Whether a calibration can be believed (`exodus diagnose`):
// - Simulation-based calibration of the whole procedure: runs from the prior (the first design
//   wave, simulated afresh where there are too few) play the true world; their figures plus a
//   reporting error drawn from the error model are synthetic "reported figures"; the posterior is
//   computed as calibrate computes it (emulators fitted to other prior runs, tempered SMC on the
//   emulated likelihood), and each true parameter is ranked among the posterior draws (sbc.ts).
//   The runs are split in two halves: emulators fitted on one half judge the truths of the other
//   (learning-rate.ts; the posterior is prior x likelihood^rate with the calibration's rate).
// - Identifiability: posterior sd against prior sd for every parameter (calibration's posterior).
// - Prior predictive: what the prior alone implies for every figure (5%..95% of the prior runs).
import type { LoadedScenario } from '../scenarios/load.ts';
import { makeRng, normal } from '../model/rng.ts';
import type { Pool } from './pool.ts';
import { candidateRunner, eventSetups, type EventSetup } from './calibrate.ts';
import type { BankRun } from './emulate.ts';
import { priorSample, priorSd, type Dim } from './space.ts';
import type { SbcResult } from './sbc.ts';
import { runSbc, sbcSetup } from './learning-rate.ts';
import type { openCheckpoint } from './checkpoint.ts';

export interface DiagnoseOptions {
  events: LoadedScenario[];
  dims: Dim[];
  /** The calibration's simulated candidates (design.csv); its first wave is from the prior. */
  bank: BankRun[];
  /** Posterior draws (unit coordinates), for identifiability. */
  posterior: number[][];
  agents: Record<string, number>;
  /** Synthetic draws for SBC (default 100). */
  draws?: number;
  seed?: number;
  /** SMC particles per synthetic posterior (default 500). */
  particles?: number;
  /** The calibration's learning rate (learning-rate.ts; default 1): SBC checks the posterior it samples. */
  learningRate?: number;
  pool: Pool;
  checkpoint: ReturnType<typeof openCheckpoint>;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface Identifiability {
  key: string;
  priorSd: number;
  posteriorSd: number;
  /** Posterior sd / prior sd (unit coordinates): near 0 pinned down, near 1 the prior's. */
  ratio: number;
  verdict: 'identified' | 'weakly identified' | 'not identified';
}

export interface PriorPredictive {
  event: string;
  id: string;
  reported: number;
  lo: number;
  median: number;
  hi: number;
  /** Whether the reported value lies in the prior's 90% predictive interval. */
  inside: boolean;
}

export interface DiagnoseResult {
  sbc: SbcResult & { keys: string[]; truths: number; trainRuns: number; learningRate: number };
  identifiability: Identifiability[];
  priorPredictive: PriorPredictive[];
}

export const DIAGNOSE_DEFAULTS = { draws: 100, particles: 500 } as const;

export async function diagnose(o: DiagnoseOptions): Promise<DiagnoseResult> {
  const seed = o.seed ?? 1;
  const nTruth = o.draws ?? DIAGNOSE_DEFAULTS.draws;
  const setups = eventSetups(o.events);
  const runner = candidateRunner(setups, o.dims, o.agents, o.pool, o.checkpoint, { onBatch: (d, n) => o.onProgress?.('simulating prior draws', d, n) });
  // Prior runs: the first wave, plus fresh prior draws until both halves have enough truths.
  const prior = o.bank.filter((b) => b.wave === 1);
  const need = Math.max(0, 2 * nTruth - prior.length);
  if (need > 0) {
    const us = priorSample(o.dims, need, makeRng(seed, 'diagnose:prior'));
    const seeds = us.map((_, k) => seed + 700_000 + k);
    const vals = await runner.run(us, seeds);
    us.forEach((u, k) => prior.push({ u, seed: seeds[k], wave: 1, values: vals[k] }));
  }
  const rate = o.learningRate ?? 1;
  const setup = await sbcSetup(o.dims, setups, prior, nTruth, seed, 'diagnose:errors');
  let done = 0;
  const result = await runSbc(o.dims, setup, rate, { seed, particles: o.particles ?? DIAGNOSE_DEFAULTS.particles, onTruth: () => o.onProgress?.('simulation-based calibration', ++done, setup.truths.length) });

  const identifiability = o.dims.map((d, i): Identifiability => {
    const xs = o.posterior.map((u) => u[i]);
    const m = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length));
    const p = priorSd(d);
    const ratio = sd / p;
    return { key: d.key, priorSd: p, posteriorSd: sd, ratio, verdict: ratio < 0.5 ? 'identified' : ratio < 0.8 ? 'weakly identified' : 'not identified' };
  });
  return {
    sbc: { ...result, keys: o.dims.map((d) => d.key), truths: setup.truths.length, trainRuns: setup.trainRuns, learningRate: rate },
    identifiability,
    priorPredictive: priorPredictive(setups, prior),
  };
}

function priorPredictive(setups: readonly EventSetup[], prior: readonly BankRun[]): PriorPredictive[] {
  return setups.flatMap((su, e) =>
    su.targets.map((t, j) => {
      const xs = prior.map((b) => b.values[e][j]).filter(Number.isFinite).sort((a, b) => a - b);
      const q = (p: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.round(p * (xs.length - 1))))];
      const lo = q(0.05);
      const hi = q(0.95);
      const inside = t.lo === undefined ? t.value >= lo && t.value <= hi : 10 ** t.lo <= hi && 10 ** (t.hi ?? Infinity) >= lo;
      return { event: su.name, id: t.id, reported: t.value, lo, median: q(0.5), hi, inside };
    }),
  );
}
