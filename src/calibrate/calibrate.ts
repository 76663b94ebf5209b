// Calibration: ONE set of behavioural parameters for all the events given, plus the few per-event
// unknowns the scenarios declare. CMA-ES finds the point estimate, ABC-SMC (APMC) then gives a
// weighted posterior sample around it. Every candidate is run on every event with the same seeds
// (common random numbers); runs go to worker threads and are checkpointed after every batch.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, type LoadedScenario } from '../scenarios/load.ts';
import { resolveRun } from '../api.ts';
import { PARAM_NAMES, defaultParams, type Params } from '../model/params.ts';
import type { GenerationRow } from '../charts/types.ts';
import { toCsv } from '../scenarios/csv.ts';
import { createPool, defaultWorkers, type Pool } from './pool.ts';
import type { Task } from './task.ts';
import { comparedFigures } from './replicates.ts';
import { eventLoss, median, reportedOf, totalLoss, type Reported } from './loss.ts';
import { buildSpace, candidateOf, startUnit, type Candidate, type Dim, type SpaceOptions } from './space.ts';
import { cmaes, type Need, type Scored } from './optimise.ts';
import { abcSmc } from './abc.ts';
import { checkpointFile, hashOf, openCheckpoint, type Checkpoint } from './checkpoint.ts';
import { posteriorCsv, resampleDraws, type Particle } from './posterior.ts';
import type { Observation } from '../model/observe.ts';
import { calibrationAgents } from './resolution.ts';
import { stepPlan } from '../model/engine.ts';
import { compileScenario } from '../scenarios/compile.ts';

export const DEFAULTS = {
  /** Candidate parameter sets evaluated in all (each on every event and seed). */
  budget: 120,
  /** Seeds per candidate. */
  seeds: 2,
  seed: 1,
  /** Agents per calibration run, unless given: see resolution.ts (calibrationAgents). */
  agents: undefined as number | undefined,
  /** Share of the budget for the ABC posterior (the rest goes to the optimiser). */
  abcShare: 0.45,
  particles: 12,
  /** Warm-up evaluations per event (its own unknowns only, on that event alone). */
  warmup: 21,
} as const;

/** Posterior draws in the fit tables written by a calibration. */
const PREDICTIVE_DRAWS = 20;
/** Racing: the cheap events first, up to this share of the cost of a candidate. */
const RACE_FIRST_SHARE = 0.4;
/** Racing: candidates completed per batch while the threshold is not yet known. */
const RACE_CHUNK = 4;

export interface CalibrateOptions extends SpaceOptions {
  /** Built-in event names, scenario files, or loaded scenarios. */
  events: (string | LoadedScenario)[];
  budget?: number;
  seeds?: number;
  seed?: number;
  /**
   * Agents per run: one number for every event, or by event name (others: the default), default
   * calibrationAgents(scenario): enough agents to resolve every compared figure. "*" by name: the
   * number for events not named.
   */
  agents?: number | Record<string, number>;
  abcShare?: number;
  particles?: number;
  warmup?: number;
  workers?: number;
  pool?: Pool;
  /**
   * Skip the expensive events for candidates the search would drop anyway (default true; the
   * result is the same either way, only faster).
   */
  race?: boolean;
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
  phase: 'warmup' | 'optimiser' | 'abc';
  generation: number;
  bestLoss: number;
  /** Candidates evaluated and the budget. */
  candidates: number;
  budget: number;
  /** Candidates in the current batch. */
  batchCandidates: number;
  /** Runs done in the current batch, of its size. */
  batchDone: number;
  batchSize: number;
  /** Runs simulated so far (not counting those taken from the checkpoint). */
  simulated: number;
  /** Runs left, at most, including the current batch. */
  runsLeft: number;
  /** A generation ended (for a log line). */
  generationDone?: boolean;
}

export class CalibrationInterrupted extends Error {
  override name = 'CalibrationInterrupted';
  constructor(readonly checkpoint: string) {
    super(`calibration interrupted; finished runs are saved in ${checkpoint} (continue with --resume)`);
  }
}

interface EventSetup {
  loaded: LoadedScenario;
  observations: Observation[];
  reported: Reported[];
}

export interface Evaluation {
  candidate: Candidate;
  loss: number;
  eventLosses: number[];
}

