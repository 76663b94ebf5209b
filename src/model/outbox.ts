// What a block's decisions do to people in other blocks, held until the end of the step (a run in
// blocks: block.ts): the apps its people switched on or off, which their contacts there count,
// word of mouth to them (with the app it names), and the block's own people who learnt to get round a block (published for others'
// know-how). Applied in block order, so the result does not depend on which thread ran which block.
export class Outbox {
  /**
   * Apps this block's people switched on (+1) or off (-1) that contacts in other blocks count in
   * their reach: cell index (agent * K + app) and the change, in pairs. One entry per change, not
   * one per contact: the person's contacts are read again from the network at the step's end.
   */
  reach = new Int32Array(256);
  nReach = 0;
  /** Word of mouth: the contact told, the app named to them, and when (days). */
  toldAgent = new Int32Array(256);
  toldApp = new Uint8Array(256);
  toldAt = new Float64Array(256);
  nTold = 0;
  /** This block's people whose circumvention changed in the step. */
  learnt = new Int32Array(64);
  nLearnt = 0;

  addReach(cell: number, delta: number): void {
    if (this.nReach + 2 > this.reach.length) this.reach = grow(this.reach, this.nReach + 2);
    this.reach[this.nReach++] = cell;
    this.reach[this.nReach++] = delta;
  }

  tell(j: number, app: number, t: number): void {
    if (this.nTold === this.toldAgent.length) this.resizeTold(this.nTold * 2);
    this.toldAgent[this.nTold] = j;
    this.toldApp[this.nTold] = app;
    this.toldAt[this.nTold++] = t;
  }

  learn(i: number): void {
    if (this.nLearnt === this.learnt.length) this.learnt = grow(this.learnt, this.nLearnt + 1);
    this.learnt[this.nLearnt++] = i;
  }

  /** Room for m messages (at least 256), keeping those told so far unless `keep` is false. */
  private resizeTold(m: number, keep = true): void {
    m = Math.max(256, m);
    const agent = new Int32Array(m);
    const app = new Uint8Array(m);
    const at = new Float64Array(m);
    if (keep) {
      agent.set(this.toldAgent.subarray(0, this.nTold));
      app.set(this.toldApp.subarray(0, this.nTold));
      at.set(this.toldAt.subarray(0, this.nTold));
    }
    this.toldAgent = agent;
    this.toldApp = app;
    this.toldAt = at;
  }

  /**
   * Empty for the next step. Space grown for an exceptional step is given back when a step uses
   * less than a quarter of it: kept, every block would hold it for the rest of the run.
   */
  clear(): void {
    if (this.reach.length > SHRINK_ABOVE && this.nReach * 4 < this.reach.length) this.reach = new Int32Array(Math.max(256, this.nReach * 2));
    if (this.toldAgent.length > SHRINK_ABOVE && this.nTold * 4 < this.toldAgent.length) this.resizeTold(this.nTold * 2, false);
    this.nReach = 0;
    this.nTold = 0;
    this.nLearnt = 0;
  }
}

const SHRINK_ABOVE = 1 << 16;

function grow(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
