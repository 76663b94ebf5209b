// Counters kept up to date as people change their apps, so that the daily sweep and the
// observations cost what changed, not agents x apps x days:
// - per region and app (and universe): people who have it in use, who can reach it, who can use it
//   today and their expected daily use (fixed point), installed, registered, main app;
// - "last used" lazily: someone who can use an app counts as having used it at every daily sweep,
//   and the day is only written (World.lastActive) when they stop; a histogram of those days per
//   region and app gives the monthly audience;
// - the people whose main app does not work for them (cut off, or down), per region, so the
//   engine draws the frustrated and the people reaching for another app from them alone.
// Every counted cell (agent i, app a) caches its access code (decide.ts `access`) under the fields
// of the current step. When a field that `access` or daily use reads changes (a shock starts or
// ends), `refresh` re-classifies the cells of that region and app. The state changes that move a
// counter go through the functions of world.ts (setActive, signUp, setPrimary, ...), which call
// `out` before and `in` after the change. tally-check.ts verifies all of it against a full scan.
import type { World } from './world.ts';
import type { Fields } from './fields.ts';
import { PROXY_EASE } from './fields.ts';
import type { Params } from './params.ts';
import { ACTIVE, EVER, INSTALLED, NO_APP } from './world.ts';
import { access, CUT, DOWN, VIA } from './decide.ts';
import { plainAlloc, type Alloc } from './alloc.ts';

/** Counter slots per (group, region, app); group 0 is everyone, group u + 1 universe u. */
export const IN_USE = 0; // active, app launched
export const REACHABLE = 1; // ... and not cut off
export const USABLE = 2; // ... and working for them now (used at each sweep)
export const DAU_Q = 3; // their expected daily use, in DAU_UNIT per agent
export const N_INSTALLED = 4;
export const N_USERS = 5; // ever signed up
export const N_ACTIVE = 6;
export const N_PRIMARY = 7;
export const SLOTS = 8;

/** Daily use is summed in fixed point (exact integers, so the order of updates does not matter). */
export const DAU_UNIT = 2 ** 24;
/** Days of "last used" that count towards the monthly audience. */
export const MAU_DAYS = 30;

const CODE = 3;
/** Cell became usable after the last sweep (so that sweep did not count it as used). */
const FRESH = 4;

/** Expected use of app a by agent i on a day, given its access code: the daily audience's rule. */
export function dailyUse(w: World, p: Params, i: number, a: number, code: number, useFactor: number, proxy: number): number {
  // Round a block, use drops by the hassle's share (halved by a built-in proxy, as in viaHassle).
  const use = (a === w.primary[i] ? p.usePrimary : p.useSecondary) * w.activity[i] * useFactor * (code === VIA ? 1 - p.vpnHassle * (proxy ? 1 - PROXY_EASE : 1) : 1);
  return use > 1 ? 1 : use;
}

export class Tally {
  readonly K: number;
  readonly R: number;
  readonly U: number;
  readonly RK: number;
  /** Days in the histogram of last use. */
  readonly HD: number;
  on = false;
  /** Access code per cell (index i * K + a), with the FRESH bit. Valid where status != 0 or main app. */
  readonly code: Uint8Array;
  /** Counters, index ((g * RK) + r * K + a) * SLOTS + slot. */
  readonly c: Float64Array;
  /** People not using the app now, by the day they last used it: ((g * RK) + k) * HD + day. */
  readonly hist: Int32Array;
  /** Day of the last sweep (-1 before the first). */
  lastSweepDay = -1;
  /** Set while the sweep re-classifies: who becomes usable then is used that day. */
  private atSweep = false;
  private fresh: Int32Array;
  private nFresh = 0;
  private f!: Fields;
  private p!: Params;
  // The fields the codes and counters were computed with.
  private readonly sLaunched: Uint8Array;
  private readonly sUse: Float32Array;
  private readonly sHardness: Float32Array;
  private readonly sSeverity: Float32Array;
  private readonly sOutageSalt: Int32Array;
  private readonly changed: Uint8Array;
  private readonly prev: Uint8Array;
  /**
   * People whose main app is cut off (left end of their region's segment segLo[r]..) or down
   * (right end, ..segHi[r]); aPos[i] is i's place, or -1. The arrays are the world's (shared by
   * the blocks of a run on several threads); each tally writes its own agents' segments.
   */
  readonly aList: Int32Array;
  readonly aPos: Int32Array;
  readonly nCut: Int32Array;
  readonly nDown: Int32Array;
  /** The agents this tally counts: per region r, segLo[r] .. segHi[r] - 1 (lo .. hi - 1 in all). */
  readonly lo: number;
  readonly hi: number;
  readonly segLo: Uint32Array;
  readonly segHi: Uint32Array;
  /** Check mode only: lastActive as a full daily sweep would write it (tally-check.ts). */
  shadowLastActive: Int32Array | null = null;

