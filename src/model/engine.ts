// The simulation loop. Per step: shocks set the fields; people reconsider (news and frustration via
// thinning of a region-level rate, word of mouth and trial reviews via a calendar, newcomers via
// arrivals); people whose main app does not work reach for something else; only agents with
// something to decide are touched (block.ts stepBlock). At the end of a day the sweep takes the share
// of each app's users who can still reach it and, at observation times, the stock metrics, from
// counters kept up to date as people change their apps (tally.ts): its cost does not grow with the
// number of agents. A Run holds the world, its blocks and the series; simulate drives it in this
// thread, threads.ts on worker threads.
import { fastParams, type Params } from './params.ts';
import type { ModelInput } from './input.ts';
import { finishFields, makeFields, resetFields, type Fields } from './fields.ts';
import { plainAlloc, type Alloc } from './alloc.ts';
import { applyShocks } from './shocks/index.ts';
import { createWorld, assignMainApps, allocateAgents } from './population.ts';
import { fitTrends } from './trend.ts';
import type { RunSize } from './memory.ts';
import type { StepLedger } from './decide.ts';
import { Block, blockRng, deliver, makeBlocks, stepBlock } from './block.ts';
import type { World } from './world.ts';
import { STOCK_METRICS, type RunResult, type StockMetric, type UniverseSeries } from './results.ts';
import { DAU_Q, DAU_UNIT, IN_USE, N_ACTIVE, N_INSTALLED, N_PRIMARY, N_USERS, REACHABLE, SLOTS, refreshKnown } from './tally.ts';
import { verifyReach, verifyTally } from './tally-check.ts';

export interface RunOptions {
  seed: number;
  agents?: number;
  /**
   * Progress: the share done (0..1) of building the world (phase 'build') and of the steps
   * ('run', from 0 once the world is built), at most about 200 times per phase.
   */
  onProgress?: (done: number, phase: 'build' | 'run') => void;
  /** Verify the incremental counters against a full scan at every daily sweep (slow; for tests). */
  check?: boolean;
  /** Agents per person in every region (1: one agent per person); overrides `agents`. */
  scale?: number;
  /**
   * Run in blocks (block.ts) on this many threads: each region cut into fixed ranges of agents
   * with their own random streams, effects across ranges at the end of each step. The results
   * depend on the agent count, not on the number of threads. Undefined: one block (the default).
   */
  threads?: number;
  /** Most agents per block of a run in blocks (default block.ts BLOCK_AGENTS; smaller in tests). */
  blockAgents?: number;
}

/** The size of a run of `input` with these options, for estimateMemory (memory.ts) before it starts. */
export function runSize(input: ModelInput, opts: Pick<RunOptions, 'agents' | 'scale'>): RunSize {
  const counts = allocateAgents(input, opts.agents ?? input.agents, opts.scale);
  const agents = counts.reduce((a, b) => a + b, 0);
  const plan = stepPlan(input);
  const T = plan.t.length ? plan.t[plan.t.length - 1] + plan.dt[plan.dt.length - 1] : 0;
  // People with no app in use at the start: the apps' initial fields are drawn independently.
  let offline = 0;
  input.regions.forEach((reg, r) => {
    const none = reg.apps.reduce((q, app) => (input.platforms[app.platform].launchDay > 0 ? q : q * (1 - app.active)), 1);
    offline += (counts[r] / agents) * none;
  });
  return {
    agents,
    platforms: input.platforms.length,
    regions: input.regions.length,
    universes: input.universes.length,
    steps: plan.t.length,
    observations: Math.floor(T / input.observe + 1e-9) + 2,
    degree: input.network.degree,
    maxDegree: input.network.maxDegree,
    offline,
  };
}

/**
 * The steps of a run: start time and length (days) of each. Steps follow the scenario's step and
 * schedule, and are cut at every shock's start and end, so that a shock shorter than a step (a
 * 4-hour outage in daily steps, an announcement a few hours before a block) is never skipped.
 */
