// The state of a run as columns of typed arrays (structure of arrays). Agent i's state for app a is
// at index i * K + a. Nothing here allocates per step.
import type { Network } from './network.ts';
import type { WakeCalendar } from './wake.ts';

/** Bits of `status[i * K + a]`. */
export const INSTALLED = 1;
export const ACTIVE = 2; // installed and in use (not dormant)
export const EVER = 4; // has ever signed up (so a later install is a re-install, not a sign-up)

/** `primary[i]` value of an agent that uses no messenger yet. */
export const NO_APP = 255;

export interface Platform {
  id: string;
  quality: number;
  price: number;
  privacy: number;
  /** Sign-ups per day worldwide, Infinity when unlimited. */
  capacityPerDay: number;
  /** Day (since start) the app becomes available; -Infinity when it exists from the start. */
  launchDay: number;
  voice: boolean;
  slowLinks: boolean;
  e2ee: boolean;
}

export interface World {
  n: number;
  K: number;
  R: number;
  platforms: Platform[];
  regionIds: string[];
  /** Agents of region r are regionStart[r] .. regionStart[r+1]-1. */
  regionStart: Uint32Array;
  /** People one agent stands for, per region. */
  weight: Float64Array;
  population: Float64Array;
  region: Uint8Array;
  privacy: Float32Array;
  skill: Float32Array;
  inertia: Float32Array;
  activity: Float32Array;
  status: Uint8Array;
  /** Last day (integer, since start) the agent used app a; -1 never, large negative before start. */
  lastActive: Int32Array;
  primary: Uint8Array;
  /** Word-of-mouth attention and the time (days) it was last updated; decays lazily. */
  attn: Float32Array;
  attnT: Float32Array;
  /** When people with word-of-mouth attention will next reconsider. */
  wake: WakeCalendar;
  /** Not-yet-users per region, for market growth (swap-remove lists by region). */
  waiting: Int32Array;
  waitingCount: Int32Array;
  net: Network;
  /** App-specific constants per region (R*K), set so that the initial primary shares are stationary. */
  asc: Float64Array;
  /** Scratch space for the decision rule (K entries each). */
  scratchReach: Float64Array;
  scratchU: Float64Array;
  scratchAccess: Uint8Array;
}
