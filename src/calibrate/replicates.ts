// Replicates of one scenario: replicate k runs with seed `seed + k` (common random numbers: every
// parameter set is run with the same seeds), optionally with parameter draw k of a posterior, in
// worker threads. `bands` summarises them as median and 90% band per observation time.
import { quantileSorted } from 'd3-array';
import type { LoadedScenario } from '../scenarios/load.ts';
import { resolveRun, type Resolved } from '../api.ts';
import type { Params } from '../model/params.ts';
import type { Observation } from '../model/observe.ts';
import { observation } from '../scenarios/compile.ts';
import { DAY_MS, isoTime } from '../model/time.ts';
import { FLOW_METRICS, flowIn, regionIndices, platformIndex, stockAtObs, type FlowMetric, type Metric, type RunResult, type StockMetric } from '../model/results.ts';
import type { FigureSpec } from '../scenarios/schema.ts';
import type { BandRow } from '../charts/types.ts';
import { createPool, defaultWorkers, type Pool } from './pool.ts';
import type { Task } from './task.ts';

/** One parameter set of a posterior sample: behavioural parameters and per-event fitted values. */
export interface ParamDraw {
  params: Partial<Params>;
  events?: Record<string, Record<string, number>>;
}

export interface ReplicateOptions {
  /** Number of replicates (default 10). */
  replicates?: number;
  /** Seed of replicate 0; replicate k uses seed + k (default 1). */
  seed?: number;
  /** Agents per run (default: the scenario's). */
  agents?: number;
  /** Parameters, as for resolveRun: a user's file, overrides, per-event fitted values. */
  paramsFile?: string;
  params?: Partial<Params>;
  fitted?: Record<string, number>;
  useCalibrated?: boolean;
  /**
   * Posterior draws: replicate k uses draws[k mod n] over the other parameters, so the band
   * shows parameter uncertainty as well as chance.
   */
  draws?: ParamDraw[];
  /** Worker threads (default: the machine's cores); ignored when `pool` is given. */
  workers?: number;
  pool?: Pool;
  /** Share of replicates done (0..1). */
  onProgress?: (done: number) => void;
}

/** The resolved scenario and parameters of each replicate. */
export function replicatePlan(loaded: LoadedScenario, o: ReplicateOptions): { seeds: number[]; resolved: Resolved[] } {
  const n = o.replicates ?? 10;
  const seed = o.seed ?? 1;
  const base = { paramsFile: o.paramsFile, fitted: o.fitted, useCalibrated: o.useCalibrated };
  const seeds = Array.from({ length: n }, (_, k) => seed + k);
  if (!o.draws?.length) {
    const r = resolveRun(loaded, { ...base, params: o.params });
    return { seeds, resolved: seeds.map(() => r) };
  }
  const draws = o.draws;
  const resolved = seeds.map((_, k) => {
    const d = draws[k % draws.length];
    return resolveRun(loaded, {
      ...base,
      params: { ...d.params, ...o.params },
      fitted: { ...(d.events?.[loaded.scenario.fittedFrom ?? loaded.scenario.name] ?? {}), ...o.fitted },
    });
  });
  return { seeds, resolved };
}

async function runTasks(tasks: Task[], o: ReplicateOptions) {
  const pool = o.pool ?? createPool(Math.max(1, Math.min(o.workers ?? defaultWorkers(), tasks.length)));
  try {
    return await pool.run(tasks, (d, n) => o.onProgress?.(d / n));
  } finally {
    if (!o.pool) await pool.close();
  }
}

/** Run the replicates; results in replicate order. */
export async function runReplicates(loaded: LoadedScenario, o: ReplicateOptions = {}): Promise<RunResult[]> {
  const { seeds, resolved } = replicatePlan(loaded, o);
  const tasks: Task[] = seeds.map((seed, k) => ({ scenario: resolved[k].scenario, hash: loaded.hash, params: resolved[k].params, seed, agents: o.agents }));
  const outs = await runTasks(tasks, o);
  return outs.map((x) => {
    if (x.kind !== 'result') throw new Error('expected a full result');
    return x.result;
  });
}

/** The compared figures (role compare) of a scenario as observations. */
export function comparedFigures(loaded: LoadedScenario): { figure: FigureSpec; obs: Observation }[] {
  const s = loaded.scenario;
  return s.figures.filter((f) => f.role === 'compare').map((f) => ({ figure: f, obs: observation(f, s) }));
}

/**
 * Model values of observations in each replicate: values[k][j] is observation j in replicate k.
 * Lighter than runReplicates (workers send back numbers, not series).
 */
export async function observeReplicates(loaded: LoadedScenario, observations: Observation[], o: ReplicateOptions = {}): Promise<number[][]> {
  const { seeds, resolved } = replicatePlan(loaded, o);
  const tasks: Task[] = seeds.map((seed, k) => ({ scenario: resolved[k].scenario, hash: loaded.hash, params: resolved[k].params, seed, agents: o.agents, observations }));
  const outs = await runTasks(tasks, o);
  return outs.map((x) => {
    if (x.kind !== 'values') throw new Error('expected observed values');
    return x.values;
  });
}

export interface Band {
  median: number;
  lo: number;
  hi: number;
}

/** Median and 5%/95% quantiles (d3-array, linear interpolation) of a sample. */
export function band(sample: readonly number[]): Band {
  const s = Array.from(sample).sort((a, b) => a - b);
  return { median: quantileSorted(s, 0.5) ?? NaN, lo: quantileSorted(s, 0.05) ?? NaN, hi: quantileSorted(s, 0.95) ?? NaN };
}

/** Per observation j, the band over replicates of values[k][j]. */
export function bandsOf(values: readonly (readonly number[])[]): Band[] {
  const J = values[0]?.length ?? 0;
  return Array.from({ length: J }, (_, j) => band(values.map((v) => v[j])));
}

/**
 * A metric's median and 90% band over replicates at each observation time, for a region id (or
 * "all") and a platform. Flows are summed over the interval ending at each observation (0 at the
 * first), as in the tidy series of `exodus run`.
 */
export function bands(results: readonly RunResult[], metric: Metric, region: string, platform: string): BandRow[] {
  if (results.length === 0) return [];
  const r0 = results[0];
  const rs = regionIndices(r0, region);
  const a = platformIndex(r0, platform);
  const flow = (FLOW_METRICS as readonly string[]).includes(metric);
  const rows: BandRow[] = [];
  for (let o = 0; o < r0.obsTimes.length; o++) {
    const t = r0.obsTimes[o];
    const sample = results.map((res) => {
      if (!flow) return stockAtObs(res, metric as StockMetric, rs, a, o);
      return o === 0 ? 0 : flowIn(res, metric as FlowMetric, rs, a, res.obsTimes[o - 1], t);
    });
    rows.push({ time: isoTime(r0.startMs + t * DAY_MS), region, platform, metric, ...band(sample) });
  }
  return rows;
}