export function stepPlan(input: Pick<ModelInput, 'days' | 'step' | 'schedule' | 'shocks'>): { t: Float64Array; dt: Float64Array } {
  const T = input.days;
  const changes = input.schedule;
  const cuts = [...new Set(input.shocks.flatMap((s) => [s.start, s.end]).filter((x) => x > 1e-9 && x < T - 1e-9))].sort((a, b) => a - b);
  const ts: number[] = [];
  const dts: number[] = [];
  let dt = input.step;
  let t = 0;
  let next = 0;
  let cut = 0;
  while (t < T - 1e-9) {
    while (next < changes.length && changes[next].at <= t + 1e-9) dt = changes[next++].dt;
    while (cut < cuts.length && cuts[cut] <= t + 1e-9) cut++;
    // The step ends at the next of: a full step, the end, a change of step length, a shock's
    // boundary; landing exactly on the boundary (no drift of sums of floating-point steps).
    let to = Math.min(t + dt, T);
    if (next < changes.length && changes[next].at < to - 1e-9) to = changes[next].at;
    if (cut < cuts.length && cuts[cut] < to - 1e-9) to = cuts[cut];
    ts.push(t);
    dts.push(to - t);
    t = to;
  }
  return { t: Float64Array.from(ts), dt: Float64Array.from(dts) };
}

/** Which steps end with the daily sweep (its day, else -1) and which with an observation. */
export function sweepSchedule(plan: { t: Float64Array; dt: Float64Array }, observe: number): { day: Int32Array; observe: Uint8Array } {
  const S = plan.t.length;
  const day = new Int32Array(S).fill(-1);
  const obs = new Uint8Array(S);
  let nextObs = observe;
  let lastSweepDay = 0;
  for (let step = 0; step < S; step++) {
    const tEnd = plan.t[step] + plan.dt[step];
    const d = Math.floor(tEnd + 1e-9);
    if (tEnd >= nextObs - 1e-9 || step === S - 1) {
      day[step] = d;
      obs[step] = 1;
      lastSweepDay = d;
      while (nextObs <= tEnd + 1e-9) nextObs += observe;
    } else if (d > lastSweepDay) {
      day[step] = d;
      lastSweepDay = d;
    }
  }
  return { day, observe: obs };
}

/** What the blocks of a run need to step: the world, this thread's fields, and the run's plan. */
export interface StepEnv {
  w: World;
  f: Fields;
  p: Params;
  input: ModelInput;
  plan: { t: Float64Array; dt: Float64Array };
  sweepDay: Int32Array;
  /** Share of each app's users who can reach it, from the last sweep (shared across threads). */
  pass: Float64Array;
  weightNow: Float64Array;
  arrival: number[];
  /**
   * Each app's people in use per region (R * K) summed over all blocks of the run, after this
   * step's re-classification of `blocks`: how well known the apps are (refreshKnown) is the same in
   * every block. In this thread a sum over the blocks; on worker threads, over what all threads
   * published (thread-worker.ts).
   */
  inUse: (blocks: readonly Block[]) => Float64Array;
}

export function setFields(env: Pick<StepEnv, 'f' | 'p' | 'input'>, t: number): void {
  resetFields(env.f, env.input.platforms, t);
  applyShocks(env.input.shocks, t, env.f, env.p);
}

/**
 * One step of some blocks (all of a run's, or a thread's): fields at the step's start, the
 * tallies re-classified, the blocks stepped; at the end of a sweep day, fields at the step's end
 * and the tallies' sweep. What blocks did to each other is delivered before (deliver).
 */
export function stepBlocks(env: StepEnv, blocks: readonly Block[], step: number): void {
  const { w, f, p } = env;
  const t = env.plan.t[step];
  const dt = env.plan.dt[step];
  setFields(env, t);
  for (const b of blocks) b.tally.refresh(w, f, false);
  for (let r = 0; r < w.R; r++) env.weightNow[r] = w.weight[r] * Math.exp(w.growth[r] * t);
  // Reach: the share of an app's users who can reach it (blocks: from the last sweep; an outage:
  // its severity; a shutdown: the share of people it cuts off that day).
  for (let r = 0; r < w.R; r++) {
    for (let a = 0; a < w.K; a++) {
      const k = r * w.K + a;
      f.availShare[k] = env.pass[k] * (1 - f.outageSeverity[k]) * (f.netHits[k] ? 1 - f.netCut[r] : 1);
    }
  }
  refreshKnown(w, env.inUse(blocks));
  for (const b of blocks) stepBlock(w, f, p, b, step, t, dt, env.arrival);
  const day = env.sweepDay[step];
  if (day >= 0) {
    setFields(env, t + dt);
    for (const b of blocks) b.tally.sweep(w, f, day);
  }
}

