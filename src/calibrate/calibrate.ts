// Calibration: ONE set of behavioural parameters for all the events given, plus the few per-event
// unknowns the scenarios declare (each with its prior from the facts of its event).
//
// The target is the posterior p(theta | figures) with the likelihood of errors.ts: each reported
// figure is the model's value plus a reporting error whose size depends on what kind of figure it
// is. The simulator is too slow to evaluate that likelihood directly thousands of times, so the
// search is a sequence of design waves (history matching with an emulator):
//   wave 1: a Latin hypercube from the prior; every candidate runs once on every event (its own
//           seed, so the emulator sees the seed-to-seed spread);
//   then:   fit one Gaussian-process emulator per event (gp.ts) to every run so far, sample the
//           emulated posterior with tempered SMC (smc.ts), and run the next wave at draws from it;
//   last:   the final emulator's posterior: `draws` equally weighted draws (posterior.csv), and as
//           the central estimate the draw nearest the posterior mean (Mahalanobis distance), which
//           lies in the posterior's bulk by construction (params.json).
// The central estimate and a few posterior draws are then simulated again ("validation"): how far
// the simulator is from what the emulator predicted is reported, and these runs give the fit tables
// at calibration scale. Every run is checkpointed; an interrupted calibration resumes with --resume
// and ends where an uninterrupted one ends.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, type LoadedScenario } from '../scenarios/load.ts';
import { resolveRun } from '../api.ts';
import { PARAM_NAMES, defaultParams, type Params } from '../model/params.ts';
import { makeRng, normal } from '../model/rng.ts';
import type { GenerationRow } from '../charts/types.ts';
import { parseCsv, toCsv } from '../scenarios/csv.ts';
import { InputError } from '../scenarios/errors.ts';
import { createPool, defaultWorkers, type Pool } from './pool.ts';
import type { Task } from './task.ts';
import { createComputePool, defaultComputeThreads, type ComputePool } from './compute.ts';
import { comparedFigures } from './replicates.ts';
import { targetOf, logLik, log10Error, type Target } from './errors.ts';
import { buildSpace, candidateOf, priorSample, toUnit, type Candidate, type Dim, type SpaceOptions } from './space.ts';
import { buildEventModels, emulatedLogLik, floorOf, predictEvent, toLog, type BankRun, type EventModel } from './emulate.ts';
import { temperedSmc, type SmcStage } from './smc.ts';
import { chooseLearningRate, type LearningRate } from './learning-rate.ts';
import { checkpointFile, hashOf, openCheckpoint } from './checkpoint.ts';
import { posteriorCsv, type Particle } from './posterior.ts';
import type { Observation } from '../model/observe.ts';
import { calibrationAgents } from './resolution.ts';

export const DEFAULTS = {
  /** Candidate parameter sets simulated in all (each once on every event). */
  budget: 480,
  /** Design waves (the first from the prior, the others from the emulated posterior). */
  waves: 3,
  /** Share of the budget for the first (prior) wave. */
  firstShare: 0.5,
  seed: 1,
  /** SMC particles on the emulator. */
  particles: 2000,
  /** Posterior draws kept (posterior.csv). */
  draws: 1000,
  /** Validation: posterior draws simulated again at the end (plus the central estimate on as many seeds). */
  validate: 12,
  /** Agents per calibration run, unless given: see resolution.ts (calibrationAgents). */
  agents: undefined as number | undefined,
} as const;

/** The smallest budget that leaves every wave enough runs to fit an emulator to. */
export const MIN_BUDGET = 40;

