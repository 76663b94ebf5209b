// The state of a run as columns of typed arrays (structure of arrays). Agent i's state for app a is
// at index i * K + a. Nothing here allocates per step.
import type { Network } from './network.ts';
import type { WakeCalendar } from './wake.ts';
import type { PlatformInput } from './input.ts';
import type { Tally } from './tally.ts';
import type { Outbox } from './outbox.ts';

/** Bits of `status[i * K + a]`. */
export const INSTALLED = 1;
export const ACTIVE = 2; // installed and in use (not dormant)
export const EVER = 4; // has ever signed up (so a later install is a re-install, not a sign-up)
export const REQUIRED = 8; // required to use it (school, work, public services): not let go dormant

/** `primary[i]` value of an agent that uses no messenger yet. */
export const NO_APP = 255;

export interface World {
  n: number;
  K: number;
  R: number;
  /** Number of universes (bases other than the whole population). */
  U: number;
  platforms: PlatformInput[];
  regionIds: string[];
  /** Agents of region r are regionStart[r] .. regionStart[r+1]-1. */
  regionStart: Uint32Array;
  /** People one agent stands for, per region, at the start (growth scales it with time). */
  weight: Float64Array;
  population: Float64Array;
  growth: Float64Array;
  region: Uint8Array;
  privacy: Float32Array;
  /** Circumvention: what the person can get round now (drawn at the start, learnt during blocks). */
  circ: Float32Array;
  inertia: Float32Array;
  activity: Float32Array;
  /** Bit u set: the agent belongs to universe u. */
  universe: Uint8Array;
  status: Uint8Array;
  /**
   * Last day (integer, since start) the agent used app a before their current stretch of use; -1
   * never, large negative before the start. Someone who can use the app now counts as using it
   * every day (see lastUsed); the day is written when they stop (tally.ts).
   */
  lastActive: Int16Array;
  /** Contacts of agent i who are active on app a (kept up to date by setActive). */
  reachCount: Uint8Array | Uint16Array;
  primary: Uint8Array;
  /** Word-of-mouth attention and the time (days) it was last updated; decays lazily. */
  /** The app a contact last told agent i they installed or moved to (NO_APP: none since i last reconsidered). */
  heard: Uint8Array;
  attn: Float32Array;
  attnT: Float32Array;
  /** When people with word-of-mouth attention (or a trial to review) will next reconsider. */
  wake: WakeCalendar;
  /** Not-yet-users per region, for market growth (swap-remove lists by region). */
  waiting: Int32Array;
  /** Region r's not-yet-users are waiting[waitingStart[r] .. waitingStart[r] + waitingCount[r] - 1]. */
  waitingStart: Uint32Array;
  waitingCount: Int32Array;
  net: Network;
  /** App-specific constants per region (R*K), set so that the initial main-app shares are at rest. */
  asc: Float64Array;
  /**
   * Background adoption per region and app (R*K; per day per unit of reach): the hazard at which
   * someone not using the app takes it up through contacts there, fitted at the build so that the
   * world without shocks grows as the scenario's reported trend says (trend.ts). 0: no trend.
   */
  trend: Float64Array;
  /**
   * Constant of adding each app beside one's main app, per region (R*K, utility, on top of
   * trialBias), fitted at the build so that without shocks as many people add the app as let it
   * go (trend.ts): the starting market is at rest, as the main-app constants (asc) make it for main
   * apps. 0 for an app nobody uses at the start (trialBias alone).
   */
  addConst: Float64Array;
  /**
   * How well known each app is in each region: log of the share of the region's people using it,
   * relative to the most used app (<= 0; refreshKnown, every step).
   */
  known: Float64Array;
  /** Salt of the persistent personal tastes (a pure function of the seed). */
  tasteSalt: number;
  /** Counters kept up to date by the functions below (audiences, reach, who is cut off). */
  tally: Tally;
  /**
   * The block of agents being stepped (block.ts): lo .. hi - 1 (everyone in a run on one thread).
   * Effects on people outside it wait in `outbox` for the end of the step, and their circumvention
   * is read as it was at the start of the step (`circShared`; the same array as circ when the run
   * is one block).
   */
  lo: number;
  hi: number;
  outbox: Outbox;
  circShared: Float32Array;
  /** Scratch space for the decision rule (K entries each). */
  scratchU: Float64Array;
  scratchW: Float64Array;
}