/**
 * A run: the world built, its blocks, and the series it writes. The steps are driven by simulate
 * (in this thread) or by threads.ts (blocks on worker threads); both call the methods below in the
 * same order, so both give the same results.
 */
export class Run {
  readonly wall0 = performance.now();
  readonly plan: { t: Float64Array; dt: Float64Array };
  readonly S: number;
  readonly T: number;
  readonly w: World;
  readonly env: StepEnv;
  readonly blocks: Block[];
  readonly sched: { day: Int32Array; observe: Uint8Array };
  readonly buildMs: number;
  private readonly RK: number;
  private readonly stocks: RunResult['stocks'];
  private readonly ustocks: RunResult['stocks'][];
  private readonly obsTimes: Float64Array;
  private readonly offline: Float64Array;
  private readonly signups: Float64Array;
  private readonly installs: Float64Array;
  private readonly usignups: Float64Array;
  private readonly uinstalls: Float64Array;
  private readonly switches: Float64Array;
  private obs = 0;
  private progressMark = 0;

  constructor(
    readonly input: ModelInput,
    readonly p: Params,
    readonly opts: RunOptions,
    readonly meta: { hash: string },
    inBlocks: boolean,
    alloc: Alloc = plainAlloc,
  ) {
    const seed = opts.seed;
    this.plan = stepPlan(input);
    const S = (this.S = this.plan.t.length);
    const T = (this.T = S ? this.plan.t[S - 1] + this.plan.dt[S - 1] : 0);
    const build = opts.onProgress && ((d: number) => opts.onProgress!(d, 'build'));
    const w = (this.w = createWorld(input, opts.agents ?? input.agents, seed, this.plan.t, T, opts.scale, build, alloc));
    const { K, R, U } = w;
    const RK = (this.RK = R * K);
    const f = makeFields(R, K);
    // App constants are fitted to the world before any shock: a shock under way at the start (e.g.
    // a promotion) must move people, not be absorbed into the constants.
    resetFields(f, input.platforms, 0);
    finishFields(f); // (no block: nobody is cut off)
    const fp = fastParams(p);
    assignMainApps(w, f, fp, input, seed, build);
    fitTrends(w, f, fp, input, seed);
    if (alloc !== plainAlloc) {
      const waiting = alloc(Int32Array, w.waiting.length);
      waiting.set(w.waiting);
      w.waiting = waiting;
    }
    this.sched = sweepSchedule(this.plan, input.observe);
    const weightNow = new Float64Array(R);
    const inUse = new Float64Array(RK);
    this.env = {
      w, f, p: fp, input, plan: this.plan, sweepDay: this.sched.day, pass: alloc(Float64Array, RK).fill(1), weightNow, arrival: input.regions.map((r) => r.arrival),
      // This thread steps all blocks (simulate) or none (threads.ts: the workers have their own).
      inUse: (blocks) => sumInUse(blocks, inUse),
    };
    setFields(this.env, 0);

    const O = Math.floor(T / input.observe + 1e-9) + 1 + 1; // t = 0, every `observe`, and the end
    const newStocks = () => Object.fromEntries(STOCK_METRICS.map((m) => [m, new Float64Array(O * RK)])) as RunResult['stocks'];
    this.stocks = newStocks();
    this.ustocks = Array.from({ length: U }, newStocks);
    this.obsTimes = new Float64Array(O);
    this.offline = new Float64Array(O * R);
    this.signups = new Float64Array(S * RK);
    this.installs = new Float64Array(S * RK);
    this.usignups = new Float64Array(S * U * RK);
    this.uinstalls = new Float64Array(S * U * RK);
    this.switches = new Float64Array((K + 1) * K);
    this.blocks = inBlocks
      ? makeBlocks(w, seed, this.plan.t, T, () => newLedger(w, weightNow, undefined, alloc), alloc, opts.blockAgents)
      : [new Block(0, w.tally, w.wake, blockRng(seed, 0, 1), newLedger(w, weightNow, this.switches), w, w.waitingCount)];
    if (opts.check) {
      const shadow = alloc(Int32Array, w.lastActive.length);
      shadow.set(w.lastActive);
      for (const b of this.blocks) b.tally.shadowLastActive = shadow;
    }
    this.buildMs = performance.now() - this.wall0;
  }