export interface CalibrateOptions extends SpaceOptions {
  /** Built-in event names, scenario files, or loaded scenarios. */
  events: (string | LoadedScenario)[];
  budget?: number;
  waves?: number;
  seed?: number;
  /** Agents per run: one number for every event, or by event name ("*": the others). */
  agents?: number | Record<string, number>;
  particles?: number;
  draws?: number;
  validate?: number;
  /**
   * The likelihood's learning rate (posterior = prior x L^rate; learning-rate.ts). Default: chosen
   * by simulation-based calibration on the first wave's prior runs.
   */
  learningRate?: number;
  workers?: number;
  pool?: Pool;
  /**
   * Threads for fitting the emulators and for SBC (default: the machine's cores; results do not
   * depend on it), or a compute pool to use (left open).
   */
  computeThreads?: number;
  compute?: ComputePool;
  /** Continue from the checkpoint of a calibration with the same settings. */
  resume?: boolean;
  /** Folder of checkpoints (default .exodus). */
  checkpointDir?: string;
  onProgress?: (p: CalibrateProgress) => void;
  /** Stop (as if interrupted) once the current batch is done and saved. */
  signal?: AbortSignal;
  /** Tests: stop as if interrupted after this many batches that ran simulations. */
  stopAfterBatches?: number;
}

export interface CalibrateProgress {
  phase: 'design' | 'emulator' | 'learning rate' | 'posterior' | 'validation';
  wave: number;
  waves: number;
  /** Candidates simulated so far and the budget (validation runs not included). */
  candidates: number;
  budget: number;
  /** Runs done in the current batch, of its size. */
  batchDone: number;
  batchSize: number;
  /** Runs simulated so far (not counting those taken from the checkpoint). */
  simulated: number;
  /** Runs left, at most, including the current batch. */
  runsLeft: number;
  /** Best mean log-likelihood per figure among the runs so far. */
  best: number;
  /** A wave ended (for a log line). */
  waveDone?: boolean;
  message?: string;
}

export class CalibrationInterrupted extends Error {
  override name = 'CalibrationInterrupted';
  constructor(readonly checkpoint: string) {
    super(`calibration interrupted; finished runs are saved in ${checkpoint} (continue with --resume)`);
  }
}

export interface EventSetup {
  name: string;
  loaded: LoadedScenario;
  observations: Observation[];
  targets: Target[];
}

export interface WaveSummary {
  wave: number;
  runs: number;
  /** Mean log-likelihood per figure of the wave's simulated runs: best and median. */
  best: number;
  median: number;
  /** Tempered SMC on the emulator fitted after the wave. */
  smcStages: number;
  ess: number;
  unique: number;
}

export interface EmulatorCheck {
  event: string;
  /** Root mean squared error (log10) of the emulator's prediction of the validation runs. */
  rmse: number;
  /** Root mean leave-one-out error of its outputs (log10), as used in the likelihood. */
  loo: number;
}

export interface CalibrationResult {
  events: string[];
  dims: Dim[];
  /** The central estimate: the posterior draw nearest the posterior mean. */
  point: Candidate;
  /** Full parameter set of the central estimate (fitted values and defaults of the others). */
  params: Params;
  /** Equally weighted posterior draws. */
  posterior: Particle[];
  /** Unit coordinates of the posterior draws and of the central estimate. */
  posteriorUnit: number[][];
  pointUnit: number[];
  /** Mahalanobis distance of the central estimate from the posterior mean, and its quantile among the draws. */
  pointQuantile: number;
  /** Model values of each event's compared figures in the validation runs: the central estimate per seed, posterior draws. */
  predictive: Record<string, { point: number[][]; draws: number[][] }>;
  /** Log-likelihood per event of the validation runs of the central estimate (median over seeds). */
  eventLogLik: Record<string, number>;
  waves: WaveSummary[];
  generations: GenerationRow[];
  emulatorChecks: EmulatorCheck[];
  bank: BankRun[];
  settings: CalibrationSettings;
  candidates: number;
  simulated: number;
  fromCheckpoint: number;
  checkpoint: string;
  wallMs: number;
  /** The fitted emulators (for diagnostics; not written to disk). */
  models: EventModel[];
  setups: EventSetup[];
}

export interface CalibrationSettings {
  events: { name: string; hash: string }[];
  budget: number;
  waves: number;
  seed: number;
  /** Agents per run, by event. */
  agents: Record<string, number>;
  particles: number;
  draws: number;
  validate: number;
  fit: string[];
  /** The likelihood's learning rate used, and how it was chosen. */
  learningRate: LearningRate;
}

