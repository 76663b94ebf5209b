// A run in blocks on worker threads (RunOptions.threads > 1). This thread builds the world in shared
// memory and keeps the run's series; each worker steps a fixed set of blocks (block k on worker
// k mod threads). Per step: the workers hear the word of mouth addressed to their blocks, step them,
// meet, add their blocks' changes to other blocks' reach counts (shared memory), and send back the
// rest of what their blocks did to others; this thread publishes the know-how, routes the word of
// mouth (with the app it names) for the next step, and adds up the flows and stocks. Each block
// only ever sees its own stream and the shared state as at the start of the step (and how well
// known the apps are, from all blocks' counts after the step's re-classification: the workers
// meet for it, barrier.ts), so the results are those of the same run on one thread (engine.ts
// simulate), byte for byte.
import { Worker } from 'node:worker_threads';
import type { Params } from './params.ts';
import type { ModelInput } from './input.ts';
import type { RunResult } from './results.ts';
import type { World } from './world.ts';
import { Run, simulate, type RunOptions } from './engine.ts';
import { blockCount, blockOf, type Block } from './block.ts';
import { packViews, sharedAlloc } from './alloc.ts';
import { abortBarrier, barrierCells } from './barrier.ts';
import { verifyReach } from './tally-check.ts';

const ENTRY = new URL('./thread-entry.mjs', import.meta.url);

/** The parts of a world a worker needs: shared arrays (not copied) and small tables (copied). */
export function shareWorld(w: World) {
  return {
    n: w.n, K: w.K, R: w.R, U: w.U, regionIds: w.regionIds, regionStart: w.regionStart, weight: w.weight, population: w.population, growth: w.growth,
    region: w.region, privacy: w.privacy, circ: w.circ, inertia: w.inertia, activity: w.activity, universe: w.universe, status: w.status,
    lastActive: w.lastActive, reachCount: w.reachCount, primary: w.primary, heard: w.heard, attn: w.attn, attnT: w.attnT, due: w.wake.due, waiting: w.waiting,
    waitingStart: w.waitingStart, offsets: w.net.offsets, nbrs: w.net.nbrs, asc: w.asc, trend: w.trend, addConst: w.addConst, known: w.known, tasteSalt: w.tasteSalt, circShared: w.circShared,
    code: w.tally.code, aList: w.tally.aList, aPos: w.tally.aPos,
  };
}
export type SharedWorld = ReturnType<typeof shareWorld>;

/** A block's arrays that this thread reads (counters, flows, waiting count), in the order the worker adopts them. */
export function blockArrays(b: Block): (Int32Array | Float64Array)[] {
  const l = b.ledger;
  return [b.tally.c, b.tally.hist, b.tally.nCut, b.tally.nDown, l.signups, l.installs, l.usignups, l.uinstalls, l.switches, l.capacityLeft, b.waitCount];
}

/** What a worker sends back after a step: per block of its own, in block order, what it did to others. */
export interface StepReport {
  type: 'done';
  blocks: { k: number; toldAgent: Int32Array; toldApp: Uint8Array; toldAt: Float64Array; learnt: Int32Array }[];
}
/** Word of mouth for a worker's blocks: the block, the contact, the app named, when; in the order the blocks told them. */
export interface Inbox {
  block: Int32Array;
  agent: Int32Array;
  app: Uint8Array;
  at: Float64Array;
}