  /**
   * A tally of agents lo .. hi - 1 of a world with these region bounds. `shared` are the world's
   * per-agent arrays (a new world's when absent); `alloc` makes the counters (shared memory when
   * other threads read them).
   */
  constructor(
    n: number,
    K: number,
    regionStart: Uint32Array,
    U: number,
    days: number,
    range: { lo: number; hi: number } = { lo: 0, hi: n },
    shared?: { code: Uint8Array; aList: Int32Array; aPos: Int32Array },
    alloc: Alloc = plainAlloc,
  ) {
    const R = regionStart.length - 1;
    this.K = K;
    this.R = R;
    this.U = U;
    this.RK = R * K;
    this.HD = Math.ceil(days) + 2;
    this.lo = range.lo;
    this.hi = range.hi;
    this.segLo = new Uint32Array(R);
    this.segHi = new Uint32Array(R);
    for (let r = 0; r < R; r++) {
      this.segLo[r] = Math.min(Math.max(regionStart[r], range.lo), range.hi);
      this.segHi[r] = Math.max(Math.min(regionStart[r + 1], range.hi), this.segLo[r]);
    }
    this.code = shared?.code ?? alloc(Uint8Array, n * K);
    this.c = alloc(Float64Array, (U + 1) * this.RK * SLOTS);
    this.hist = alloc(Int32Array, (U + 1) * this.RK * this.HD);
    this.fresh = new Int32Array(1024);
    this.sLaunched = new Uint8Array(K);
    this.sUse = new Float32Array(this.RK);
    this.sHardness = new Float32Array(this.RK);
    this.sSeverity = new Float32Array(this.RK);
    this.sOutageSalt = new Int32Array(this.RK);
    this.changed = new Uint8Array(this.RK);
    this.prev = new Uint8Array(K);
    this.aList = shared?.aList ?? alloc(Int32Array, n);
    this.aPos = shared?.aPos ?? alloc(Int32Array, n).fill(-1);
    this.nCut = alloc(Int32Array, R);
    this.nDown = alloc(Int32Array, R);
  }

  /** Count the world from scratch (after the main apps are assigned and the fields set). */
  start(w: World, f: Fields, p: Params): void {
    this.f = f;
    this.p = p;
    this.snapshot(f);
    const K = this.K;
    for (let i = this.lo; i < this.hi; i++) {
      const r = w.region[i];
      const pa = w.primary[i];
      for (let a = 0; a < K; a++) {
        const b = i * K + a;
        if (w.status[b] === 0 && a !== pa) continue;
        this.code[b] = access(w, f, i, r, a);
        this.account(w, i, a, 1, this.sLaunched[a], this.sUse[r * K + a]);
      }
      this.placeAffected(w, i);
    }
    this.on = true;
  }

  /** Before a change of cell (i, a): take it out of the counters; returns whether it was usable. */
  out(w: World, i: number, a: number): boolean {
    if (!this.on) return false;
    return this.account(w, i, a, -1, this.sLaunched[a], this.sUse[w.region[i] * this.K + a]);
  }

  /** After the change: settle "last used" and count it again. `recode`: its access may have changed. */
  in(w: World, i: number, a: number, wasUsable: boolean, recode: boolean): void {
    if (!this.on) return;
    const b = i * this.K + a;
    const r = w.region[i];
    if (recode) this.code[b] = (this.code[b] & FRESH) | access(w, this.f, i, r, a);
    this.settle(w, b, wasUsable, this.usable(w, b, this.sLaunched[a]));
    this.account(w, i, a, 1, this.sLaunched[a], this.sUse[r * this.K + a]);
  }

  /** Before a change that may alter the access of all of agent i's apps (their circumvention skill). */
  outAgent(w: World, i: number): void {
    if (!this.on) return;
    for (let a = 0; a < this.K; a++) this.prev[a] = this.out(w, i, a) ? 1 : 0;
  }

  /** After it: re-classify agent i's apps and count them again. */
  inAgent(w: World, i: number): void {
    if (!this.on) return;
    const K = this.K;
    const pa = w.primary[i];
    for (let a = 0; a < K; a++) {
      if (w.status[i * K + a] === 0 && a !== pa) continue;
      this.in(w, i, a, this.prev[a] === 1, true);
    }
    this.placeAffected(w, i);
  }