export interface CalibrationResult {
  events: string[];
  dims: Dim[];
  point: Candidate;
  /** Full parameter set of the point estimate (fitted values and defaults of the others). */
  params: Params;
  loss: number;
  eventLoss: Record<string, number>;
  posterior: Particle[];
  /**
   * Model values of each event's compared figures from the calibration's own runs (its agents and
   * seeds): the point estimate per seed, and posterior draws: predictive[event].point[seed][figure].
   */
  predictive: Record<string, { point: number[][]; draws: number[][] }>;
  generations: GenerationRow[];
  settings: CalibrationSettings;
  candidates: number;
  simulated: number;
  fromCheckpoint: number;
  checkpoint: string;
  wallMs: number;
}

export interface CalibrationSettings {
  events: { name: string; hash: string }[];
  budget: number;
  seeds: number[];
  /** Agents per run, by event. */
  agents: Record<string, number>;
  abcShare: number;
  particles: number;
  warmup: number;
  fit: string[];
  start: Record<string, number>;
}

export function resolveEvents(events: (string | LoadedScenario)[]): LoadedScenario[] {
  return events.map((e) => (typeof e === 'string' ? loadScenario(e) : e));
}

export async function calibrate(o: CalibrateOptions): Promise<CalibrationResult> {
  const wall0 = performance.now();
  const loaded = resolveEvents(o.events);
  if (loaded.length === 0) throw new Error('calibrate: no events');
  const setups: EventSetup[] = loaded.map((l) => {
    const figs = comparedFigures(l);
    return { loaded: l, observations: figs.map((f) => f.obs), reported: figs.map((f) => reportedOf(f.figure)) };
  });
  const dims = buildSpace(loaded, o);
  const budget = o.budget ?? DEFAULTS.budget;
  const seed = o.seed ?? DEFAULTS.seed;
  const seeds = Array.from({ length: o.seeds ?? DEFAULTS.seeds }, (_, k) => seed + k);
  const agents = Object.fromEntries(
    loaded.map((l) => {
      const n = l.scenario.name;
      return [n, typeof o.agents === 'number' ? o.agents : (o.agents?.[n] ?? o.agents?.['*'] ?? DEFAULTS.agents ?? calibrationAgents(l))];
    }),
  );
  const abcShare = o.abcShare ?? DEFAULTS.abcShare;
  const particles = o.particles ?? DEFAULTS.particles;
  const warmup = o.warmup ?? DEFAULTS.warmup;
  const settings: CalibrationSettings = {
    events: loaded.map((l) => ({ name: l.scenario.name, hash: l.hash })),
    budget,
    seeds,
    agents,
    abcShare,
    particles,
    warmup,
    fit: dims.map((d) => d.key),
    start: Object.fromEntries(dims.map((d) => [d.key, d.start])),
  };
  // Runs do not depend on the budget: a checkpoint can be resumed with a larger one.
  const ckFile = checkpointFile(o.checkpointDir ?? '.exodus', { ...settings, budget: undefined });
  const ck = openCheckpoint(ckFile, { ...settings, budget: undefined }, Boolean(o.resume));
  const pool = o.pool ?? createPool(o.workers ?? defaultWorkers());

  const E = setups.length;
  const S = seeds.length;
  const evaluated: Evaluation[] = [];
  let candidates = 0;
  let simulated = 0;
  let batches = 0;
  let phase: CalibrateProgress['phase'] = 'optimiser';
  let generation = 0;
  let bestLoss = Infinity;
  const generations: GenerationRow[] = [];
  const progress = (batchCandidates: number, batchDone: number, batchSize: number, extra: Partial<CalibrateProgress> = {}) =>
    o.onProgress?.({ phase, generation, bestLoss, candidates, budget, batchCandidates, batchDone, batchSize, simulated, runsLeft: (budget - candidates - batchCandidates) * E * S + (batchSize - batchDone), ...extra });

  // Events by cost (agents x steps): the cheap ones first. A candidate's loss on the events run
  // so far, divided by their total number, is a lower bound of its loss (losses are >= 0), so a
  // candidate that cannot be among those the search keeps is not run on the expensive events.
  const cost = setups.map((su) => agents[su.loaded.scenario.name] * stepPlan(compileScenario(su.loaded.scenario)).t.length);
  const byCost = setups.map((_, i) => i).sort((a, b) => cost[a] - cost[b] || a - b);
  const firstStage: number[] = [];
  for (const i of byCost) {
    if (firstStage.length && firstStage.reduce((a, j) => a + cost[j], cost[i]) > RACE_FIRST_SHARE * cost.reduce((a, b) => a + b, 0)) break;
    firstStage.push(i);
  }
  const laterStage = byCost.filter((i) => !firstStage.includes(i));

  const keyMemo = new Map<string, { keys: string[]; task: (si: number) => Task }>();
  const runKeys = (c: Candidate, ei: number) => {
    const su = setups[ei];
    const name = su.loaded.scenario.name;
    const memoKey = `${ei}:${JSON.stringify(c)}`;
    let m = keyMemo.get(memoKey);
    if (!m) {
      const r = resolveRun(su.loaded, { useCalibrated: false, params: c.params, fitted: c.events[name] ?? {} });
      const ag = agents[name];
      const keys = seeds.map((sd) => hashOf([su.loaded.hash, sd, ag, PARAM_NAMES.map((n) => r.params[n]), r.fitted], 24));
      m = { keys, task: (si: number) => ({ scenario: r.scenario, hash: su.loaded.hash, params: r.params, seed: seeds[si], agents: ag, observations: su.observations }) };
      if (keyMemo.size > 10_000) keyMemo.clear();
      keyMemo.set(memoKey, m);
    }
    return m;
  };

  /** Run (candidate, event) pairs on every seed, except runs in the checkpoint; then save. */
  const runPairs = async (pairs: [Candidate, number][], batchCandidates: number) => {
    const tasks: Task[] = [];
    const keysOut: string[] = [];
    const queued = new Set<string>();
    for (const [c, ei] of pairs) {
      const m = runKeys(c, ei);
      m.keys.forEach((k, si) => {
        if (ck.get(k) || queued.has(k)) return;
        queued.add(k);
        tasks.push(m.task(si));
        keysOut.push(k);
      });
    }
    if (tasks.length === 0) return;
    progress(batchCandidates, 0, tasks.length);
    const outs = await pool.run(tasks, (d, n) => progress(batchCandidates, d, n));
    outs.forEach((out, t) => {
      if (out.kind !== 'values') throw new Error('expected values');
      ck.put(keysOut[t], out.values);
    });
    ck.flush();
    simulated += tasks.length;
    batches++;
    if (o.signal?.aborted || (o.stopAfterBatches !== undefined && batches >= o.stopAfterBatches)) throw new CalibrationInterrupted(ck.file);
  };

  const eventLossOf = (c: Candidate, ei: number) => {
    const su = setups[ei];
    const perSeed = runKeys(c, ei).keys.map((k) => ck.get(k)!);
    const models = su.observations.map((_, j) => median(perSeed.map((v) => v[j])));
    return eventLoss(models, su.reported);
  };

  /**
   * Loss of candidates over some events (mean of their event losses), racing when `need` allows:
   * cheap events first, the expensive ones only for candidates that can still be kept.
   */
  const evalOn = async (cands: Candidate[], evs: number[], need?: Need): Promise<{ values: number[]; exact: boolean[]; eventLosses: number[][] }> => {
    const n = cands.length;
    const first = firstStage.filter((e) => evs.includes(e));
    const later = [...firstStage, ...laterStage].filter((e) => evs.includes(e) && !first.includes(e));
    const stage1 = first.length ? first : later.splice(0, 1);
    const racing = o.race !== false && need !== undefined && later.length > 0 && (need.below !== undefined || (need.topK ?? n) < n);
    const lossOver = (c: Candidate) => evs.map((ei) => eventLossOf(c, ei));
    const exact = new Array<boolean>(n).fill(false);
    const values = new Array<number>(n).fill(0);
    const pairs = (cis: number[], es: number[]) => cis.flatMap((ci) => es.map((ei) => [cands[ci], ei] as [Candidate, number]));
    const all = cands.map((_, ci) => ci);
    if (!racing) {
      await runPairs(pairs(all, [...stage1, ...later]), n);
      all.forEach((ci) => (exact[ci] = true));
    } else {
      await runPairs(pairs(all, stage1), n);
      const partial = cands.map((c) => stage1.reduce((a, ei) => a + eventLossOf(c, ei), 0) / evs.length);
      const order = all.slice().sort((a, b) => partial[a] - partial[b] || a - b);
      const exactLosses: number[] = [];
      const threshold = () => {
        if (need!.below !== undefined) return need!.below;
        const k = need!.topK!;
        return exactLosses.length >= k ? exactLosses.slice().sort((a, b) => a - b)[k - 1] : Infinity;
      };
      let next = 0;
      while (next < order.length) {
        // With a fixed threshold every candidate below it runs in one batch; else in chunks of
        // RACE_CHUNK (a fixed size, so results do not depend on the number of workers).
        const size = need!.below !== undefined ? order.length : RACE_CHUNK;
        const chunk: number[] = [];
        while (next < order.length && chunk.length < size) {
          const ci = order[next++];
          if (partial[ci] < threshold()) chunk.push(ci);
        }
        if (chunk.length === 0) continue;
        await runPairs(pairs(chunk, later), n);
        for (const ci of chunk) {
          exact[ci] = true;
          exactLosses.push(totalLoss(lossOver(cands[ci])));
        }
      }
      all.forEach((ci) => (values[ci] = partial[ci]));
    }
    const eventLosses = cands.map((c, ci) => (exact[ci] ? lossOver(c) : []));
    all.forEach((ci) => {
      if (exact[ci]) values[ci] = totalLoss(eventLosses[ci]);
    });
    return { values, exact, eventLosses };
  };

  const allEvents = setups.map((_, i) => i);
  /** The joint objective: all parameters, all events. */
  const objective = async (us: number[][], need?: Need): Promise<Scored> => {
    const cands = us.map((u) => candidateOf(dims, u));
    const r = await evalOn(cands, allEvents, need);
    candidates += cands.length;
    cands.forEach((c, ci) => {
      if (!r.exact[ci]) return;
      evaluated.push({ candidate: c, loss: r.values[ci], eventLosses: r.eventLosses[ci] });
      if (r.values[ci] < bestLoss) bestLoss = r.values[ci];
    });
    return { values: r.values, exact: r.exact };
  };

  /**
   * Warm-up: each event's own unknowns fitted on that event alone, the shared parameters at their
   * start values (cheap: one event's runs). The joint search then starts from there.
   */
  const warmUp = async (): Promise<number[]> => {
    const u0 = startUnit(dims);
    for (let ei = 0; ei < setups.length; ei++) {
      const name = setups[ei].loaded.scenario.name;
      const idx = dims.map((d, i) => (d.event === name ? i : -1)).filter((i) => i >= 0);
      if (idx.length === 0 || warmup <= 0) continue;
      const f = async (us: number[][]): Promise<Scored> => {
        const cands = us.map((u) => {
          const full = u0.slice();
          idx.forEach((i, k) => (full[i] = u[k]));
          return candidateOf(dims, full);
        });
        const r = await evalOn(cands, [ei]);
        return { values: r.values, exact: r.exact };
      };
      const opt = await cmaes(f, idx.map((i) => u0[i]), {
        seed,
        budget: warmup,
        sigma0: 0.25,
        onGeneration: (g) => {
          generations.push({ generation, phase: `warmup ${name}`, best_loss: g.best, median_loss: g.median });
          progress(0, 0, 0, { generationDone: true, bestLoss: g.best });
          generation++;
        },
      });
      idx.forEach((i, k) => (u0[i] = opt.best[k]));
    }
    return u0;
  };

  try {
    phase = 'warmup';
    const u0 = await warmUp();
    phase = 'optimiser';
    const abcBudget = Math.round(budget * abcShare);
    // Steps of about 0.3 of the unit cube in all: a local search from the warm-up's start (a step
    // of 0.2 per coordinate would jump across most of the cube in thirty dimensions).
    const step = 0.3 / Math.sqrt(dims.length);
    const opt = await cmaes(objective, u0, {
      seed,
      budget: budget - abcBudget,
      sigma0: Math.min(0.2, step),
      onGeneration: (g) => {
        generations.push({ generation: generation, phase: 'optimiser', best_loss: g.best, median_loss: g.median });
        progress(0, 0, 0, { generationDone: true });
        generation++;
      },
    });
    phase = 'abc';
    const abc = await abcSmc(objective, opt.best, {
      seed,
      budget: budget - candidates,
      particles,
      spread: Math.min(0.08, step),
      onGeneration: (g) => {
        generations.push({ generation: generation, phase: 'abc', best_loss: g.best, median_loss: g.median, epsilon: g.epsilon });
        progress(0, 0, 0, { generationDone: true });
        generation++;
      },
    });
    const best = evaluated.reduce((a, b) => (b.loss < a.loss ? b : a));
    const posterior: Particle[] = abc.particles.map((p) => {
      const c = candidateOf(dims, p.u);
      return { params: c.params, events: c.events, weight: p.weight };
    });
    // Fit tables from the runs already made: the point estimate's runs (one per seed) give the
    // median; PREDICTIVE_DRAWS draws of the posterior (weighted resample; the median over the
    // seeds of each draw's runs) widen the band.
    const drawCands: Candidate[] = resampleDraws(posterior, PREDICTIVE_DRAWS).map((d) => ({ params: d.params as Record<string, number>, events: d.events ?? {} }));
    const valuesOf = (c: Candidate, ei: number) => {
      const perSeed = runKeys(c, ei).keys.map((k) => ck.get(k));
      if (perSeed.some((v) => !v)) throw new Error('calibrate: a parameter set without its runs');
      return perSeed as number[][];
    };
    const predictive = Object.fromEntries(
      setups.map((su, ei) => [
        su.loaded.scenario.name,
        {
          point: valuesOf(best.candidate, ei),
          draws: drawCands.map((c) => {
            const perSeed = valuesOf(c, ei);
            return su.observations.map((_, j) => median(perSeed.map((v) => v[j])));
          }),
        },
      ]),
    );
    return {
      events: loaded.map((l) => l.scenario.name),
      dims,
      point: best.candidate,
      params: { ...defaultParams(), ...best.candidate.params } as Params,
      loss: best.loss,
      eventLoss: Object.fromEntries(loaded.map((l, i) => [l.scenario.name, best.eventLosses[i]])),
      posterior,
      predictive,
      generations,
      settings,
      candidates,
      simulated,
      fromCheckpoint: ck.resumed,
      checkpoint: ck.file,
      wallMs: performance.now() - wall0,
    };
  } finally {
    ck.flush();
    if (!o.pool) await pool.close();
  }
}

