// The library's front door: load a scenario, resolve its parameters (defaults <- shipped calibration
// <- scenario overrides <- a user's file), run it. The CLI, calibration and notebooks all use this.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadScenario, pathsOf, setPath, type LoadedScenario } from './scenarios/load.ts';
import type { Scenario } from './scenarios/schema.ts';
import { InputError } from './scenarios/errors.ts';
import { resolveParams, ParamError, PARAM_NAMES, type Params } from './model/params.ts';
import { simulateScenario } from './scenarios/compile.ts';
import type { RunResult } from './model/results.ts';

export const CALIBRATED_PARAMS = fileURLToPath(new URL('../data/calibrated/params.json', import.meta.url));

/** A parameter file: behavioural parameters, and per-event fitted quantities by event name. */
export interface ParamFile {
  params: Partial<Params>;
  events?: Record<string, Record<string, number>>;
  [extra: string]: unknown;
}

/** Read a parameter file; accepts { "params": {...}, "events": {...} } or a flat { name: value }. */
export function readParamFile(file: string): ParamFile {
  if (!existsSync(file)) throw new InputError(file, '', 'not found; expected a JSON parameter file');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, '', `not valid JSON: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(file, '', `expected an object such as {"params": {"betaReach": 6}}`);
  }
  const obj = raw as Record<string, unknown>;
  const flat = !('params' in obj) && Object.keys(obj).every((k) => (PARAM_NAMES as readonly string[]).includes(k));
  const pf: ParamFile = flat ? { params: obj as Partial<Params> } : (obj as unknown as ParamFile);
  try {
    resolveParams(pf.params as Record<string, unknown>, 'params');
  } catch (e) {
    if (e instanceof ParamError) {
      const m = /^(params(?:\.\w+)?): (.*)$/.exec(e.message);
      throw new InputError(file, m?.[1] ?? 'params', m?.[2] ?? e.message);
    }
    throw e;
  }
  return pf;
}

/** The shipped calibration, if present. */
export function calibratedParamFile(): ParamFile | undefined {
  return existsSync(CALIBRATED_PARAMS) ? readParamFile(CALIBRATED_PARAMS) : undefined;
}

export interface Resolved {
  scenario: Scenario;
  params: Params;
  /** Per-event fitted quantities applied (name -> value). */
  fitted: Record<string, number>;
  /** Where the parameters came from, for manifests. */
  paramSource: string;
}

/**
 * Parameters for a run of `loaded`: defaults, then the shipped calibration (unless `useCalibrated`
 * is false), then the scenario's own overrides, then `file` (a user's --params).
 */
export function resolveRun(loaded: LoadedScenario, opts: { paramsFile?: string; params?: Partial<Params>; fitted?: Record<string, number>; useCalibrated?: boolean } = {}): Resolved {
  const layers: ParamFile[] = [];
  const sources: string[] = ['defaults'];
  const shipped = opts.useCalibrated === false ? undefined : calibratedParamFile();
  if (shipped) {
    layers.push(shipped);
    sources.push('data/calibrated/params.json');
  }
  if (loaded.scenario.params) {
    layers.push({ params: loaded.scenario.params as Partial<Params> });
    sources.push('scenario params');
  }
  if (opts.paramsFile) {
    layers.push(readParamFile(opts.paramsFile));
    sources.push(opts.paramsFile);
  }
  if (opts.params) {
    layers.push({ params: opts.params });
    sources.push('code');
  }
  const merged: Record<string, number> = {};
  const fittedValues: Record<string, number> = {};
  for (const l of layers) {
    Object.assign(merged, l.params);
    Object.assign(fittedValues, l.events?.[loaded.scenario.fittedFrom ?? loaded.scenario.name] ?? {});
  }
  Object.assign(fittedValues, opts.fitted ?? {});
  const params = resolveParams(merged, 'params');
  let scenario = loaded.scenario;
  const applied: Record<string, number> = {};
  for (const q of scenario.fitted) {
    const v = fittedValues[q.name];
    if (v === undefined) continue;
    for (const path of pathsOf(q)) scenario = setPath(scenario, path, Math.min(q.max, Math.max(q.min, v)));
    applied[q.name] = v;
  }
  return { scenario, params, fitted: applied, paramSource: sources.join(' <- ') };
}

export interface RunScenarioOptions {
  seed?: number;
  agents?: number;
  paramsFile?: string;
  params?: Partial<Params>;
  fitted?: Record<string, number>;
  useCalibrated?: boolean;
  onProgress?: (done: number) => void;
}

/** Load (if given a name or path), resolve parameters and run one replicate. */
export function runScenario(scenario: string | LoadedScenario, opts: RunScenarioOptions = {}): RunResult {
  const loaded = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  const r = resolveRun(loaded, opts);
  return simulateScenario(r.scenario, r.params, { seed: opts.seed ?? 1, agents: opts.agents, onProgress: opts.onProgress }, { hash: loaded.hash });
}