  /** Count the blocks from scratch and take the observation at the start (in this thread). */
  start(): void {
    const { w, f, p } = this.env;
    for (const b of this.blocks) b.tally.start(w, f, p);
    for (const b of this.blocks) b.tally.sweep(w, f, 0);
    this.afterSweep(0, 0, true);
  }

  /** After the blocks' sweep on `day` (at time t): reach shares and, at observations, the stocks. */
  afterSweep(t: number, day: number, observe: boolean): void {
    const { w, f, p } = this.env;
    const { K, R, U } = w;
    const RK = this.RK;
    const blocks = this.blocks;
    for (const b of blocks) b.tally.lastSweepDay = day;
    if (this.opts.check) verifyTally(w, f, p, day, blocks.map((b) => b.tally));
    for (let k = 0; k < RK; k++) {
      const inUse = countOf(blocks, k, IN_USE);
      this.env.pass[k] = inUse > 0 ? countOf(blocks, k, REACHABLE) / inUse : 1;
    }
    if (!observe) return;
    const at = this.obs * RK;
    for (let r = 0; r < R; r++) {
      const wt = w.weight[r] * Math.exp(w.growth[r] * day);
      for (let a = 0; a < K; a++) {
        const k = r * K + a;
        writeStocks(this.stocks, at + k, blocks, k, RK, wt);
        for (let u = 0; u < U; u++) writeStocks(this.ustocks[u], at + k, blocks, (u + 1) * RK + k, RK, wt);
      }
      let waiting = 0;
      for (const b of blocks) waiting += b.waitCount[r];
      const weightNow = w.weight[r] * Math.exp(w.growth[r] * t);
      this.offline[this.obs * R + r] = waiting * weightNow;
    }
    this.obsTimes[this.obs++] = t;
  }

  /** After step `step`: its flows, the sweep's sums, progress. */
  afterStep(step: number): void {
    addFlows(this.blocks, this.signups, this.installs, this.usignups, this.uinstalls, step, this.RK, this.w.U);
    const day = this.sched.day[step];
    if (day >= 0) {
      const tEnd = this.plan.t[step] + this.plan.dt[step];
      // The fields the blocks swept with (a thread's own copy elsewhere), for the check.
      if (this.opts.check) setFields(this.env, tEnd);
      this.afterSweep(tEnd, day, this.sched.observe[step] === 1);
    }
    const onProgress = this.opts.onProgress;
    if (onProgress && step + 1 >= this.progressMark) {
      onProgress((step + 1) / this.S, 'run');
      this.progressMark = step + 1 + Math.max(1, Math.floor(this.S / 200));
    }
  }

  result(): RunResult {
    const { input, w, S, RK, obs, switches } = this;
    const { R, U } = w;
    for (const b of this.blocks) if (b.ledger.switches !== switches) for (let k = 0; k < switches.length; k++) switches[k] += b.ledger.switches[k];
    const universes: UniverseSeries[] = input.universes.map((name, u) => ({
      name,
      population: input.regions.map((reg) => reg.population * reg.universeShare[u]),
      flows: { signups: sliceUniverse(this.usignups, S, U, u, RK), installs: sliceUniverse(this.uinstalls, S, U, u, RK) },
      stocks: Object.fromEntries(Object.entries(this.ustocks[u]).map(([m, v]) => [m, v.slice(0, obs * RK)])) as RunResult['stocks'],
    }));
    return {
      scenario: { name: input.name, title: input.title, hash: this.meta.hash, projection: input.projection },
      seed: this.opts.seed,
      agents: w.n,
      weights: Array.from(w.weight),
      params: this.p,
      startMs: input.startMs,
      regions: w.regionIds,
      platforms: w.platforms.map((pl) => pl.id),
      population: Array.from(w.population),
      growth: Array.from(w.growth),
      stepTimes: this.plan.t,
      stepDt: this.plan.dt,
      flows: { signups: this.signups, installs: this.installs },
      obsTimes: this.obsTimes.slice(0, obs),
      stocks: Object.fromEntries(Object.entries(this.stocks).map(([m, v]) => [m, v.slice(0, obs * RK)])) as RunResult['stocks'],
      universes,
      offline: this.offline.slice(0, obs * R),
      switches,
      wallMs: performance.now() - this.wall0,
      buildMs: this.buildMs,
    };
  }
}