// Every change of a person's apps, main app or circumvention skill goes through these functions:
// they keep the contacts' reach counts and the tally's counters up to date.

/** Switch app a on or off for agent i, keeping the contacts' reach counts up to date. */
export function setActive(w: World, i: number, a: number, on: boolean): void {
  const K = w.K;
  const b = i * K + a;
  const st = w.status[b];
  if (Boolean(st & ACTIVE) === on) return;
  const was = w.tally.out(w, i, a);
  w.status[b] = on ? st | ACTIVE : st & ~ACTIVE;
  w.tally.in(w, i, a, was, st === 0);
  const { offsets, nbrs } = w.net;
  const o1 = offsets[i + 1];
  const rc = w.reachCount;
  const { lo, hi } = w;
  const d = on ? 1 : -1;
  let far = false;
  for (let x = offsets[i]; x < o1; x++) {
    const j = nbrs[x];
    if (j >= lo && j < hi) rc[j * K + a] += d;
    else far = true;
  }
  // Contacts in other blocks: the change is noted once and reaches them at the step's end (block.ts).
  if (far) w.outbox.addReach(b, d);
}

/** Whether contact j is in the block being stepped (else what happens to them waits for the step's end). */
export function isLocal(w: World, j: number): boolean {
  return j >= w.lo && j < w.hi;
}

/** Contact j, in another block, hears at time t of app `app` (handled by their block at the end of the step). */
export function tellLater(w: World, j: number, app: number, t: number): void {
  w.outbox.tell(j, app, t);
}

/** What contact j can get round (as at the start of the step when j is in another block). */
export function contactCirc(w: World, j: number): number {
  return j >= w.lo && j < w.hi ? w.circ[j] : w.circShared[j];
}

/** Agent i installs app a and is (now or from before) a registered user of it. */
export function signUp(w: World, i: number, a: number): void {
  setStatusBits(w, i, a, INSTALLED | EVER);
}

/** Agent i is required to use app a (school, work, public services): it is not let go dormant. */
export function setRequired(w: World, i: number, a: number): void {
  setStatusBits(w, i, a, REQUIRED);
}

/** App a is installed on agent i's phone for them (dormant: not in use, not signed up). */
export function preinstall(w: World, i: number, a: number): void {
  setStatusBits(w, i, a, INSTALLED);
}

function setStatusBits(w: World, i: number, a: number, bits: number): void {
  const b = i * w.K + a;
  const st = w.status[b];
  if ((st | bits) === st) return;
  const was = w.tally.out(w, i, a);
  w.status[b] = st | bits;
  w.tally.in(w, i, a, was, st === 0);
}

/** Agent i's main app becomes j. */
export function setPrimary(w: World, i: number, j: number): void {
  const old = w.primary[i];
  if (old === j) return;
  const t = w.tally;
  const wasOld = old === NO_APP ? false : t.out(w, i, old);
  const wasNew = t.out(w, i, j);
  w.primary[i] = j;
  if (old !== NO_APP) t.in(w, i, old, wasOld, false);
  t.in(w, i, j, wasNew, w.status[i * w.K + j] === 0);
  t.placeAffected(w, i);
}

/** Agent i can now get round blocks up to `level` (learnt while choosing a blocked app). */
export function learnCircumvention(w: World, i: number, level: number): void {
  if (!(level > w.circ[i])) return;
  w.tally.outAgent(w, i);
  w.circ[i] = level;
  w.tally.inAgent(w, i);
  if (w.circShared !== w.circ) w.outbox.learn(i);
}

/** Agent i used app a on `day` (e.g. reaching for it while the main app was down). */
export function markUsed(w: World, i: number, a: number, day: number): void {
  const was = w.tally.out(w, i, a);
  w.lastActive[i * w.K + a] = day;
  if (w.tally.shadowLastActive) w.tally.shadowLastActive[i * w.K + a] = day;
  w.tally.in(w, i, a, was, false);
}

/** The last day agent i used app a, as of the last daily sweep (-1: never). */
export function lastUsed(w: World, i: number, a: number): number {
  const b = i * w.K + a;
  return w.tally.usedAtLastSweep(w, b) ? Math.max(w.lastActive[b], w.tally.lastSweepDay) : w.lastActive[b];
}