export function resolveEvents(events: (string | LoadedScenario)[]): LoadedScenario[] {
  return events.map((e) => (typeof e === 'string' ? loadScenario(e) : e));
}

export function eventSetups(loaded: readonly LoadedScenario[]): EventSetup[] {
  return loaded.map((l) => {
    const figs = comparedFigures(l);
    return { name: l.scenario.name, loaded: l, observations: figs.map((f) => f.obs), targets: figs.map((f) => targetOf(f.figure)) };
  });
}

/** Agents per event for calibration runs. */
export function agentsByEvent(loaded: readonly LoadedScenario[], agents: CalibrateOptions['agents']): Record<string, number> {
  return Object.fromEntries(
    loaded.map((l) => {
      const n = l.scenario.name;
      return [n, typeof agents === 'number' ? agents : (agents?.[n] ?? agents?.['*'] ?? DEFAULTS.agents ?? calibrationAgents(l))];
    }),
  );
}

/** Mean squared log10 error of a run's figures (0 inside ranges and bounds): what the fit chart shows by wave. */
export function runError(setups: readonly EventSetup[], values: readonly (readonly number[])[]): number {
  let s = 0;
  let n = 0;
  setups.forEach((su, e) => su.targets.forEach((t, j) => ((s += log10Error(values[e][j], t) ** 2), n++)));
  return n ? s / n : 0;
}

/** Mean log-likelihood per figure of simulated values (no emulator): the simulated fit of a run. */
export function simulatedFit(setups: readonly EventSetup[], values: readonly (readonly number[])[]): number {
  let ll = 0;
  let n = 0;
  setups.forEach((su, e) => {
    su.targets.forEach((t, j) => {
      ll += logLik(toLog(values[e][j], floorOf(t)), 0, t);
      n++;
    });
  });
  return n ? ll / n : 0;
}

/**
 * A runner of candidates: each (unit point, seed) on every event, through the pool, every run
 * checkpointed. Shared by calibrate, diagnose and sensitivity.
 */
export function candidateRunner(setups: readonly EventSetup[], dims: readonly Dim[], agents: Record<string, number>, pool: Pool, ck: ReturnType<typeof openCheckpoint>, hooks: { onBatch?: (done: number, size: number) => void; afterBatch?: () => void } = {}) {
  const keyOf = (c: Candidate, su: EventSetup, seed: number) => {
    const r = resolveRun(su.loaded, { useCalibrated: false, params: c.params, fitted: c.events[su.name] ?? {} });
    const key = hashOf([su.loaded.hash, seed, agents[su.name], PARAM_NAMES.map((n) => r.params[n]), r.fitted], 24);
    const task: Task = { scenario: r.scenario, hash: su.loaded.hash, params: r.params, seed, agents: agents[su.name], observations: su.observations };
    return { key, task };
  };
  let simulated = 0;
  return {
    get simulated() {
      return simulated;
    },
    /** Values per candidate, per event, per figure. */
    async run(us: readonly (readonly number[])[], seeds: readonly number[]): Promise<number[][][]> {
      const keys: string[][] = [];
      const tasks: Task[] = [];
      const taskKeys: string[] = [];
      const queued = new Set<string>();
      us.forEach((u, c) => {
        const cand = candidateOf(dims, u);
        keys.push(
          setups.map((su) => {
            const { key, task } = keyOf(cand, su, seeds[c]);
            if (!ck.get(key) && !queued.has(key)) {
              queued.add(key);
              tasks.push(task);
              taskKeys.push(key);
            }
            return key;
          }),
        );
      });
      if (tasks.length) {
        hooks.onBatch?.(0, tasks.length);
        const outs = await pool.run(tasks, (d, n) => hooks.onBatch?.(d, n));
        outs.forEach((out, t) => {
          if (out.kind !== 'values') throw new Error('expected values');
          ck.put(taskKeys[t], out.values);
        });
        ck.flush();
        simulated += tasks.length;
        hooks.afterBatch?.();
      }
      return keys.map((ks) => ks.map((k) => ck.get(k)!));
    },
  };
}