/** A run in blocks on `opts.threads` worker threads (on this one when there is one block or one thread). */
export async function simulateThreads(input: ModelInput, p: Params, opts: RunOptions, meta: { hash: string }): Promise<RunResult> {
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  // One thread, or one block: the same run in this thread.
  if (threads === 1 || blockCount(input, opts) === 1) return simulate(input, p, { ...opts, threads }, meta);
  const run = new Run(input, p, { ...opts, threads }, meta, true, sharedAlloc);
  const B = run.blocks.length;
  const T = Math.min(threads, B);
  const owner = (k: number) => k % T;
  const shadow = run.blocks[0].tally.shadowLastActive;
  const barrier = barrierCells();
  const inUse = sharedAlloc(Float64Array, B * run.w.R * run.w.K);
  const workers = Array.from({ length: T }, (_, t) => {
    const mine = run.blocks.filter((b) => owner(b.index) === t);
    return new Worker(ENTRY, {
      workerData: packViews({
        input, p, seed: opts.seed, blocks: B, blockAgents: opts.blockAgents, world: shareWorld(run.w), plan: run.plan, sweepDay: run.sched.day, T: run.T,
        pass: run.env.pass, inUse, barrier, threads: T, shadow, own: mine.map((b) => ({ k: b.index, lo: b.lo, hi: b.hi, arrays: blockArrays(b) })),
      }),
    });
  });
  const inboxes: Inbox[] = workers.map(() => emptyInbox());
  let failure: Error | null = null;
  const waiters: ((m: unknown) => void)[] = [];
  // A worker that stops must not leave the others waiting at the barrier.
  const stop = (e: Error) => {
    failure ??= e;
    abortBarrier(barrier);
  };
  const replies = workers.map((wk, t) => {
    const queue: unknown[] = [];
    wk.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'error') stop(new Error(`exodus run (thread ${t}): ${m.message}`));
      queue.push(m);
      waiters[t]?.(undefined);
    });
    wk.on('error', (e) => {
      stop(e);
      waiters[t]?.(undefined);
    });
    wk.on('exit', (code) => {
      if (code !== 0) stop(new Error(`exodus run: a worker thread stopped (exit code ${code}); was memory short?`));
      waiters[t]?.(undefined);
    });
    return async () => {
      while (!queue.length && !failure) await new Promise((r) => (waiters[t] = r));
      if (failure) throw failure;
      return queue.shift();
    };
  });
  try {
    // The workers count their blocks and sweep day 0; then the observation at the start.
    await Promise.all(replies.map((next) => next()));
    run.afterSweep(0, 0, true);
    opts.onProgress?.(0, 'run');
    const { w } = run.env;
    for (let step = 0; step < run.S; step++) {
      // The inboxes' memory moves to the workers (no copy on the way).
      workers.forEach((wk, t) => wk.postMessage({ type: 'step', step, inbox: inboxes[t] }, inboxBuffers(inboxes[t])));
      const reports = (await Promise.all(replies.map((next) => next()))) as StepReport[];
      // What the blocks did to each other, in block order.
      const all = reports.flatMap((r) => r.blocks).sort((a, b) => a.k - b.k);
      for (const o of all) for (const i of o.learnt) w.circShared[i] = w.circ[i];
      if (opts.check) verifyReach(w, `after step ${step}`);
      routeWordOfMouth(all, run.blocks, owner, inboxes);
      run.afterStep(step);
    }
    return run.result();
  } finally {
    abortBarrier(barrier);
    await Promise.all(workers.map((wk) => wk.terminate()));
  }
}

/**
 * Word of mouth to people in other blocks, for the worker that owns each contact's block, in the
 * order the blocks told it. Counted first and written into arrays of the exact size (plain lists
 * of numbers cost about five times the memory).
 */
function routeWordOfMouth(all: StepReport['blocks'], blocks: readonly Block[], owner: (k: number) => number, inboxes: Inbox[]): void {
  let total = 0;
  for (const o of all) total += o.toldAgent.length;
  // Each message's block, found once.
  const dest = new Int32Array(total);
  const count = new Int32Array(inboxes.length);
  let z = 0;
  for (const o of all) {
    for (let x = 0; x < o.toldAgent.length; x++) {
      dest[z] = blockOf(blocks, o.toldAgent[x]).index;
      count[owner(dest[z++])]++;
    }
  }
  for (let t = 0; t < inboxes.length; t++) {
    const c = count[t];
    inboxes[t] = { block: new Int32Array(c), agent: new Int32Array(c), app: new Uint8Array(c), at: new Float64Array(c) };
  }
  const fill = new Int32Array(inboxes.length);
  z = 0;
  for (const o of all) {
    for (let x = 0; x < o.toldAgent.length; x++) {
      const d = dest[z++];
      const t = owner(d);
      const box = inboxes[t];
      const y = fill[t]++;
      box.block[y] = d;
      box.agent[y] = o.toldAgent[x];
      box.app[y] = o.toldApp[x];
      box.at[y] = o.toldAt[x];
    }
  }
}

function inboxBuffers(b: Inbox): ArrayBuffer[] {
  return [b.block.buffer, b.agent.buffer, b.app.buffer, b.at.buffer] as ArrayBuffer[];
}

function emptyInbox(): Inbox {
  return { block: new Int32Array(0), agent: new Int32Array(0), app: new Uint8Array(0), at: new Float64Array(0) };
}
