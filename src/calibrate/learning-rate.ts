// The likelihood's learning rate: the posterior is prior x L^rate (generalised Bayes), with the rate
// chosen so that the calibration's own 90% intervals hold 90% of the true values in
// simulation-based calibration on its prior runs (the idea of Syring & Martin 2019, "Calibrating
// general posterior credible regions", with SBC in place of their bootstrap).
//
// Why a rate at all: the emulated likelihood multiplies the figures of an event as if their errors
// were independent, but the emulator's errors are strongly correlated across figures (the audiences
// of one panel move together, a sign-up count and a download count of the same day), so L^1 counts
// the same information several times and the posterior is too narrow (on the built-in events, 90%
// intervals held 63% of the true values). A rate below 1 counts the figures at what they are worth;
// it is 1 when the procedure is already calibrated, and it is chosen afresh by every calibration
// (every cross-validation fold), from that calibration's own runs: not a per-event knob.
//
// SBC here is the same procedure `exodus diagnose` runs: the prior runs split in two halves,
// emulators fitted on one half, each run of the other half playing the true world, its figures plus
// a reporting error drawn from the error model as the synthetic reported figures.
import { makeRng, normal } from '../model/rng.ts';
import { buildEventModels, floorOf, toLog, type BankRun, type EventModel, type EventSetupLike } from './emulate.ts';
import type { Target } from './errors.ts';
import type { Dim } from './space.ts';
import { sbc, type SbcResult } from './sbc.ts';
import { JOBS, type SbcPosteriorJob } from './jobs.ts';
import type { ComputePool } from './compute.ts';

/** 90% intervals should hold this share of the true values. */
export const TARGET_COVERAGE = 0.9;
/** Close enough (SBC's own noise at 100 truths is about this). */
const TOLERANCE = 0.02;
/** Rates searched: from 1 down to this. */
const MIN_RATE = 0.001;
/** Evaluations of SBC at most (each one SMC per truth). */
const MAX_TRIALS = 5;

export interface SbcSetup {
  truths: { run: BankRun; models: EventModel[]; synthetic: Target[][] }[];
  trainRuns: number;
}

/**
 * The truths of SBC from prior runs: two halves, each judged by emulators fitted on the other, with
 * synthetic reported figures (fixed here, so that every rate tried sees the same data).
 */
export async function sbcSetup(dims: readonly Dim[], setups: readonly EventSetupLike[], prior: readonly BankRun[], nTruth: number, seed: number, stream: string, compute?: ComputePool): Promise<SbcSetup> {
  const halves = [prior.filter((_, i) => i % 2 === 0), prior.filter((_, i) => i % 2 === 1)];
  // Both halves' emulators at once: their jobs share the compute threads.
  const models = await Promise.all(halves.map((h, k) => buildEventModels(dims, setups, h, seed + 50 + k, compute)));
  const rng = makeRng(seed, stream);
  const truths: SbcSetup['truths'] = [];
  for (let k = 0; truths.length < nTruth && k < prior.length; k++) {
    const half = k % 2;
    const run = halves[half][Math.floor(k / 2)];
    if (!run) break;
    const synthetic = setups.map((su, e) => su.targets.map((t, j) => syntheticTarget(t, run.values[e][j], rng)));
    truths.push({ run, models: models[1 - half], synthetic });
  }
  return { truths, trainRuns: halves[0].length };
}

/**
 * SBC of the posterior prior x L^rate on the truths of `setup`: one SMC per truth, each with its
 * own seed, on the compute threads if given (the same draws on any number of threads).
 */
export async function runSbc(dims: readonly Dim[], setup: SbcSetup, rate: number, o: { seed: number; particles: number; onTruth?: () => void; compute?: ComputePool }): Promise<SbcResult> {
  const jobs: SbcPosteriorJob[] = setup.truths.map((t, k) => ({ dims: dims as Dim[], models: t.models, synthetic: t.synthetic, rate, seed: o.seed + 100 + k, particles: o.particles }));
  const posteriors = o.compute
    ? await o.compute.map('sbcPosterior', jobs, { onDone: () => o.onTruth?.() })
    : jobs.map((j) => {
        const p = JOBS.sbcPosterior(j);
        o.onTruth?.();
        return p;
      });
  return sbc(
    setup.truths.map((t) => t.run.u),
    (k) => posteriors[k],
  );
}