export async function calibrate(o: CalibrateOptions): Promise<CalibrationResult> {
  const wall0 = performance.now();
  const loaded = resolveEvents(o.events);
  if (loaded.length === 0) throw new Error('calibrate: no events');
  const setups = eventSetups(loaded);
  const dims = buildSpace(loaded, o);
  const budget = o.budget ?? DEFAULTS.budget;
  if (budget < MIN_BUDGET) throw new Error(`calibrate: a budget of at least ${MIN_BUDGET} candidates is needed, got ${budget}`);
  const W = Math.max(1, o.waves ?? DEFAULTS.waves);
  const seed = o.seed ?? DEFAULTS.seed;
  const agents = agentsByEvent(loaded, o.agents);
  const particles = o.particles ?? DEFAULTS.particles;
  const ndraws = o.draws ?? DEFAULTS.draws;
  const nvalidate = o.validate ?? DEFAULTS.validate;
  const settings: CalibrationSettings = {
    events: loaded.map((l) => ({ name: l.scenario.name, hash: l.hash })),
    budget,
    waves: W,
    seed,
    agents,
    particles,
    draws: ndraws,
    validate: nvalidate,
    fit: dims.map((d) => d.key),
    learningRate: { rate: o.learningRate ?? 1, trials: [], truths: 0 },
  };
  // Runs do not depend on the budget or the number of waves: a checkpoint can be resumed with more.
  const ckSettings = { events: settings.events, seed, agents, fit: settings.fit, priors: dims.map((d) => d.prior) };
  const ck = openCheckpoint(checkpointFile(o.checkpointDir ?? '.exodus', ckSettings), ckSettings, Boolean(o.resume));
  const pool = o.pool ?? createPool(o.workers ?? defaultWorkers());
  const compute = o.compute ?? createComputePool(o.computeThreads ?? defaultComputeThreads());
  // Its threads load their code while the first wave simulates, not when the first emulators are due.
  compute.warm();
  const runsPerCandidate = setups.length;

  let candidates = 0;
  let batches = 0;
  let wave = 0;
  let best = -Infinity;
  let phase: CalibrateProgress['phase'] = 'design';
  // Runs still to do: the design's candidates, then the validation's point and posterior draws.
  const validationRuns = 2 * nvalidate * runsPerCandidate;
  const runsLeft = (inBatch: number) =>
    Math.max(0, (phase === 'validation' ? 0 : (budget - candidates) * runsPerCandidate) + validationRuns - inBatch);
  const progress = (extra: Partial<CalibrateProgress> = {}) =>
    o.onProgress?.({ phase, wave, waves: W, candidates, budget, batchDone: 0, batchSize: 0, simulated: runner.simulated, runsLeft: runsLeft(0), best, ...extra });
  const runner = candidateRunner(setups, dims, agents, pool, ck, {
    onBatch: (d, n) => progress({ batchDone: d, batchSize: n, runsLeft: runsLeft(d) }),
    afterBatch: () => {
      batches++;
      if (o.signal?.aborted || (o.stopAfterBatches !== undefined && batches >= o.stopAfterBatches)) throw new CalibrationInterrupted(ck.file);
    },
  });

  const bank: BankRun[] = [];
  const waves: WaveSummary[] = [];
  const generations: GenerationRow[] = [];
  const sizes = waveSizes(budget, W, o.waves === 1 ? 1 : DEFAULTS.firstShare);
  try {
    let models: EventModel[] = [];
    let post: { particles: number[][]; ess: number; unique: number; stages: SmcStage[] } | undefined;
    const rng = makeRng(seed, 'design');
    for (wave = 1; wave <= W; wave++) {
      phase = 'design';
      const n = sizes[wave - 1];
      const us = wave === 1 || !post ? priorSample(dims, n, rng) : designFromPosterior(post.particles, n, rng);
      // Every candidate its own seed: the emulator learns the seed-to-seed spread from the runs.
      const seeds = us.map((_, k) => seed + 1000 * wave + k);
      const CHUNK = 40;
      for (let s = 0; s < us.length; s += CHUNK) {
        const part = us.slice(s, s + CHUNK);
        const vals = await runner.run(part, seeds.slice(s, s + CHUNK));
        part.forEach((u, k) => {
          bank.push({ u: u.slice(), seed: seeds[s + k], wave, values: vals[k] });
          best = Math.max(best, simulatedFit(setups, vals[k]));
        });
        candidates += part.length;
        progress();
      }
      phase = 'emulator';
      progress({ message: `fitting emulators to ${bank.length} runs` });
      models = await buildEventModels(dims, setups, bank, seed + wave, compute);
      if (wave === 1 && o.learningRate === undefined) {
        // How much the figures are worth together: SBC on the prior runs (learning-rate.ts).
        phase = 'learning rate';
        progress({ message: 'choosing the learning rate by SBC on the prior runs' });
        settings.learningRate = await chooseLearningRate(dims, setups, bank, {
          seed,
          compute,
          onTrial: (t) => progress({ message: `learning rate ${t.rate}: SBC 90% intervals hold ${Math.round(100 * t.coverage90)}% of the true values` }),
        });
      }
      const rate = settings.learningRate.rate;
      phase = 'posterior';
      progress({ message: 'sampling the emulated posterior' });
      post = temperedSmc(dims, (u) => rate * emulatedLogLik(models, u), { seed: seed + wave, particles });
      const fits = bank.filter((b) => b.wave === wave).map((b) => simulatedFit(setups, b.values)).sort((a, b) => b - a);
      const ws: WaveSummary = { wave, runs: n, best: fits[0], median: fits[fits.length >> 1], smcStages: post.stages.length, ess: post.ess, unique: post.unique };
      waves.push(ws);
      const errs = bank.filter((b) => b.wave === wave).map((b) => runError(setups, b.values)).sort((a, b) => a - b);
      generations.push({ generation: wave, phase: wave === 1 ? 'from the prior' : 'from the posterior', best_loss: errs[0], median_loss: errs[errs.length >> 1] });
      progress({ waveDone: true });
    }
    if (!post) throw new Error('calibrate: no waves');

    // Posterior draws and the central estimate.
    const draws = thin(post.particles, ndraws);
    const { index: ci, quantile } = centralDraw(draws);
    const pointUnit = draws[ci];
    const point = candidateOf(dims, pointUnit);

    // Validation: the central estimate on several seeds, and posterior draws, simulated again.
    phase = 'validation';
    const vDraws = thin(draws, nvalidate);
    const vUs = [...Array.from({ length: nvalidate }, () => pointUnit), ...vDraws];
    const vSeeds = vUs.map((_, k) => seed + 900_000 + k);
    const vVals = await runner.run(vUs, vSeeds);
    const pointVals = vVals.slice(0, nvalidate);
    const drawVals = vVals.slice(nvalidate);
    const emulatorChecks: EmulatorCheck[] = models.map((ev, e) => {
      let se = 0;
      let cnt = 0;
      vUs.forEach((u, k) => {
        const mu = predictEvent(ev, u);
        ev.targets.forEach((t, j) => {
          se += (mu[j] - toLog(vVals[k][e][j], floorOf(t))) ** 2;
          cnt++;
        });
      });
      const loo = ev.em.outputs.reduce((a, x) => a + x.looVar, 0) / Math.max(1, ev.em.outputs.length);
      return { event: ev.event, rmse: Math.sqrt(se / Math.max(1, cnt)), loo: Math.sqrt(loo) };
    });
    const eventLogLik = Object.fromEntries(
      setups.map((su, e) => {
        const lls = pointVals.map((v) => su.targets.reduce((a, t, j) => a + logLik(toLog(v[e][j], floorOf(t)), 0, t), 0)).sort((a, b) => a - b);
        return [su.name, lls[lls.length >> 1]];
      }),
    );
    const predictive = Object.fromEntries(setups.map((su, e) => [su.name, { point: pointVals.map((v) => v[e]), draws: drawVals.map((v) => v[e]) }]));
    return {
      events: setups.map((s) => s.name),
      dims,
      point,
      params: { ...defaultParams(), ...point.params } as Params,
      posterior: draws.map((u) => {
        const c = candidateOf(dims, u);
        return { params: c.params, events: c.events, weight: 1 / draws.length };
      }),
      posteriorUnit: draws,
      pointUnit,
      pointQuantile: quantile,
      predictive,
      eventLogLik,
      waves,
      generations,
      emulatorChecks,
      bank,
      settings,
      candidates,
      simulated: runner.simulated,
      fromCheckpoint: ck.resumed,
      checkpoint: ck.file,
      wallMs: performance.now() - wall0,
      models,
      setups,
    };
  } finally {
    ck.flush();
    if (!o.pool) await pool.close();
    if (!o.compute) await compute.close();
  }
}

