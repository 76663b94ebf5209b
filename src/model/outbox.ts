// What a block's decisions do to people in other blocks, held until the end of the step (a run in
// blocks: block.ts): changes of their contacts' reach counts, word of mouth to them (with the app
// it names), and the block's own people who learnt to get round a block (published for others'
// know-how). Applied in block order, so the result does not depend on which thread ran which block.
export class Outbox {
  /** Reach count changes: cell index (agent * K + app) and +1 / -1, in pairs. */
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
    if (this.nTold === this.toldAgent.length) {
      this.toldAgent = grow(this.toldAgent, this.nTold + 1);
      const named = new Uint8Array(this.toldAgent.length);
      named.set(this.toldApp);
      this.toldApp = named;
      const at = new Float64Array(this.toldAgent.length);
      at.set(this.toldAt);
      this.toldAt = at;
    }
    this.toldAgent[this.nTold] = j;
    this.toldApp[this.nTold] = app;
    this.toldAt[this.nTold++] = t;
  }

  learn(i: number): void {
    if (this.nLearnt === this.learnt.length) this.learnt = grow(this.learnt, this.nLearnt + 1);
    this.learnt[this.nLearnt++] = i;
  }

  clear(): void {
    this.nReach = 0;
    this.nTold = 0;
    this.nLearnt = 0;
  }
}

function grow(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
