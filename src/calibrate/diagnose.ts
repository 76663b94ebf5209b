// Whether a calibration can be believed (`exodus diagnose`):
// - Simulation-based calibration of the whole procedure: runs from the prior (the first design
//   wave, simulated afresh where there are too few) play the true world; their figures plus a
//   reporting error drawn from the error model are synthetic "reported figures"; the posterior is
//   computed as calibrate computes it (emulators fitted to other prior runs, tempered SMC on the
//   emulated likelihood), and each true parameter is ranked among the posterior draws (sbc.ts).
//   The runs are split in two halves: emulators fitted on one half judge the truths of the other.
// - Identifiability: posterior sd against prior sd for every parameter (calibration's posterior).
// - Prior predictive: what the prior alone implies for every figure (5%..95% of the prior runs).
import type { LoadedScenario } from '../scenarios/load.ts';
import { makeRng, normal } from '../model/rng.ts';
import type { Pool } from './pool.ts';
import { candidateRunner, eventSetups, type EventSetup } from './calibrate.ts';
import { buildEventModels, floorOf, predictEvent, toLog, type BankRun, type EventModel } from './emulate.ts';
import { logLik, type Target } from './errors.ts';
import { priorSample, priorSd, type Dim } from './space.ts';
import { temperedSmc } from './smc.ts';
import { sbc, type SbcResult } from './sbc.ts';
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
  sbc: SbcResult & { keys: string[]; truths: number; trainRuns: number };
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
  const halves = [prior.filter((_, i) => i % 2 === 0), prior.filter((_, i) => i % 2 === 1)];
  const models = halves.map((h, k) => buildEventModels(o.dims, setups, h, seed + 50 + k));

  const truths: { run: BankRun; models: EventModel[] }[] = [];
  for (let k = 0; truths.length < nTruth && k < prior.length; k++) {
    const half = k % 2;
    truths.push({ run: halves[half][Math.floor(k / 2)], models: models[1 - half] });
  }
  const rng = makeRng(seed, 'diagnose:errors');
  let done = 0;
  const result = await sbc(
    truths.map((t) => t.run.u),
    (k) => {
      const { run, models: ms } = truths[k];
      const synthetic = setups.map((su, e) => su.targets.map((t, j) => syntheticTarget(t, run.values[e][j], rng)));
      const post = temperedSmc(o.dims, (u) => syntheticLogLik(ms, synthetic, u), { seed: seed + 100 + k, particles: o.particles ?? DIAGNOSE_DEFAULTS.particles, moves: 4 });
      o.onProgress?.('simulation-based calibration', ++done, truths.length);
      return post.particles;
    },
  );

  const identifiability = o.dims.map((d, i): Identifiability => {
    const xs = o.posterior.map((u) => u[i]);
    const m = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length));
    const p = priorSd(d);
    const ratio = sd / p;
    return { key: d.key, priorSd: p, posteriorSd: sd, ratio, verdict: ratio < 0.5 ? 'identified' : ratio < 0.8 ? 'weakly identified' : 'not identified' };
  });
  return {
    sbc: { ...result, keys: o.dims.map((d) => d.key), truths: truths.length, trainRuns: halves[0].length },
    identifiability,
    priorPredictive: priorPredictive(setups, prior),
  };
}

/** A figure as it might have been reported if the model's run were the world: plus a reporting error. */
function syntheticTarget(t: Target, value: number, rng: () => number): Target {
  let chi = 0;
  for (let d = 0; d < 5; d++) chi += normal(rng) ** 2;
  const e = (t.sd * normal(rng)) / Math.sqrt(chi / 5);
  return { id: t.id, value: 10 ** (toLog(value, floorOf(t)) + e), kind: t.kind, confidence: t.confidence, sd: t.sd };
}

function syntheticLogLik(models: readonly EventModel[], targets: readonly Target[][], u: number[]): number {
  let ll = 0;
  models.forEach((ev, e) => {
    const mu = predictEvent(ev, u);
    targets[e].forEach((t, j) => (ll += logLik(mu[j], ev.em.outputs[j].looVar, t)));
  });
  return ll;
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
