// A block of agents the engine steps as one unit. A run on one thread (the default) is one block of
// every agent, drawn from one random stream: the model as written. A run in blocks (RunOptions.
// threads) splits each region into fixed ranges of agents, each with its own random stream,
// word-of-mouth calendar, counters, flows and share of the registration capacity; what a decision
// does to someone in another block (their contacts' reach counts, word of mouth, know-how to get
// round a block) takes effect at the end of the step (outbox.ts). The layout depends on the agent
// count only, so the results do not depend on how many threads run the blocks.
import type { World } from './world.ts';
import type { Fields } from './fields.ts';
import type { Params } from './params.ts';
import type { StepLedger } from './decide.ts';
import { access, adoptInBackground, canAdopt, coAffected, frustrationRate, hear, newsRate, newsRateBound, reach, reachOut, reconsider, require, CUT } from './decide.ts';
import { NO_APP, preinstall } from './world.ts';
import { binomial, makeRng, type Rng } from './rng.ts';
import { Tally } from './tally.ts';
import { WakeCalendar } from './wake.ts';
import { AgentBatch } from './order.ts';
import { Outbox } from './outbox.ts';
import type { Alloc } from './alloc.ts';
import type { ModelInput } from './input.ts';
import { allocateAgents } from './population.ts';

export class Block {
  /** Agents lo .. hi - 1; per region r, segLo[r] .. segHi[r] - 1 (the tally's segments). */
  readonly lo: number;
  readonly hi: number;
  /** Regions with agents in this block, in order. */
  readonly regions: number[];
  readonly batch = new AgentBatch();
  /** Per region: this block's not-yet-users are world.waiting[waitStart[r] .. + waitCount[r] - 1]. */
  readonly waitStart: Uint32Array;
  readonly waitCount: Int32Array;
  /** Share of each region's (index r * K + a) and of the worldwide (R * K + a) capacity. */
  readonly capShare: Float64Array;
  readonly outbox: Outbox;

  constructor(
    readonly index: number,
    readonly tally: Tally,
    readonly wake: WakeCalendar,
    readonly rng: Rng,
    readonly ledger: StepLedger,
    w: World,
    waitCount: Int32Array,
  ) {
    this.lo = tally.lo;
    this.hi = tally.hi;
    const { R, K } = w;
    this.regions = [];
    for (let r = 0; r < R; r++) if (tally.segHi[r] > tally.segLo[r]) this.regions.push(r);
    this.capShare = new Float64Array(R * K + K);
    for (let r = 0; r < R; r++) {
      const size = w.regionStart[r + 1] - w.regionStart[r];
      const share = size > 0 ? (tally.segHi[r] - tally.segLo[r]) / size : 0;
      for (let a = 0; a < K; a++) this.capShare[r * K + a] = share;
    }
    for (let a = 0; a < K; a++) this.capShare[R * K + a] = (this.hi - this.lo) / w.n;
    // This block's part of each region's list of not-yet-users (the list is in agent order).
    this.waitStart = new Uint32Array(R);
    this.waitCount = waitCount;
    for (let r = 0; r < R; r++) {
      const s = firstAtLeast(w.waiting, w.waitingStart[r], w.waitingStart[r + 1], this.lo);
      this.waitStart[r] = s;
      this.waitCount[r] = firstAtLeast(w.waiting, s, w.waitingStart[r + 1], this.hi) - s;
    }
    this.outbox = new Outbox();
  }
}