/** Candidates per wave: the first takes `firstShare` of the budget, the others share the rest. */
export function waveSizes(budget: number, W: number, firstShare: number): number[] {
  if (W === 1) return [budget];
  const first = Math.round(budget * firstShare);
  const rest = budget - first;
  return [first, ...Array.from({ length: W - 1 }, (_, k) => Math.floor(rest / (W - 1)) + (k < rest % (W - 1) ? 1 : 0))];
}

/**
 * The next wave's candidates from the emulated posterior: distinct particles, a quarter of them
 * moved outwards (twice the posterior's spread) so the emulator also learns the edges.
 */
function designFromPosterior(ps: readonly number[][], n: number, rng: () => number): number[][] {
  const D = ps[0].length;
  const mean = new Float64Array(D);
  const sd = new Float64Array(D);
  for (const u of ps) for (let a = 0; a < D; a++) mean[a] += u[a] / ps.length;
  for (const u of ps) for (let a = 0; a < D; a++) sd[a] += (u[a] - mean[a]) ** 2 / ps.length;
  for (let a = 0; a < D; a++) sd[a] = Math.sqrt(sd[a]);
  const distinct = [...new Map(ps.map((u) => [u.join(','), u])).values()];
  const out: number[][] = [];
  for (let k = 0; k < n; k++) {
    const u = distinct[Math.floor(rng() * distinct.length)].slice();
    if (k % 4 === 3) for (let a = 0; a < D; a++) u[a] = Math.min(1, Math.max(0, u[a] + 2 * sd[a] * normal(rng)));
    out.push(u);
  }
  return out;
}

