// Up-front size of a run, before anything is allocated: the number of steps and observations of a
// time plan, and the memory the engine will need. Pure functions, no I/O; the scenario loader and
// the command line use them to refuse runs that cannot finish (see src/scenarios/limits.ts).
import { DAY_MS, parseDate, parseDuration } from './time.ts';

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

export interface RunSize {
  agents: number;
  platforms: number;
  regions: number;
  steps: number;
  observations: number;
  /** Mean number of contacts (the network's size). */
  degree: number;
}

export interface RunEstimate {
  /** Peak memory of one run, bytes (a little above what the engine allocates). */
  bytes: number;
  /** Agent-steps (agents x steps): the scale of the work. */
  agentSteps: number;
  /** Rows of the tidy table `exodus run` writes (time x region incl. "all" x platform x metric). */
  tableRows: number;
}

/** Bytes per agent beside the per-app columns and the network: traits, state, attention, calendar. */
const PER_AGENT = 64;
/** Per agent and app: status (1 byte) and last day active (4 bytes). */
const PER_AGENT_APP = 5;
/** Per agent and mean contact: the tie list while the network is built, then its CSR form. */
const PER_AGENT_CONTACT = 8;
/** Per step: the plan (built as growing arrays, then copied) and the calendar head. */
const PER_STEP = 64;
/** Per step, region and app: sign-ups and installs (two Float64). */
const PER_STEP_CELL = 16;
/** Per observation, region and app: six stock metrics (Float64). */
const PER_OBS_CELL = 48;
/** Node (with tsx), the engine's code and small tables. */
const BASE = 100 * 2 ** 20;
/** Metrics in the tidy table. */
const TABLE_METRICS = 8;

/** Estimated memory and work of one run (peak RSS of bench/bench.yaml at 1e5, 1e6, 4e6 agents: 118, 239, 639 MiB; estimated 117, 267, 768). */
export function estimateRun(x: RunSize): RunEstimate {
  const cells = x.regions * x.platforms;
  const bytes =
    BASE +
    x.agents * (PER_AGENT + PER_AGENT_APP * x.platforms + PER_AGENT_CONTACT * x.degree) +
    x.steps * (PER_STEP + PER_STEP_CELL * cells) +
    x.observations * (PER_OBS_CELL * cells + 8 * x.regions);
  return { bytes, agentSteps: x.agents * x.steps, tableRows: x.observations * (x.regions + 1) * x.platforms * TABLE_METRICS };
}
