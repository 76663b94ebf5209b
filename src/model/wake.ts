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
  private head: Int32Array;
  private agent: Int32Array;
  private next: Int32Array;
  private free = -1;
  private used = 0;
  /** The step being simulated. */
  current = -1;

  /** For n agents; `due` may be the world's (shared by the blocks of a run in blocks). */
  constructor(
    n: number,
    private readonly stepStart: Float64Array,
    private readonly stepEnd: number,
    due?: Int32Array,
  ) {
    this.due = due ?? new Int32Array(n).fill(-1);
    this.head = new Int32Array(stepStart.length).fill(-1);
    // Few people wait on word of mouth at once: an eighth of the agents to start with, grown as needed.
    const cap = Math.max(1024, Math.ceil(n / 8));
    this.agent = new Int32Array(cap);
    this.next = new Int32Array(cap);
  }

  /** Schedule agent i, whose attention is `att` at time t, given the word-of-mouth rates. */
  schedule(i: number, t: number, att: number, considerWom: number, womDecay: number, rng: Rng): void {
    const total = (considerWom * att) / womDecay;
    const e = -Math.log(1 - rng());
    if (e >= total) {
      this.due[i] = -1;
      return;
    }
    const when = t - Math.log(1 - e / total) / womDecay;
    if (when >= this.stepEnd) {
      this.due[i] = -1;
      return;
    }
    const s = Math.max(this.stepOf(when), this.current + 1);
    if (s >= this.stepStart.length) {
      this.due[i] = -1;
      return;
    }
    this.file(i, s);
  }

  private file(i: number, s: number): void {
    this.due[i] = s;
    const node = this.alloc();
    this.agent[node] = i;
    this.next[node] = this.head[s];
    this.head[s] = node;
  }

  /** Have agent i reconsider at time `when` (days), unless they are already due no later. */
  scheduleAt(i: number, when: number): void {
    if (when >= this.stepEnd) return;
    const s = Math.max(this.stepOf(when), this.current + 1);
    if (s >= this.stepStart.length) return;
    if (this.due[i] >= 0 && this.due[i] <= s) return;
    this.file(i, s);
  }

  /** Take the next agent due in step s (or -1 when none is left); stale entries are skipped. */
  pop(s: number): number {
    while (this.head[s] >= 0) {
      const node = this.head[s];
      this.head[s] = this.next[node];
      const i = this.agent[node];
      this.next[node] = this.free;
      this.free = node;
      if (this.due[i] === s) {
        this.due[i] = -1;
        return i;
      }
    }
    return -1;
  }

  /**
   * Move everyone due in step s into `batch` (stale entries dropped; `due` is left as it is: the
   * caller takes those still due when it visits them, as pop would).
   */
  drain(s: number, batch: AgentBatch): void {
    while (this.head[s] >= 0) {
      const node = this.head[s];
      this.head[s] = this.next[node];
      const i = this.agent[node];
      this.next[node] = this.free;
      this.free = node;
      if (this.due[i] === s) batch.push(i);
    }
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

  private alloc(): number {
    if (this.free >= 0) {
      const node = this.free;
      this.free = this.next[node];
      return node;
    }
    if (this.used === this.agent.length) {
      // Grow geometrically: rare, amortised.
      const cap = Math.ceil(this.agent.length * 1.5);
      const agent = new Int32Array(cap);
      agent.set(this.agent);
      const next = new Int32Array(cap);
      next.set(this.next);
      this.agent = agent;
      this.next = next;
    }
    return this.used++;
  }
}
