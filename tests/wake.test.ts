// The word-of-mouth calendar (src/model/wake.ts): who is drained in a step is exactly who is due in
// it, however often people were redrawn, and redraws do not pile up entries (its memory is fixed:
// a long one-agent-per-person run once ran out of memory on stale entries).
import { describe, expect, it } from 'vitest';
import { WakeCalendar } from '../src/model/wake.ts';
import { AgentBatch } from '../src/model/order.ts';
import { makeRng } from '../src/model/rng.ts';

const steps = 50;
const stepStart = Float64Array.from({ length: steps }, (_, s) => s);

function drained(c: WakeCalendar, s: number): number[] {
  const b = new AgentBatch();
  c.drain(s, b);
  b.sort();
  return Array.from(b.buf.subarray(0, b.n));
}

describe('wake calendar', () => {
  it('drains exactly the agents due in a step, each once, after many redraws and cancellations', () => {
    const n = 400;
    const offset = 1000; // a block's agents: indices offset .. offset + n - 1 in the world's `due`
    const due = new Int32Array(offset + n).fill(-1);
    const c = new WakeCalendar(n, stepStart, steps, due, offset);
    const rng = makeRng(7, 'wake-test');
    for (let k = 0; k < 20_000; k++) {
      const i = offset + Math.floor(rng() * n);
      if (rng() < 0.5) c.schedule(i, 0, 0.2 + 3 * rng(), 1, 0.5, rng);
      else c.scheduleAt(i, 1 + 40 * rng());
    }
    for (let s = 0; s < steps; s++) {
      c.current = s;
      const want: number[] = [];
      for (let i = offset; i < offset + n; i++) if (due[i] === s) want.push(i);
      expect(drained(c, s)).toEqual(want);
      for (const i of want) due[i] = -1;
      // Someone filed from here goes into a later step, never this one.
      if (s + 1 < steps) {
        c.scheduleAt(offset + (s % n), s + 0.5);
        expect(due[offset + (s % n)]).toBeGreaterThan(s);
      }
    }
  });

  it('keeps a fixed memory however often people are redrawn', () => {
    const n = 10_000;
    const c = new WakeCalendar(n, stepStart, steps, undefined, 0);
    const rng = makeRng(3, 'wake-memory');
    const sizes = () => Object.values(c).reduce((a: number, v) => a + (ArrayBuffer.isView(v) ? v.byteLength : 0), 0);
    for (let i = 0; i < n; i++) c.scheduleAt(i, 40);
    const before = sizes();
    // A million redraws between steps 1 and 40: with stale entries kept, 8 MB more each time round.
    for (let k = 0; k < 1_000_000; k++) c.schedule(Math.floor(rng() * n), 0, 5, 1, 0.1, rng);
    expect(sizes()).toBe(before);
    // due, next and previous per agent; the steps' heads and start times.
    expect(before).toBeLessThanOrEqual(n * 12 + steps * 12);
  });
});
