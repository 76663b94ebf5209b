// Up-front size of a run, before anything is allocated: the number of steps and observations of a
// time plan, and the memory the engine will need. Pure functions, no I/O; the scenario loader and
// the command line use them to refuse runs that cannot finish (see src/scenarios/limits.ts).
import { DAY_MS, parseDate, parseDuration } from './time.ts';
import { estimateMemory } from './memory.ts';

export interface TimePlan {
  start: string;
  end: string;
  step: string;
  schedule: readonly { from: string; step: string }[];
  observe: string;
}

/**
 * Steps of a time plan, counted without building it (the same steps as stepPlan in engine.ts: each
 * stretch between step changes, and between the shocks' boundaries `cuts` (days since the start),
 * is cut into steps of the length in force, the last one shorter).
 */
export function countSteps(time: TimePlan, cuts: readonly number[] = []): number {
  const t0 = parseDate(time.start);
  const T = (parseDate(time.end) - t0) / DAY_MS;
  const changes = time.schedule.map((c) => ({ at: (parseDate(c.from) - t0) / DAY_MS, dt: parseDuration(c.step) }));
  const marks = [...changes.map((c) => ({ at: c.at, dt: c.dt as number | undefined })), ...cuts.filter((c) => c > 1e-9 && c < T - 1e-9).map((at) => ({ at, dt: undefined }))].sort((a, b) => a.at - b.at);
  let steps = 0;
  let from = 0;
  let dt = parseDuration(time.step);
  for (const m of [...marks, { at: T, dt: undefined }]) {
    const len = m.at - from;
    if (len > 1e-9) steps += Math.max(1, Math.ceil(len / dt - 1e-9));
    if (len > 1e-9 || m.dt !== undefined) from = Math.max(from, m.at);
    if (m.dt !== undefined) dt = m.dt;
  }
  return steps;
}

/** Observation times the engine allocates: the start, every `observe`, and the end (which may coincide with the last). */
export function countObservations(time: TimePlan): number {
  const T = (parseDate(time.end) - parseDate(time.start)) / DAY_MS;
  return Math.floor(T / parseDuration(time.observe) + 1e-9) + 2;
}

/** What the size of a run depends on, read off a scenario before it is compiled. */
export interface ScenarioSize {
  agents: number;
  platforms: number;
  regions: number;
  steps: number;
  observations: number;
  /** Mean number of contacts (the network's size). */
  degree: number;
  /** Largest degree the network may draw (default: more than 255, the larger reach counts). */
  maxDegree?: number;
  /** Figure bases beside the whole population (default 0). */
  universes?: number;
}

export interface RunEstimate {
  /** Peak memory of one run, bytes (memory.ts: the engine's own layout). */
  bytes: number;
  /** Agent-steps (agents x steps): the scale of the work. */
  agentSteps: number;
  /** Rows of the tidy table `exodus run` writes (time x region incl. "all" x platform x metric). */
  tableRows: number;
}

/** Metrics in the tidy table. */
const TABLE_METRICS = 8;

/**
 * Estimated memory and work of one run. The bytes are those of memory.ts (held to a built world by
 * tests/memory.test.ts), taken at the peak and with nobody offline at the start (the newcomers'
 * list at its largest is small beside the rest), so the scenario checks and `exodus run` agree.
 */
export function estimateRun(x: ScenarioSize): RunEstimate {
  const m = estimateMemory({ ...x, universes: x.universes ?? 0, maxDegree: x.maxDegree ?? 256, offline: 0 });
  return { bytes: m.peakBytes, agentSteps: x.agents * x.steps, tableRows: x.observations * (x.regions + 1) * x.platforms * TABLE_METRICS };
}
