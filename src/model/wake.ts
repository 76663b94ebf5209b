// Word of mouth without visiting every alerted person every step: when a person's attention changes,
// draw the time they will next reconsider from the decaying hazard considerWom * A * exp(-womDecay * s)
// (exact inversion; "never" when the total hazard runs out) and file them in that step's bucket.
// A later kick redraws (the Poisson process is memoryless), leaving the old entry stale. A reaction
// falls at the earliest into the next step, so news cannot cascade without end inside one step.
import type { Rng } from './rng.ts';
import type { AgentBatch } from './order.ts';

export class WakeCalendar {
  /** Step each agent is due in, -1 if none. */
  readonly due: Int32Array;
  /** First agent (minus offset) filed in each step, -1 if none. */
  private head: Int32Array;
  // Each agent is in at most one step's list (the one it is due in): the lists are threaded through
  // two arrays indexed by agent, so a redraw moves the agent rather than leaving a stale entry. The
  // memory is fixed (8 bytes per agent) however often people are kicked; a list of entries that
  // kept the stale ones grew without bound in long runs (a one-agent-per-person Russia ran out of
  // memory). Who is drained in a step is the same set either way; the caller sorts it.
  /** The step being simulated. */
  current = -1;

  /**
   * For the n agents offset .. offset + n - 1; `due` (indexed by agent) may be the world's, shared
   * by the blocks of a run in blocks.
   */
  constructor(
    n: number,
    private readonly stepStart: Float64Array,
    private readonly stepEnd: number,
    due?: Int32Array,
    private readonly offset = 0,
  ) {
    this.due = due ?? new Int32Array(n).fill(-1);
    this.head = new Int32Array(stepStart.length).fill(-1);
    this.n = n;
  }

  private readonly n: number;
  // The lists are allocated when the first agent is filed: the world's own calendar is never used
  // by a run in blocks (each block has its own), and should not cost 8 bytes per person there.
  private next: Int32Array = new Int32Array(0);
  private prev: Int32Array = new Int32Array(0);

  private links(): void {
    this.next = new Int32Array(this.n).fill(UNLINKED);
    this.prev = new Int32Array(this.n).fill(-1);
  }

  /** Schedule agent i, whose attention is `att` at time t, given the word-of-mouth rates. */
  schedule(i: number, t: number, att: number, considerWom: number, womDecay: number, rng: Rng): void {
    const total = (considerWom * att) / womDecay;
    const e = -Math.log(1 - rng());
    if (e >= total) return this.cancel(i);
    const when = t - Math.log(1 - e / total) / womDecay;
    if (when >= this.stepEnd) return this.cancel(i);
    const s = Math.max(this.stepOf(when), this.current + 1);
    if (s >= this.stepStart.length) return this.cancel(i);
    this.file(i, s);
  }

  /** Have agent i reconsider at time `when` (days), unless they are already due no later. */
  scheduleAt(i: number, when: number): void {
    if (when >= this.stepEnd) return;
    const s = Math.max(this.stepOf(when), this.current + 1);
    if (s >= this.stepStart.length) return;
    if (this.due[i] >= 0 && this.due[i] <= s) return;
    this.file(i, s);
  }

  /** Take the next agent due in step s (or -1 when none is left). */
  pop(s: number): number {
    const x = this.head[s];
    if (x < 0) return -1;
    const i = x + this.offset;
    this.unlink(x);
    this.due[i] = -1;
    return i;
  }

  /**
   * Move everyone due in step s into `batch` (`due` is left as it is: the caller takes those still
   * due when it visits them).
   */
  drain(s: number, batch: AgentBatch): void {
    let x = this.head[s];
    this.head[s] = -1;
    while (x >= 0) {
      const nx = this.next[x];
      this.next[x] = UNLINKED;
      this.prev[x] = -1;
      batch.push(x + this.offset);
      x = nx;
    }
  }

  /** Agent i is due nowhere any more (and out of its step's list). */
  private cancel(i: number): void {
    const x = i - this.offset;
    if (this.next.length && this.next[x] !== UNLINKED) this.unlink(x);
    this.due[i] = -1;
  }

  private file(i: number, s: number): void {
    if (!this.next.length) this.links();
    const x = i - this.offset;
    if (this.next[x] !== UNLINKED) this.unlink(x);
    this.due[i] = s;
    const h = this.head[s];
    this.next[x] = h;
    this.prev[x] = -1;
    if (h >= 0) this.prev[h] = x;
    this.head[s] = x;
  }

  /** Take x out of the list of the step its agent is due in. */
  private unlink(x: number): void {
    const nx = this.next[x];
    const pv = this.prev[x];
    if (pv >= 0) this.next[pv] = nx;
    else this.head[this.due[x + this.offset]] = nx;
    if (nx >= 0) this.prev[nx] = pv;
    this.next[x] = UNLINKED;
    this.prev[x] = -1;
  }

  private stepOf(t: number): number {
    let lo = 0;
    let hi = this.stepStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.stepStart[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** `next` of an agent in no list (-1 ends a list). */
const UNLINKED = -2;
