// The simulation loop. Per step: shocks set the fields; people reconsider (news and frustration via
// thinning of a region-level rate, word of mouth and trial reviews via a calendar, newcomers via
// arrivals); people whose main app does not work reach for something else; only agents with
// something to decide are touched. Once a day a sweep takes the share of each app's users who can
// still reach it and, at observation times, the stock metrics from counters kept up to date as
// people change their apps (tally.ts): its cost does not grow with the number of agents.
import type { Params } from './params.ts';
import type { ModelInput } from './input.ts';
import { makeFields, resetFields, type Fields } from './fields.ts';
import { applyShocks } from './shocks/index.ts';
import { createWorld, assignMainApps, allocateAgents } from './population.ts';
import type { RunSize } from './memory.ts';
import type { StepLedger } from './decide.ts';
import { Block, blockRng, stepBlock } from './block.ts';
import type { World } from './world.ts';
import { STOCK_METRICS, type RunResult, type StockMetric, type UniverseSeries } from './results.ts';
import { DAU_Q, DAU_UNIT, IN_USE, N_ACTIVE, N_INSTALLED, N_PRIMARY, N_USERS, REACHABLE, SLOTS } from './tally.ts';
import { verifyTally } from './tally-check.ts';

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
  const shutdown = input.shocks.reduce((m, s) => (s.type === 'connectivity' ? Math.max(m, s.severity) : m), 0);
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
    shutdown,
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

export function simulate(input: ModelInput, p: Params, opts: RunOptions, meta: { hash: string }): RunResult {
  const wall0 = performance.now();
  const seed = opts.seed;
  const plan = stepPlan(input);
  const S = plan.t.length;
  const T = S ? plan.t[S - 1] + plan.dt[S - 1] : 0;
  const build = opts.onProgress && ((d: number) => opts.onProgress!(d, 'build'));
  const w = createWorld(input, opts.agents ?? input.agents, seed, plan.t, T, opts.scale, build);
  const { K, R, U } = w;
  const RK = R * K;
  const f = makeFields(R, K);
  const setFields = (t: number) => {
    resetFields(f, input.platforms, t);
    applyShocks(input.shocks, t, f, p);
  };
  // App constants are fitted to the world before any shock: a shock under way at the start (e.g.
  // a promotion) must move people, not be absorbed into the constants.
  resetFields(f, input.platforms, 0);
  assignMainApps(w, f, p, input, seed, build);
  setFields(0);
  w.tally.start(w, f, p);
  if (opts.check) w.tally.shadowLastActive = Int32Array.from(w.lastActive);
  const pass = new Float64Array(RK).fill(1);
  const buildMs = performance.now() - wall0;
  opts.onProgress?.(0, 'run');

  const observe = input.observe;
  const O = Math.floor(T / observe + 1e-9) + 1 + 1; // t = 0, every `observe`, and the end
  const newStocks = () => Object.fromEntries(STOCK_METRICS.map((m) => [m, new Float64Array(O * RK)])) as RunResult['stocks'];
  const stocks = newStocks();
  const ustocks = Array.from({ length: U }, newStocks);
  const obsTimes = new Float64Array(O);
  const offline = new Float64Array(O * R);
  const signups = new Float64Array(S * RK);
  const installs = new Float64Array(S * RK);
  const usignups = new Float64Array(S * U * RK);
  const uinstalls = new Float64Array(S * U * RK);
  const switches = new Float64Array((K + 1) * K);
  const weightNow = new Float64Array(R);
  const arrival = input.regions.map((r) => r.arrival);
  const setWeights = (t: number) => {
    for (let r = 0; r < R; r++) weightNow[r] = w.weight[r] * Math.exp(w.growth[r] * t);
  };
  const blocks = [new Block(0, w.tally, w.wake, blockRng(seed, 0, 1), newLedger(w, weightNow, switches), w, w.waitingCount)];

  let obs = 0;
  const observeNow = (t: number) => {
    setWeights(t);
    sweep(w, f, p, blocks, Math.floor(t + 1e-9), pass, { stocks, ustocks, at: obs * RK }, opts.check);
    for (let r = 0; r < R; r++) {
      let waiting = 0;
      for (const b of blocks) waiting += b.waitCount[r];
      offline[obs * R + r] = waiting * weightNow[r];
    }
    obsTimes[obs++] = t;
  };
  observeNow(0);
  let nextObs = observe;
  let lastSweepDay = 0;
  let progressMark = 0;

  for (let step = 0; step < S; step++) {
    const t = plan.t[step];
    const dt = plan.dt[step];
    setFields(t);
    for (const b of blocks) b.tally.refresh(w, f, false);
    setWeights(t);
    // Reach: the share of an app's users who can reach it (blocks, shutdowns: from the last sweep;
    // an outage: its severity).
    for (let k = 0; k < RK; k++) f.availShare[k] = pass[k] * (1 - f.outageSeverity[k]);
    for (const b of blocks) stepBlock(w, f, p, b, step, t, dt, arrival);
    // This step's flows: the blocks' ledgers, added in block order.
    addFlows(blocks, signups, installs, usignups, uinstalls, step, RK, U);

    // 6. Daily activity sweep and observations at the end of the step.
    const tEnd = t + dt;
    const day = Math.floor(tEnd + 1e-9);
    if (tEnd >= nextObs - 1e-9 || step === S - 1) {
      setFields(tEnd);
      observeNow(tEnd);
      lastSweepDay = day;
      while (nextObs <= tEnd + 1e-9) nextObs += observe;
    } else if (day > lastSweepDay) {
      setFields(tEnd);
      sweep(w, f, p, blocks, day, pass, null, opts.check);
      lastSweepDay = day;
    }

    if (opts.onProgress && step + 1 >= progressMark) {
      opts.onProgress((step + 1) / S, 'run');
      progressMark = step + 1 + Math.max(1, Math.floor(S / 200));
    }
  }

  const universes: UniverseSeries[] = input.universes.map((name, u) => ({
    name,
    population: input.regions.map((reg) => reg.population * reg.universeShare[u]),
    flows: { signups: sliceUniverse(usignups, S, U, u, RK), installs: sliceUniverse(uinstalls, S, U, u, RK) },
    stocks: Object.fromEntries(Object.entries(ustocks[u]).map(([m, v]) => [m, v.slice(0, obs * RK)])) as RunResult['stocks'],
  }));
  return {
    scenario: { name: input.name, title: input.title, hash: meta.hash, projection: input.projection },
    seed,
    agents: w.n,
    weights: Array.from(w.weight),
    params: p,
    startMs: input.startMs,
    regions: w.regionIds,
    platforms: w.platforms.map((pl) => pl.id),
    population: Array.from(w.population),
    growth: Array.from(w.growth),
    stepTimes: plan.t,
    stepDt: plan.dt,
    flows: { signups, installs },
    obsTimes: obsTimes.slice(0, obs),
    stocks: Object.fromEntries(Object.entries(stocks).map(([m, v]) => [m, v.slice(0, obs * RK)])) as RunResult['stocks'],
    universes,
    offline: offline.slice(0, obs * R),
    switches,
    wallMs: performance.now() - wall0,
    buildMs,
  };
}

