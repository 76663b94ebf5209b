import { describe, expect, it } from 'vitest';
import { AgentBatch } from '../src/model/order.ts';
import { makeRng } from '../src/model/rng.ts';

describe('AgentBatch', () => {
  it('sorts agent indices ascending, keeping duplicates, at every size and across growth', () => {
    const rng = makeRng(3, 'order-test');
    const b = new AgentBatch();
    for (const n of [0, 1, 2, 63, 64, 65, 1000, 70_000]) {
      b.clear();
      const ref: number[] = [];
      for (let k = 0; k < n; k++) {
        // Small and large indices, and repeats.
        const v = k % 7 === 0 && k > 0 ? ref[k - 1] : Math.floor(rng() * (k % 2 ? 2 ** 31 : 5000));
        b.push(v);
        ref.push(v);
      }
      b.sort();
      ref.sort((x, y) => x - y);
      expect(Array.from(b.buf.subarray(0, b.n))).toEqual(ref);
    }
  });
});