/** n items spread evenly over a sample. */
export function thin<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return xs.slice();
  return Array.from({ length: n }, (_, k) => xs[Math.floor(((k + 0.5) * xs.length) / n)]);
}

/**
 * The draw nearest the posterior mean in Mahalanobis distance, and the share of draws that are
 * nearer the mean than it (its quantile: below 0.5 means inside the posterior's 50% region).
 */
export function centralDraw(draws: readonly number[][]): { index: number; quantile: number } {
  const D = draws[0].length;
  const N = draws.length;
  const mean = new Float64Array(D);
  for (const u of draws) for (let a = 0; a < D; a++) mean[a] += u[a] / N;
  // Diagonal-plus-ridge precision keeps this stable when draws are few beside the dimensions.
  const v = new Float64Array(D);
  for (const u of draws) for (let a = 0; a < D; a++) v[a] += (u[a] - mean[a]) ** 2 / N;
  const dist = draws.map((u) => {
    let q = 0;
    for (let a = 0; a < D; a++) q += (u[a] - mean[a]) ** 2 / (v[a] + 1e-9);
    return q;
  });
  let index = 0;
  for (let k = 1; k < N; k++) if (dist[k] < dist[index]) index = k;
  const quantile = dist.filter((x) => x < dist[index]).length / N;
  return { index, quantile };
}