/** Universe u's per-step flows out of the interleaved per-step buffer (step, universe, region, app). */
function sliceUniverse(buf: Float64Array, S: number, U: number, u: number, RK: number): Float64Array {
  const out = new Float64Array(S * RK);
  for (let s = 0; s < S; s++) out.set(buf.subarray((s * U + u) * RK, (s * U + u + 1) * RK), s * RK);
  return out;
}

interface SweepOut {
  stocks: RunResult['stocks'];
  ustocks: RunResult['stocks'][];
  at: number;
}

/** A block's ledger of flows (its own arrays; the run's switch matrix for a run in one block). */
export function newLedger(w: World, weightNow: Float64Array, switches = new Float64Array((w.K + 1) * w.K)): StepLedger {
  const RK = w.R * w.K;
  return {
    t: 0,
    weightNow,
    signups: new Float64Array(RK),
    installs: new Float64Array(RK),
    usignups: new Float64Array(w.U * RK),
    uinstalls: new Float64Array(w.U * RK),
    switches,
    capacityLeft: new Float64Array(RK + w.K),
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

/**
 * Once a day: people in use of an app they can reach used it today, and `pass` gets the share of
 * each app's users who can reach it (blocks, shutdowns). With `out`, also write the stock metrics at
 * offset `at` (index r * K + a), weighted to real people. All of it reads the blocks' counters.
 */
function sweep(w: World, f: Fields, p: Params, blocks: readonly Block[], day: number, pass: Float64Array, out: SweepOut | null, check = false): void {
  const { K, R, U } = w;
  const RK = R * K;
  for (const b of blocks) b.tally.sweep(w, f, day);
  if (check) verifyTally(w, f, p, day, blocks.map((b) => b.tally));
  for (let k = 0; k < RK; k++) {
    const inUse = countOf(blocks, k, IN_USE);
    pass[k] = inUse > 0 ? countOf(blocks, k, REACHABLE) / inUse : 1;
  }
  if (!out) return;
  for (let r = 0; r < R; r++) {
    const wt = w.weight[r] * Math.exp(w.growth[r] * day);
    for (let a = 0; a < K; a++) {
      const k = r * K + a;
      writeStocks(out.stocks, out.at + k, blocks, k, RK, wt);
      for (let u = 0; u < U; u++) writeStocks(out.ustocks[u], out.at + k, blocks, (u + 1) * RK + k, RK, wt);
    }
  }
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