/** A run in this thread: one block (the default) or, with opts.threads, the blocks one after another. */
export function simulate(input: ModelInput, p: Params, opts: RunOptions, meta: { hash: string }): RunResult {
  const run = new Run(input, p, opts, meta, opts.threads !== undefined);
  run.start();
  opts.onProgress?.(0, 'run');
  const { w } = run.env;
  for (let step = 0; step < run.S; step++) {
    if (run.blocks.length > 1) deliver(w, run.env.p, run.blocks);
    if (opts.check) verifyReach(w, `before step ${step}`);
    stepBlocks(run.env, run.blocks, step);
    run.afterStep(step);
  }
  return run.result();
}

/** Universe u's per-step flows out of the interleaved per-step buffer (step, universe, region, app). */
function sliceUniverse(buf: Float64Array, S: number, U: number, u: number, RK: number): Float64Array {
  const out = new Float64Array(S * RK);
  for (let s = 0; s < S; s++) out.set(buf.subarray((s * U + u) * RK, (s * U + u + 1) * RK), s * RK);
  return out;
}


/** A block's ledger of flows (its own arrays; the run's switch matrix for a run in one block). */
export function newLedger(w: World, weightNow: Float64Array, switches?: Float64Array, alloc: Alloc = plainAlloc): StepLedger {
  const RK = w.R * w.K;
  return {
    t: 0,
    weightNow,
    signups: alloc(Float64Array, RK),
    installs: alloc(Float64Array, RK),
    usignups: alloc(Float64Array, w.U * RK),
    uinstalls: alloc(Float64Array, w.U * RK),
    switches: switches ?? alloc(Float64Array, (w.K + 1) * w.K),
    capacityLeft: alloc(Float64Array, RK + w.K),
  };
}

/** Add the blocks' flows of step `step` into the run's series, in block order. */
function addFlows(blocks: readonly Block[], signups: Float64Array, installs: Float64Array, usignups: Float64Array, uinstalls: Float64Array, step: number, RK: number, U: number): void {
  for (let k = 0; k < RK; k++) {
    let s = 0;
    let i = 0;
    for (const b of blocks) {
      s += b.ledger.signups[k];
      i += b.ledger.installs[k];
    }
    signups[step * RK + k] = s;
    installs[step * RK + k] = i;
  }
  for (let k = 0; k < U * RK; k++) {
    let s = 0;
    let i = 0;
    for (const b of blocks) {
      s += b.ledger.usignups[k];
      i += b.ledger.uinstalls[k];
    }
    usignups[step * U * RK + k] = s;
    uinstalls[step * U * RK + k] = i;
  }
}

/** People in use of each region and app (group 0), summed over the blocks into `out`. */
export function sumInUse(blocks: readonly Block[], out: Float64Array): Float64Array {
  for (let k = 0; k < out.length; k++) out[k] = countOf(blocks, k, IN_USE);
  return out;
}

/** A counter summed over the blocks (exact: integers). */
function countOf(blocks: readonly Block[], gk: number, slot: number): number {
  let n = 0;
  for (const b of blocks) n += b.tally.c[gk * SLOTS + slot];
  return n;
}

/** Stocks of one cell of the tallies (gk: group * R * K + r * K + a), weighted to people. */
function writeStocks(s: Record<StockMetric, Float64Array>, at: number, blocks: readonly Block[], gk: number, RK: number, wt: number): void {
  let mau = 0;
  for (const b of blocks) mau += b.tally.mau(Math.floor(gk / RK), gk % RK);
  s.dau[at] = (countOf(blocks, gk, DAU_Q) / DAU_UNIT) * wt;
  s.mau[at] = mau * wt;
  s.installed[at] = countOf(blocks, gk, N_INSTALLED) * wt;
  s.users[at] = countOf(blocks, gk, N_USERS) * wt;
  s.active[at] = countOf(blocks, gk, N_ACTIVE) * wt;
  s.primary[at] = countOf(blocks, gk, N_PRIMARY) * wt;
}