const r6 = (v: number) => Number(v.toPrecision(6));

/** The shipped parameter file: point estimate, per-event values, loss and the settings. */
export function paramFileJson(r: CalibrationResult) {
  return {
    params: r.params,
    events: r.point.events,
    fitted: r.settings.fit,
    loss: r6(r.loss),
    eventLoss: Object.fromEntries(Object.entries(r.eventLoss).map(([k, v]) => [k, r6(v)])),
    budget: r.settings.budget,
    seeds: r.settings.seeds,
    agents: r.settings.agents,
    calibratedOn: r.settings.events,
    method: 'CMA-ES point estimate, then ABC-SMC (APMC) posterior; loss: mean over events of the confidence-weighted mean squared log10(model/reported)',
  };
}

export function generationsCsv(rows: readonly GenerationRow[]): string {
  return toCsv(['generation', 'phase', 'best_loss', 'median_loss', 'epsilon'], rows.map((g) => [g.generation, g.phase, r6(g.best_loss), r6(g.median_loss), g.epsilon === undefined ? '' : r6(g.epsilon)]));
}

/** Write params.json, posterior.csv, generations.csv (and the given extra files) into dir. */
export function writeCalibration(dir: string, r: CalibrationResult, extra: Record<string, string> = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {
    'params.json': JSON.stringify(paramFileJson(r), null, 2) + '\n',
    'posterior.csv': posteriorCsv(r.posterior),
    'generations.csv': generationsCsv(r.generations),
    ...extra,
  };
  for (const [name, text] of Object.entries(files)) {
    const tmp = join(dir, `.${name}.partial-${process.pid}`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(dir, name));
  }
  return Object.keys(files);
}