  /**
   * The fields changed (a new step): re-classify the cells of every region and app whose access or
   * daily use may have changed. `atSweep`: the daily sweep counts what is usable now as used today.
   * (A mobile-internet shutdown is not a per-person state: it changes daily use, via useFactor.)
   */
  refresh(w: World, f: Fields, atSweep: boolean): void {
    const { K, R } = this;
    let any = false;
    for (let r = 0; r < R; r++) {
      for (let a = 0; a < K; a++) {
        const k = r * K + a;
        const ch =
          f.launched[a] !== this.sLaunched[a] ||
          f.hardness[k] !== this.sHardness[k] ||
          f.outageSeverity[k] !== this.sSeverity[k] ||
          f.outageSalt[k] !== this.sOutageSalt[k] ||
          f.useFactor[k] !== this.sUse[k];
        this.changed[k] = ch ? 1 : 0;
        any ||= ch;
      }
    }
    if (!any) return;
    this.atSweep = atSweep;
    for (let r = 0; r < R; r++) {
      let anyHere = false;
      for (let a = 0; a < K; a++) anyHere ||= this.changed[r * K + a] === 1;
      // Agents in index order: the lists of people whose main app does not work change in the
      // same order as by a scan of the world.
      if (anyHere) for (let i = this.segLo[r]; i < this.segHi[r]; i++) this.reclassify(w, f, i);
    }
    this.atSweep = false;
    this.snapshot(f);
  }

  /** Re-classify agent i's apps that changed. */
  private reclassify(w: World, f: Fields, i: number): void {
    const K = this.K;
    const r = w.region[i];
    const pa = w.primary[i];
    let primaryChanged = false;
    for (let a = 0; a < K; a++) {
      const k = r * K + a;
      if (!this.changed[k]) continue;
      const b = i * K + a;
      if (w.status[b] === 0 && a !== pa) continue;
      const code = access(w, f, i, r, a);
      const launched = f.launched[a];
      const use = f.useFactor[k];
      const old = this.code[b] & CODE;
      const same = launched === this.sLaunched[a] && use === this.sUse[k];
      if (code === old && same) continue;
      if (a === pa) primaryChanged = true;
      // Working <-> down (an outage) with nothing else changed: only whether it is
      // used today moves, and nothing at all for an app not in use.
      const partial = same && old !== CUT && code !== CUT;
      if (partial && !(w.status[b] & ACTIVE && launched)) {
        this.code[b] = (this.code[b] & FRESH) | code;
        continue;
      }
      const was = this.account(w, i, a, -1, this.sLaunched[a], this.sUse[k], partial);
      this.code[b] = (this.code[b] & FRESH) | code;
      this.settle(w, b, was, this.usable(w, b, launched));
      this.account(w, i, a, 1, launched, use, partial);
    }
    if (primaryChanged) this.placeAffected(w, i);
  }

  /** The daily sweep: what is usable now counts as used on `day`. */
  sweep(w: World, f: Fields, day: number): void {
    this.refresh(w, f, true);
    for (let x = 0; x < this.nFresh; x++) this.code[this.fresh[x]] &= ~FRESH;
    this.nFresh = 0;
    this.lastSweepDay = day;
  }

  /** Monthly audience of group g, cell k on the day of the last sweep. */
  mau(g: number, k: number): number {
    const day = this.lastSweepDay;
    const gk = g * this.RK + k;
    let n = this.c[gk * SLOTS + USABLE];
    const h = gk * this.HD;
    for (let d = Math.max(0, day - MAU_DAYS + 1); d <= day && d < this.HD; d++) n += this.hist[h + d];
    return n;
  }

  /** Whether agent i's main app is cut off for them (they are in the cut-off list). */
  isCut(w: World, i: number): boolean {
    const pos = this.aPos[i];
    const r = w.region[i];
    return pos >= 0 && pos < this.segLo[r] + this.nCut[r];
  }

  /** Agent i's main app does not work for them: keep them in the cut-off or down list of their region. */
  placeAffected(w: World, i: number): void {
    if (!this.on) return;
    const pa = w.primary[i];
    const code = pa === NO_APP ? 0 : this.code[i * this.K + pa] & CODE;
    const want = code === CUT ? 1 : code === DOWN ? 2 : 0;
    const r = w.region[i];
    const s0 = this.segLo[r];
    const s1 = this.segHi[r];
    const pos = this.aPos[i];
    const have = pos < 0 ? 0 : pos < s0 + this.nCut[r] ? 1 : 2;
    if (have === want) return;
    const L = this.aList;
    if (have === 1) {
      const last = s0 + --this.nCut[r];
      const j = L[last];
      L[pos] = j;
      this.aPos[j] = pos;
    } else if (have === 2) {
      const first = s1 - this.nDown[r]--;
      const j = L[first];
      L[pos] = j;
      this.aPos[j] = pos;
    }
    this.aPos[i] = -1;
    if (want === 1) {
      const at = s0 + this.nCut[r]++;
      L[at] = i;
      this.aPos[i] = at;
    } else if (want === 2) {
      const at = s1 - ++this.nDown[r];
      L[at] = i;
      this.aPos[i] = at;
    }
  }

