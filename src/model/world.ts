// The state of a run as columns of typed arrays (structure of arrays). Agent i's state for app a is
// at index i * K + a. Nothing here allocates per step.
import type { Network } from './network.ts';
import type { WakeCalendar } from './wake.ts';
import type { PlatformInput } from './input.ts';

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
  region: Uint16Array;
  privacy: Float32Array;
  /** Circumvention skill at the start (aptitude); `circ` is what the person can get round now. */
  skill: Float32Array;
  circ: Float32Array;
  inertia: Float32Array;
  activity: Float32Array;
  /** Bit u set: the agent belongs to universe u. */
  universe: Uint8Array;
  status: Uint8Array;
  /** Last day (integer, since start) the agent used app a; -1 never, large negative before start. */
  lastActive: Int32Array;
  /** Contacts of agent i who are active on app a (kept up to date by setActive). */
  reachCount: Uint16Array;
  primary: Uint8Array;
  /** Word-of-mouth attention and the time (days) it was last updated; decays lazily. */
  attn: Float32Array;
  attnT: Float32Array;
  /** When people with word-of-mouth attention (or a trial to review) will next reconsider. */
  wake: WakeCalendar;
  /** Not-yet-users per region, for market growth (swap-remove lists by region). */
  waiting: Int32Array;
  waitingCount: Int32Array;
  net: Network;
  /** App-specific constants per region (R*K), set so that the initial main-app shares are at rest. */
  asc: Float64Array;
  /** How well known each app is: its constant minus the region's largest (<= 0), per region and app. */
  known: Float64Array;
  /** Salt of the persistent personal tastes (a pure function of the seed). */
  tasteSalt: number;
  /** Scratch space for the decision rule (K entries each). */
  scratchU: Float64Array;
  scratchW: Float64Array;
  scratchAccess: Uint8Array;
}

/** Switch app a on or off for agent i, keeping the contacts' reach counts up to date. */
export function setActive(w: World, i: number, a: number, on: boolean): void {
  const K = w.K;
  const b = i * K + a;
  const st = w.status[b];
  if (Boolean(st & ACTIVE) === on) return;
  w.status[b] = on ? st | ACTIVE : st & ~ACTIVE;
  const { offsets, nbrs } = w.net;
  const o1 = offsets[i + 1];
  const rc = w.reachCount;
  if (on) for (let x = offsets[i]; x < o1; x++) rc[nbrs[x] * K + a]++;
  else for (let x = offsets[i]; x < o1; x++) rc[nbrs[x] * K + a]--;
}
