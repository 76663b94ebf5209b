// A worker thread of a run in blocks (threads.ts): the world's arrays are shared with the thread
// that started it; this thread owns some blocks (their tallies, calendars and streams), steps them
// when told, and reports what they did to people in other blocks. Inside a step the threads meet
// twice (barrier.ts): after re-classifying their blocks each publishes its blocks' counts of people
// in use, and each works out from all of them how well known the apps are (its own copy of known);
// after the step each adds its blocks' changes to the reach counts of people in other blocks.
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelInput } from './input.ts';
import { fastParams, type Params } from './params.ts';
import type { World } from './world.ts';
import type { StepLedger } from './decide.ts';
import { hear } from './decide.ts';
import { makeFields } from './fields.ts';
import { IN_USE, SLOTS, Tally } from './tally.ts';
import { WakeCalendar } from './wake.ts';
import { Outbox } from './outbox.ts';
import { Block, blockRng, enter, reachOutside } from './block.ts';
import { setFields, stepBlocks, type StepEnv } from './engine.ts';
import { unpackViews, type Alloc } from './alloc.ts';
import { meet } from './barrier.ts';
import type { Inbox, SharedWorld, StepReport } from './threads.ts';

interface Setup {
  input: ModelInput;
  p: Params;
  seed: number;
  blocks: number;
  world: SharedWorld;
  plan: { t: Float64Array; dt: Float64Array };
  sweepDay: Int32Array;
  T: number;
  pass: Float64Array;
  /** Per block (block * R * K + r * K + a): its people in use, published for the other threads. */
  inUse: Float64Array;
  /** The barrier's cells and the number of worker threads that meet there. */
  barrier: Int32Array;
  threads: number;
  shadow: Int32Array | null;
  own: { k: number; lo: number; hi: number; arrays: (Int32Array | Float64Array)[] }[];
}

/** An allocator that hands out the given arrays in order (the blocks' arrays the main thread reads). */
function adopt(arrays: (Int32Array | Float64Array)[]): Alloc {
  let next = 0;
  return (<T>() => arrays[next++] as unknown as T) as Alloc;
}

function worldOf(s: SharedWorld, input: ModelInput): World {
  const K = s.K;
  return {
    n: s.n, K, R: s.R, U: s.U, platforms: input.platforms, regionIds: s.regionIds, regionStart: s.regionStart, weight: s.weight,
    population: s.population, growth: s.growth, region: s.region, privacy: s.privacy, circ: s.circ, inertia: s.inertia, activity: s.activity,
    universe: s.universe, status: s.status, lastActive: s.lastActive, reachCount: s.reachCount, primary: s.primary, heard: s.heard, attn: s.attn, attnT: s.attnT,
    // Replaced by the block being stepped (enter).
    wake: null as unknown as WakeCalendar,
    tally: null as unknown as Tally,
    waiting: s.waiting, waitingStart: s.waitingStart, waitingCount: new Int32Array(s.R), net: { offsets: s.offsets, nbrs: s.nbrs },
    asc: s.asc, trend: s.trend, addConst: s.addConst, known: s.known, tasteSalt: s.tasteSalt, lo: 0, hi: 0, outbox: new Outbox(), circShared: s.circShared,
    scratchU: new Float64Array(K), scratchW: new Float64Array(K),
  };
}

const setup = unpackViews(workerData) as Setup;
const { input, plan } = setup;
const p = fastParams(setup.p);
const w = worldOf(setup.world, input);
const shared = { code: setup.world.code, aList: setup.world.aList, aPos: setup.world.aPos };
const weightNow = new Float64Array(w.R);
const blocks: Block[] = setup.own.map(({ k, lo, hi, arrays }) => {
  const alloc = adopt(arrays);
  const tally = new Tally(w.n, w.K, w.regionStart, w.U, setup.T, { lo, hi }, shared, alloc);
  tally.shadowLastActive = setup.shadow;
  const rest = arrays.slice(4);
  const ledger: StepLedger = {
    t: 0, weightNow, signups: rest[0] as Float64Array, installs: rest[1] as Float64Array, usignups: rest[2] as Float64Array,
    uinstalls: rest[3] as Float64Array, switches: rest[4] as Float64Array, capacityLeft: rest[5] as Float64Array,
  };
  const wake = new WakeCalendar(hi - lo, plan.t, setup.T, setup.world.due, lo);
  return new Block(k, tally, wake, blockRng(setup.seed, k, setup.blocks), ledger, w, rest[6] as Int32Array);
});
const byIndex = new Map(blocks.map((b) => [b.index, b]));
const RK = w.R * w.K;
const inUse = new Float64Array(RK);
/** Publish this thread's blocks' people in use, wait for the others, and sum all blocks in block order. */
function inUseOfRun(): Float64Array {
  const pub = setup.inUse;
  for (const b of blocks) for (let k = 0; k < RK; k++) pub[b.index * RK + k] = b.tally.c[k * SLOTS + IN_USE];
  meet(setup.barrier, setup.threads);
  for (let k = 0; k < RK; k++) {
    let n = 0;
    for (let bi = 0; bi < setup.blocks; bi++) n += pub[bi * RK + k];
    inUse[k] = n;
  }
  return inUse;
}
const env: StepEnv = {
  w, f: makeFields(w.R, w.K), p, input, plan, sweepDay: setup.sweepDay, pass: setup.pass, weightNow, arrival: input.regions.map((r) => r.arrival),
  inUse: inUseOfRun,
};

const port = parentPort!;
function fail(e: unknown): void {
  port.postMessage({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
}

try {
  setFields(env, 0);
  for (const b of blocks) b.tally.start(w, env.f, p);
  for (const b of blocks) b.tally.sweep(w, env.f, 0);
  port.postMessage({ type: 'ready' });
} catch (e) {
  fail(e);
}

port.on('message', (m: { type: 'step'; step: number; inbox: Inbox }) => {
  try {
    // Word of mouth from other blocks at the end of the last step, in the order they told it.
    const { inbox } = m;
    for (let x = 0; x < inbox.agent.length; x++) {
      const b = byIndex.get(inbox.block[x])!;
      enter(w, b);
      hear(w, p, inbox.agent[x], inbox.app[x], inbox.at[x], b.rng);
    }
    stepBlocks(env, blocks, m.step);
    // Reach counts of contacts in other blocks. Every thread has finished its step (nobody reads
    // them now) and the changes are integer sums (their order does not matter), so each thread adds
    // its own blocks' changes; sent to the main thread they were copied twice on the way.
    meet(setup.barrier, setup.threads);
    for (const b of blocks) reachOutside(w, b, true);
    const moved: ArrayBuffer[] = [];
    const report: StepReport = {
      type: 'done',
      blocks: blocks.map((b) => {
        const o = b.outbox;
        const r = { k: b.index, toldAgent: o.toldAgent.slice(0, o.nTold), toldApp: o.toldApp.slice(0, o.nTold), toldAt: o.toldAt.slice(0, o.nTold), learnt: o.learnt.slice(0, o.nLearnt) };
        moved.push(r.toldAgent.buffer, r.toldApp.buffer, r.toldAt.buffer, r.learnt.buffer);
        o.clear();
        return r;
      }),
    };
    // The copies move to the main thread rather than being copied again on the way.
    port.postMessage(report, moved);
  } catch (e) {
    fail(e);
  }
});