  /** Whether cell b counted as used at the last sweep (usable since before it). */
  usedAtLastSweep(w: World, b: number): boolean {
    return this.on && this.usable(w, b, this.sLaunched[b % this.K]) && !(this.code[b] & FRESH);
  }

  private usable(w: World, b: number, launched: number): boolean {
    return (w.status[b] & ACTIVE) !== 0 && launched !== 0 && (this.code[b] & CODE) <= VIA;
  }

  /** "Last used" when a cell stops or starts being usable between the counts. */
  private settle(w: World, b: number, was: boolean, now: boolean): void {
    if (was === now) return;
    if (was) {
      // Used at the last sweep unless the stretch began after it.
      if (!(this.code[b] & FRESH) && w.lastActive[b] < this.lastSweepDay) w.lastActive[b] = this.lastSweepDay;
      this.code[b] &= ~FRESH;
    } else if (!this.atSweep) {
      this.code[b] |= FRESH;
      if (this.nFresh === this.fresh.length) {
        const grown = new Int32Array(this.fresh.length * 2);
        grown.set(this.fresh);
        this.fresh = grown;
      }
      this.fresh[this.nFresh++] = b;
    }
  }

  /**
   * Add (sign 1) or remove (-1) cell (i, a) from the counters; returns whether it is usable.
   * `onlyUse`: the counters of use today alone (the cell's status and reach are unchanged).
   */
  private account(w: World, i: number, a: number, sign: number, launched: number, useFactor: number, onlyUse = false): boolean {
    const K = this.K;
    const b = i * K + a;
    const st = w.status[b];
    if (st === 0) return false;
    const k = w.region[i] * K + a;
    const code = this.code[b] & CODE;
    const inUse = (st & ACTIVE) !== 0 && launched !== 0;
    const usable = inUse && code <= VIA;
    const q = usable ? Math.round(dailyUse(w, this.p, i, a, code, useFactor, this.f.proxy[a]) * DAU_UNIT) : 0;
    const la = usable ? 0 : w.lastActive[b]; // only read where it counts (a cache miss saved)
    const isPrimary = a === w.primary[i];
    const c = this.c;
    let m = this.U > 0 ? w.universe[i] : 0;
    let g = 0;
    for (;;) {
      const gk = g * this.RK + k;
      const o = gk * SLOTS;
      if (usable) {
        c[o + USABLE] += sign;
        c[o + DAU_Q] += sign * q;
      } else if (la >= 0) this.hist[gk * this.HD + la] += sign;
      if (!onlyUse) {
        if (inUse) {
          c[o + IN_USE] += sign;
          if (code !== CUT) c[o + REACHABLE] += sign;
        }
        if (st & INSTALLED) c[o + N_INSTALLED] += sign;
        if (st & EVER) c[o + N_USERS] += sign;
        if (st & ACTIVE) c[o + N_ACTIVE] += sign;
        if (isPrimary) c[o + N_PRIMARY] += sign;
      }
      if (m === 0) break;
      g = 32 - Math.clz32(m & -m); // lowest universe bit u, as group u + 1
      m &= m - 1;
    }
    return usable;
  }

  private snapshot(f: Fields): void {
    this.sLaunched.set(f.launched);
    this.sUse.set(f.useFactor);
    this.sHardness.set(f.hardness);
    this.sSeverity.set(f.outageSeverity);
    this.sOutageSalt.set(f.outageSalt);
  }
}

/** Share of a region below which an app counts as unknown there (nobody uses it). */
export const KNOWN_FLOOR = 1e-4;

/**
 * w.known from the counters: log of the share of each region's people who use each app, relative
 * to the most used there. Shares, not agent counts, so it does not drift with the number of agents.
 * `inUse` (R * K): people in use of each app (IN_USE), over the whole run (all its blocks).
 */
export function refreshKnown(w: World, inUse: Float64Array): void {
  const { K, R } = w;
  for (let r = 0; r < R; r++) {
    const size = w.regionStart[r + 1] - w.regionStart[r];
    let top = -Infinity;
    for (let a = 0; a < K; a++) {
      const share = size > 0 ? inUse[r * K + a] / size : 0;
      const v = Math.log(Math.max(KNOWN_FLOOR, share));
      w.known[r * K + a] = v;
      if (v > top) top = v;
    }
    for (let a = 0; a < K; a++) w.known[r * K + a] -= top;
  }
}