export interface RateTrial {
  rate: number;
  coverage50: number;
  coverage90: number;
}

export interface LearningRate {
  rate: number;
  /** The rates tried and their SBC coverage, in the order tried. */
  trials: RateTrial[];
  truths: number;
}

/**
 * The largest rate whose SBC 90% coverage reaches the target: 1 if it already does, else found on
 * the log scale by interpolating the coverage between rates tried (it falls as the rate grows).
 */
export async function chooseLearningRate(dims: readonly Dim[], setups: readonly EventSetupLike[], prior: readonly BankRun[], o: { seed: number; truths?: number; particles?: number; onTrial?: (t: RateTrial) => void; compute?: ComputePool }): Promise<LearningRate> {
  const setup = await sbcSetup(dims, setups, prior, o.truths ?? 100, o.seed, 'learning-rate:errors', o.compute);
  if (setup.truths.length < 4) return { rate: 1, trials: [], truths: setup.truths.length };
  const trials: RateTrial[] = [];
  const at = async (rate: number) => {
    const r = await runSbc(dims, setup, rate, { seed: o.seed + 7000 * (trials.length + 1), particles: o.particles ?? 400, compute: o.compute });
    const t = { rate, coverage50: r.pooled50, coverage90: r.pooled90 };
    trials.push(t);
    o.onTrial?.(t);
    return t;
  };
  let hi = await at(1); // coverage too low here (or right)
  if (hi.coverage90 >= TARGET_COVERAGE - TOLERANCE) return { rate: 1, trials, truths: setup.truths.length };
  let lo: RateTrial | undefined; // a rate with enough coverage
  let next = 0.1;
  while (trials.length < MAX_TRIALS) {
    const t = await at(next);
    if (Math.abs(t.coverage90 - TARGET_COVERAGE) <= TOLERANCE) return { rate: t.rate, trials, truths: setup.truths.length };
    if (t.coverage90 > TARGET_COVERAGE) lo = t;
    else hi = t;
    if (!lo) {
      // Not enough coverage yet: go down by the slope so far (at least a factor of 3).
      next = Math.max(MIN_RATE, Math.min(t.rate / 3, extrapolate(trials)));
      if (t.rate <= MIN_RATE) break;
    } else next = interpolate(lo, hi);
  }
  // Out of trials: the interpolated crossing, or the smallest rate tried if none had enough coverage.
  const rate = lo ? interpolate(lo, hi) : Math.min(...trials.map((t) => t.rate));
  return { rate: round2(rate), trials, truths: setup.truths.length };
}

/** Where coverage crosses the target, linear in log rate between a rate above and one below it. */
function interpolate(lo: RateTrial, hi: RateTrial): number {
  const a = Math.log(lo.rate);
  const b = Math.log(hi.rate);
  const f = (lo.coverage90 - TARGET_COVERAGE) / Math.max(1e-9, lo.coverage90 - hi.coverage90);
  return round2(Math.exp(a + f * (b - a)));
}

/** The rate where the last two trials' line (coverage against log rate) reaches the target. */
function extrapolate(trials: readonly RateTrial[]): number {
  const [p, q] = trials.slice(-2);
  const slope = (q.coverage90 - p.coverage90) / (Math.log(q.rate) - Math.log(p.rate));
  if (!(slope < 0)) return q.rate / 10;
  return round2(Math.exp(Math.log(q.rate) + (TARGET_COVERAGE - q.coverage90) / slope));
}

const round2 = (x: number) => Number(x.toPrecision(2));

/** A figure as it might have been reported if the model's run were the world: plus a reporting error. */
function syntheticTarget(t: Target, value: number, rng: () => number): Target {
  let chi = 0;
  for (let d = 0; d < 5; d++) chi += normal(rng) ** 2;
  const e = (t.sd * normal(rng)) / Math.sqrt(chi / 5);
  return { id: t.id, value: 10 ** (toLog(value, floorOf(t)) + e), kind: t.kind, confidence: t.confidence, sd: t.sd };
}