/** First index in sorted a[from .. to) holding a value >= v (binary search). */
function firstAtLeast(a: Int32Array, from: number, to: number, v: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Most agents in one block of a run in blocks (smaller regions are one block each). */
export const BLOCK_AGENTS = 1 << 17;

/**
 * The blocks of a run in blocks: each region cut into equal ranges of at most BLOCK_AGENTS agents.
 * A function of the regions' sizes only (not of the number of threads).
 */
export function blockLayout(regionStart: Uint32Array, most = BLOCK_AGENTS): { lo: number; hi: number }[] {
  const out: { lo: number; hi: number }[] = [];
  for (let r = 0; r + 1 < regionStart.length; r++) {
    const a0 = regionStart[r];
    const size = regionStart[r + 1] - a0;
    const nb = Math.max(1, Math.ceil(size / most));
    for (let j = 0; j < nb; j++) out.push({ lo: a0 + Math.floor((j * size) / nb), hi: a0 + Math.floor(((j + 1) * size) / nb) });
  }
  return out;
}

/** How many blocks a run in blocks of `input` has (before anything is built). */
export function blockCount(input: ModelInput, opts: { agents?: number; scale?: number; blockAgents?: number }): number {
  const counts = allocateAgents(input, opts.agents ?? input.agents, opts.scale);
  const starts = new Uint32Array(counts.length + 1);
  counts.forEach((c, r) => (starts[r + 1] = starts[r] + c));
  return blockLayout(starts, opts.blockAgents).length;
}

/**
 * The blocks of a run in blocks, over a built world whose main apps are assigned: each with its own
 * tally (over the world's shared per-agent arrays), calendar, random stream and ledger. A run whose
 * regions each fit in one block and that has one region is one block: the model as written.
 */
export function makeBlocks(w: World, seed: number, stepStart: Float64Array, days: number, ledger: () => StepLedger, alloc?: Alloc, most?: number): Block[] {
  const layout = blockLayout(w.regionStart, most);
  const shared = { code: w.tally.code, aList: w.tally.aList, aPos: w.tally.aPos };
  if (layout.length > 1) {
    w.circShared = (alloc ?? ((c, n) => new c(n)))(Float32Array, w.n);
    w.circShared.set(w.circ);
  }
  return layout.map((range, k) => {
    const tally = new Tally(w.n, w.K, w.regionStart, w.U, days, range, shared, alloc);
    const wake = new WakeCalendar(range.hi - range.lo, stepStart, days, w.wake.due, range.lo);
    return new Block(k, tally, wake, blockRng(seed, k, layout.length), ledger(), w, alloc ? alloc(Int32Array, w.R) : new Int32Array(w.R));
  });
}

/** The block agent i belongs to (binary search on the blocks' ranges). */
export function blockOf(blocks: readonly Block[], i: number): Block {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (blocks[mid].lo <= i) lo = mid;
    else hi = mid - 1;
  }
  return blocks[lo];
}

/**
 * The end of a step of a run in blocks: what each block's decisions did to people in other blocks
 * takes effect, in block order (reach counts are sums; each contact told hears, with the app named,
 * in their own block, from its stream, in the order of the blocks that told them; know-how is
 * published).
 */
export function deliver(w: World, p: Params, blocks: readonly Block[]): void {
  for (const b of blocks) reachOutside(w, b, false);
  for (const b of blocks) {
    const o = b.outbox;
    for (let x = 0; x < o.nTold; x++) {
      const j = o.toldAgent[x];
      const d = blockOf(blocks, j);
      enter(w, d);
      hear(w, p, j, o.toldApp[x], o.toldAt[x], d.rng);
    }
  }
  for (const b of blocks) {
    const o = b.outbox;
    for (let x = 0; x < o.nLearnt; x++) w.circShared[o.learnt[x]] = w.circ[o.learnt[x]];
    o.clear();
  }
}

/**
 * The reach counts of block b's people's contacts in other blocks, for the apps they switched on or
 * off in the step (outbox.ts). Sums, so the order does not matter; `atomic` when worker threads
 * add to the shared counts at the same time (thread-worker.ts).
 */
export function reachOutside(w: World, b: Block, atomic: boolean): void {
  const K = w.K;
  const { offsets, nbrs } = w.net;
  const rc = w.reachCount;
  const { lo, hi, outbox: o } = b;
  for (let x = 0; x < o.nReach; x += 2) {
    const cell = o.reach[x];
    const d = o.reach[x + 1];
    const i = Math.floor(cell / K);
    const a = cell - i * K;
    const y1 = offsets[i + 1];
    for (let y = offsets[i]; y < y1; y++) {
      const j = nbrs[y];
      if (j >= lo && j < hi) continue;
      if (atomic) Atomics.add(rc, j * K + a, d);
      else rc[j * K + a] += d;
    }
  }
}

/** The random stream of block b of a run: a run in one block uses the stream of the model as written. */
export function blockRng(seed: number, b: number, blocks: number): Rng {
  return makeRng(seed, blocks === 1 ? 'steps' : `steps:${b}`);
}

