import { describe, expect, it } from 'vitest';
import { buildNetwork, clustering } from '../src/model/network.ts';
import { makeRng } from '../src/model/rng.ts';

describe('contact network', () => {
  const starts = Uint32Array.from([0, 30_000, 100_000]);
  const net = buildNetwork(starts, { degree: 12, tail: 2.5, crossRegion: 0.03, locality: 1, maxDegree: 150 }, () => makeRng(1, 'net'));
  const n = 100_000;
  const deg = (i: number) => net.offsets[i + 1] - net.offsets[i];

  it('is undirected: every tie is stored in both directions', () => {
    const count = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (let x = net.offsets[i]; x < net.offsets[i + 1]; x++) {
      const j = net.nbrs[x];
      let back = 0;
      for (let y = net.offsets[j]; y < net.offsets[j + 1]; y++) if (net.nbrs[y] === i) back++;
      let fwd = 0;
      for (let y = net.offsets[i]; y < net.offsets[i + 1]; y++) if (net.nbrs[y] === j) fwd++;
      count.set(`${i}-${j}`, back - fwd);
    }
    expect([...count.values()].every((d) => d === 0)).toBe(true);
  });
  it('has the mean degree asked for and a heavy tail', () => {
    let sum = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      sum += deg(i);
      max = Math.max(max, deg(i));
    }
    expect(sum / n).toBeGreaterThan(10.5);
    expect(sum / n).toBeLessThan(13.5);
    // Heavy-tailed up to a fixed cap (so the shape does not depend on the number of agents).
    expect(max).toBeGreaterThan(6 * (sum / n));
    expect(max).toBeLessThanOrEqual(2 * 150);
  });
  it('is clustered far beyond a random graph of the same density', () => {
    const c = clustering(net, 3000, makeRng(2, 'c'));
    expect(c).toBeGreaterThan(0.1);
    expect(c).toBeGreaterThan(50 * (12 / n));
  });
  it('keeps most ties inside the region', () => {
    let inside = 0;
    let all = 0;
    for (let i = 0; i < 30_000; i++) for (let x = net.offsets[i]; x < net.offsets[i + 1]; x++) {
      all++;
      if (net.nbrs[x] < 30_000) inside++;
    }
    expect(inside / all).toBeGreaterThan(0.9);
    expect(inside / all).toBeLessThan(1);
  });
});