const r6 = (v: number) => Number(v.toPrecision(6));

/** The shipped parameter file: the central estimate, per-event values and the settings. */
export function paramFileJson(r: CalibrationResult) {
  return {
    params: r.params,
    events: r.point.events,
    estimate: 'posterior draw nearest the posterior mean (Mahalanobis); the posterior draws are in posterior.csv',
    fitted: r.settings.fit,
    eventLogLik: Object.fromEntries(Object.entries(r.eventLogLik).map(([k, v]) => [k, r6(v)])),
    budget: r.settings.budget,
    waves: r.settings.waves,
    seed: r.settings.seed,
    agents: r.settings.agents,
    calibratedOn: r.settings.events,
    learningRate: r.settings.learningRate.rate,
    learningRateTrials: r.settings.learningRate.trials.map((t) => ({ rate: t.rate, sbcCoverage50: r6(t.coverage50), sbcCoverage90: r6(t.coverage90) })),
    method: 'Bayesian calibration with a Gaussian-process emulator per event (design waves from the prior, then from the emulated posterior), tempered SMC on the emulated likelihood raised to a learning rate chosen by simulation-based calibration on the prior runs (src/calibrate/learning-rate.ts); likelihood: Student-t(5) reporting error on log10 figures, scale by kind of figure and confidence (src/calibrate/errors.ts)',
  };
}

export function generationsCsv(rows: readonly GenerationRow[]): string {
  return toCsv(['generation', 'phase', 'best_loss', 'median_loss', 'epsilon'], rows.map((g) => [g.generation, g.phase, r6(g.best_loss), r6(g.median_loss), g.epsilon === undefined ? '' : r6(g.epsilon)]));
}

/** The bank of simulated candidates: wave, seed, natural parameter values, then every figure's value. */
export function designCsv(r: CalibrationResult): string {
  const figCols = r.setups.flatMap((su) => su.targets.map((t) => `${su.name}:${t.id}`));
  return toCsv(
    ['wave', 'seed', ...r.dims.map((d) => d.key), ...figCols],
    r.bank.map((b) => {
      const c = candidateOf(r.dims, b.u);
      return [b.wave, b.seed, ...r.dims.map((d) => (d.event ? c.events[d.event][d.name] : c.params[d.name])), ...b.values.flatMap((v) => v.map((x) => r6(x)))];
    }),
  );
}

/** Read a design.csv back into a bank of runs (unit coordinates of the given dimensions). */
export function readDesign(text: string, dims: readonly Dim[], setups: readonly EventSetup[], file = 'design.csv'): BankRun[] {
  const rows = parseCsv(text);
  const head = rows[0] ?? [];
  const col = (name: string) => {
    const i = head.indexOf(name);
    if (i < 0) throw new InputError(file, 'header', `expected a column "${name}" (the calibration's events and parameters must match the design)`);
    return i;
  };
  const wc = col('wave');
  const sc = col('seed');
  const dc = dims.map((d) => col(d.key));
  const fc = setups.map((su) => su.targets.map((t) => col(`${su.name}:${t.id}`)));
  return rows.slice(1).filter((r) => r.length > 1).map((r) => ({
    wave: Number(r[wc]),
    seed: Number(r[sc]),
    u: dims.map((d, i) => toUnit(d, Number(r[dc[i]]))),
    values: fc.map((cols) => cols.map((c) => Number(r[c]))),
  }));
}

/** Write params.json, posterior.csv, generations.csv, design.csv (and the given extra files) into dir. */
export function writeCalibration(dir: string, r: CalibrationResult, extra: Record<string, string> = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {
    'params.json': JSON.stringify(paramFileJson(r), null, 2) + '\n',
    'posterior.csv': posteriorCsv(r.posterior),
    'generations.csv': generationsCsv(r.generations),
    'design.csv': designCsv(r),
    ...extra,
  };
  for (const [name, text] of Object.entries(files)) {
    const tmp = join(dir, `.${name}.partial-${process.pid}`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(dir, name));
  }
  return Object.keys(files);
}