/** Make block b the one decisions act on (the world's calendar, tally, range and outbox). */
export function enter(w: World, b: Block): void {
  w.tally = b.tally;
  w.wake = b.wake;
  w.lo = b.lo;
  w.hi = b.hi;
  w.outbox = b.outbox;
}

/**
 * One step of a block: people reconsider (news, frustration, word of mouth, trial reviews),
 * people whose main app does not work reach for something else, newcomers, pre-installs,
 * required apps and the market's own trend. Flows go to the block's ledger (zeroed here).
 */
export function stepBlock(w: World, f: Fields, p: Params, b: Block, step: number, t: number, dt: number, arrival: readonly number[]): void {
  const { K, R } = w;
  const { rng, ledger, batch, tally } = b;
  enter(w, b);
  const mid = t + dt / 2;
  ledger.t = t;
  ledger.signups.fill(0);
  ledger.installs.fill(0);
  ledger.usignups.fill(0);
  ledger.uinstalls.fill(0);
  // Registration capacity: the block's share of the step's. What the block left unused is carried
  // into the next step, up to one agent's weight: a share smaller than one agent per step would
  // otherwise register nobody in a small run (or a small block) and some people in a large one.
  const cap = ledger.capacityLeft;
  let wMax = 0;
  for (const r of b.regions) wMax = Math.max(wMax, ledger.weightNow[r]);
  for (let k = 0; k < R * K + K; k++) {
    const share = b.capShare[k] > 0 ? f.capacity[k] * 24 * dt * b.capShare[k] : 0;
    cap[k] = share + Math.min(Math.max(0, cap[k]), k < R * K ? ledger.weightNow[Math.floor(k / K)] : wMax);
  }

  // People drawn in this step are visited in index order (order.ts: memory locality).
  for (const r of b.regions) {
    const a0 = tally.segLo[r];
    const size = tally.segHi[r] - a0;
    // 1. News and frustration, as one thinned process: candidates at the region's upper-bound
    //    rate (news, plus frustration where some main apps are durably out of reach), each kept
    //    with probability (own rate / bound). Cost is proportional to the people who reconsider:
    //    the candidates' share that only frustration could keep is drawn from the tally's list of
    //    people cut off, the rest from the whole region, with the same chances as one pass.
    const boundN = newsRateBound(f, p, r);
    const fr = frustrationRate(f, p, r);
    const bound = boundN + fr;
    const q = 1 - Math.exp(-bound * dt);
    const k = binomial(rng, size, fr > 0 ? (q * boundN) / bound : q);
    batch.clear();
    for (let m = 0; m < k; m++) batch.push(a0 + Math.floor(rng() * size));
    batch.sort();
    for (let m = 0; m < k; m++) {
      const i = batch.buf[m];
      if (w.primary[i] === NO_APP || (fr > 0 && tally.isCut(w, i))) continue;
      if (rng() * boundN < newsRate(w, f, p, i, r)) reconsider(w, f, p, i, rng, ledger);
    }
    // People cut off, drawn from the list as it is now; someone who has moved on by their turn
    // is a miss, so everyone in the list keeps the same chance.
    const cut0 = fr > 0 ? tally.nCut[r] : 0;
    const kf = binomial(rng, cut0, q);
    batch.clear();
    for (let m = 0; m < kf; m++) batch.push(tally.aList[a0 + Math.floor(rng() * cut0)]);
    batch.sort();
    for (let m = 0; m < kf; m++) {
      const i = batch.buf[m];
      if (tally.isCut(w, i) && rng() * bound < newsRate(w, f, p, i, r) + fr) reconsider(w, f, p, i, rng, ledger);
    }
    // 2a. Mobile-internet shutdowns: on a given day a share netCut of people is cut off; those
    //     whose main app it hits, and who would use it today, reach for an app that still works.
    const cutShare = f.netCut[r];
    if (cutShare > 0) {
      const ks = binomial(rng, size, 1 - Math.exp(-p.reachOut * cutShare * dt));
      batch.clear();
      for (let m = 0; m < ks; m++) batch.push(a0 + Math.floor(rng() * size));
      batch.sort();
      for (let m = 0; m < ks; m++) {
        const i = batch.buf[m];
        const pa = w.primary[i];
        if (pa === NO_APP || !f.netHits[r * K + pa]) continue;
        if (rng() < Math.min(1, p.usePrimary * w.activity[i])) reachOut(w, f, p, i, rng, ledger, true);
      }
    }
    // 2. Main app not working (cut off or down; the tally's lists): people who try to use it
    //    notice (use is spread over the day: the chance to have noticed grows with the time since
    //    it failed); they reach for something else at rate reachOut, times the share of the app's
    //    users it fails for (coAffected).
    if (!f.disrupted[r]) continue;
    const nc = tally.nCut[r];
    const nAff = nc + tally.nDown[r];
    const a1 = tally.segHi[r] - nAff; // where the down list begins, minus the cut list
    const kr = binomial(rng, nAff, 1 - Math.exp(-p.reachOut * dt));
    batch.clear();
    for (let m = 0; m < kr; m++) {
      const x = Math.floor(rng() * nAff);
      batch.push(tally.aList[x < nc ? a0 + x : a1 + x]);
    }
    batch.sort();
    // reachOut changes neither main apps nor access, so these people stay in the lists.
    for (let m = 0; m < kr; m++) {
      const i = batch.buf[m];
      const pa = w.primary[i];
      // Only those who use the app today notice (their daily chance of use), once they open it.
      const use = Math.min(1, p.usePrimary * w.activity[i]);
      const noticed = use * (1 - Math.exp(-p.sessionsPerDay * Math.max(0, mid - f.downSince[r * K + pa])));
      if (rng() < noticed * coAffected(w, f, r, pa)) reachOut(w, f, p, i, rng, ledger);
    }
  }

  // 3. Word of mouth and trial reviews: people who are due now (a kick since they were filed
  //    redraws their time: then they are no longer due now).
  const wake = b.wake;
  wake.current = step;
  batch.clear();
  wake.drain(step, batch);
  batch.sort();
  for (let m = 0; m < batch.n; m++) {
    const i = batch.buf[m];
    if (wake.due[i] !== step) continue;
    wake.due[i] = -1;
    if (w.primary[i] !== NO_APP) reconsider(w, f, p, i, rng, ledger);
  }

  // 4. Newcomers: people starting to use a messenger at all (market growth).
  for (const r of b.regions) {
    const wc = b.waitCount[r];
    if (wc === 0 || arrival[r] === 0) continue;
    const k = binomial(rng, wc, 1 - Math.exp(-arrival[r] * dt));
    const list = b.waitStart[r];
    for (let m = 0; m < k && b.waitCount[r] > 0; m++) {
      const idx = Math.floor(rng() * b.waitCount[r]);
      const i = w.waiting[list + idx];
      reconsider(w, f, p, i, rng, ledger);
      // Only people who got an app leave the queue (a full registration server turns some away).
      if (w.primary[i] !== NO_APP) w.waiting[list + idx] = w.waiting[list + --b.waitCount[r]];
    }
  }

  // 5. Pre-installs (a promoted app installed for people, dormant until they open it: then it is
  //    their install and sign-up) and people required to use an app.
  for (const r of b.regions) {
    const a0 = tally.segLo[r];
    const size = tally.segHi[r] - a0;
    for (let a = 0; a < K; a++) {
      if (!f.launched[a]) continue;
      const pre = f.preinstall[r * K + a];
      if (pre > 0) {
        const k = binomial(rng, size, 1 - Math.exp(-pre * dt));
        for (let m = 0; m < k; m++) preinstall(w, a0 + Math.floor(rng() * size), a);
      }
      const req = f.require[r * K + a];
      if (req > 0) {
        const k = binomial(rng, size, 1 - Math.exp(-req * dt));
        for (let m = 0; m < k; m++) {
          const i = a0 + Math.floor(rng() * size);
          if (w.primary[i] !== NO_APP && access(w, f, i, r, a) !== CUT) require(w, f, i, r, a, ledger);
        }
      }
      // 6. The market's own trend (trend.ts): candidates at the fitted hazard, each taking the app
      //    up with the chance of their share of contacts reachable there.
      const h = w.trend[r * K + a];
      if (h > 0) {
        const k = binomial(rng, size, 1 - Math.exp(-h * dt));
        for (let m = 0; m < k; m++) {
          const i = a0 + Math.floor(rng() * size);
          if (canAdopt(w, f, i, r, a) && rng() < reach(w, f, i, r, a)) adoptInBackground(w, f, p, i, r, a, rng, ledger);
        }
      }
    }
  }
}
