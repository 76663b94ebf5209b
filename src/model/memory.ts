// Memory of a run, estimated before anything is allocated: a pure function of the agents, apps,
// regions, universes, steps, observations and the network's mean degree, from the engine's own
// layout (world.ts, tally.ts, network.ts, wake.ts, engine.ts). tests/memory.test.ts holds it to
// the bytes a built world actually allocates.

export interface RunSize {
  agents: number;
  platforms: number;
  regions: number;
  universes: number;
  steps: number;
  observations: number;
  /** Mean number of contacts. */
  degree: number;
  /** Largest degree the network may draw (reach counts take two bytes above 255). */
  maxDegree: number;
  /** Share of agents who use no messenger at the start (the newcomers' list). */
  offline: number;
}

export interface MemoryEstimate {
  /** Bytes while running (the world, the network, the outputs). */
  bytes: number;
  /** Bytes at the peak: while the network is built, or when the results are copied out. */
  peakBytes: number;
  /** Bytes per part, for the message that refuses a run. */
  parts: Record<'agents' | 'apps' | 'network' | 'calendar' | 'steps' | 'runtime', number>;
}

/** Node, tsx, the code and its small tables (measured: a run of 50 agents peaks at ~110 MiB). */
export const RUNTIME_BYTES = 120 * 2 ** 20;

/**
 * Per agent: region, main app, universes, the app a contact last named (1 byte each); privacy, circumvention, inertia, activity,
 * attention and its time (Float32); the calendar's due step, the network's offset, the tally's
 * cut-off/down list and place (Int32/Uint32).
 */
const PER_AGENT = 4 + 6 * 4 + 4 * 4;
/** The calendar's lists (wake.ts: next and previous per agent, Int32), allocated when the run starts. */
const PER_AGENT_CALENDAR = 2 * 4;
/** Per agent and app: status, access code (1 byte), last use (Int16), reach count (1 or 2 bytes). */
const PER_CELL = 1 + 1 + 2;

export function estimateMemory(x: RunSize): MemoryEstimate {
  const n = x.agents;
  const RK = x.regions * x.platforms;
  const G = x.universes + 1;
  const reachBytes = x.maxDegree <= 255 ? 1 : 2;
  const agents = n * (PER_AGENT + 4 * x.offline);
  const apps = n * x.platforms * (PER_CELL + reachBytes);
  const network = n * 4 * x.degree;
  const calendar = n * PER_AGENT_CALENDAR;
  // Per step: start, length, calendar head; sign-ups and installs per region and app and universe.
  const steps = x.steps * (8 + 8 + 4 + 2 * 8 * RK * G) + x.observations * (6 * 8 * RK * G + 8 * x.regions + 8) + G * RK * (8 * 8 + 4 * (x.steps + 2));
  const bytes = RUNTIME_BYTES + agents + apps + network + calendar + steps;
  // While the network is built: each agent's initiated ties (Uint16) and degree (Uint32); at the
  // end the results copy the per-step and per-observation series once.
  const peakBytes = bytes + Math.max(6 * n, steps);
  return { bytes, peakBytes, parts: { agents, apps, network, calendar, steps, runtime: RUNTIME_BYTES } };
}

export const gib = (b: number) => `${(b / 2 ** 30).toFixed(b < 10 * 2 ** 30 ? 2 : 1)} GiB`;
