// One unit of parallel work: run a (resolved) scenario once with given parameters and seed, and
// return either the whole RunResult or only the model values of some observations. The same
// function runs in a worker thread or in-process, so results never depend on where it ran.
import type { Scenario } from '../scenarios/schema.ts';
import type { Params } from '../model/params.ts';
import { simulateScenario } from '../scenarios/compile.ts';
import { observe, type Observation } from '../model/observe.ts';
import type { RunResult } from '../model/results.ts';

export interface Task {
  /** The scenario with any per-event fitted values already applied. */
  scenario: Scenario;
  /** Hash recorded in the result (the loaded scenario's hash). */
  hash: string;
  params: Params;
  seed: number;
  agents?: number;
  /** With observations: return only their model values (calibration); without: the full result. */
  observations?: Observation[];
}

export type TaskOutput = { kind: 'values'; values: number[]; wallMs: number } | { kind: 'result'; result: RunResult };

export function runTask(t: Task): TaskOutput {
  const res = simulateScenario(t.scenario, t.params, { seed: t.seed, agents: t.agents }, { hash: t.hash });
  if (t.observations) return { kind: 'values', values: t.observations.map((o) => observe(res, o)), wallMs: res.wallMs };
  return { kind: 'result', result: res };
}

/** The buffers of a result's typed arrays, to transfer (not copy) them out of a worker. */
export function transferList(out: TaskOutput): ArrayBuffer[] {
  if (out.kind !== 'result') return [];
  const r = out.result;
  const arrays = [r.stepTimes, r.stepDt, r.obsTimes, r.switches, ...Object.values(r.flows), ...Object.values(r.stocks)];
  const seen = new Set<ArrayBuffer>();
  for (const a of arrays) seen.add(a.buffer as ArrayBuffer);
  return [...seen];
}
