// The calibration's computing on worker threads (src/calibrate/compute.ts): emulator fits and SBC
// give the same bits on any number of threads as in this thread, and a failing job is reported.
import { describe, expect, it } from 'vitest';
import { makeRng, normal } from '../src/model/rng.ts';
import { buildEventModels, type BankRun, type EventModel } from '../src/calibrate/emulate.ts';
import { chooseLearningRate } from '../src/calibrate/learning-rate.ts';
import { createComputePool } from '../src/calibrate/compute.ts';
import type { Target } from '../src/calibrate/errors.ts';
import type { Dim } from '../src/calibrate/space.ts';

// Two events (one with its own unknown), figures that depend smoothly on the inputs plus seed noise.
const dims: Dim[] = [
  ...Array.from({ length: 3 }, (_, i) => ({ key: `x${i}`, name: `x${i}`, min: 0, max: 1, scale: 'linear' as const, start: 0.5, prior: { kind: 'uniform' as const } })),
  { key: 'b/own', name: 'own', event: 'b', min: 0, max: 1, scale: 'linear', start: 0.5, prior: { kind: 'normal', mu: 0.5, sigma: 0.2 } },
];
const target = (id: string): Target => ({ id, value: 100, kind: 'estimate', confidence: 'high', sd: 0.05 });
const setups = [
  { name: 'a', targets: [target('a1'), target('a2'), target('a3')] },
  { name: 'b', targets: [target('b1')] },
];
function bank(n: number): BankRun[] {
  const rng = makeRng(4, 'bank');
  return Array.from({ length: n }, (_, k) => {
    const u = dims.map(() => rng());
    const a = [0, 1, 2].map((j) => 10 ** (1 + u[0] + (j + 1) * u[1] * u[2] + 0.05 * normal(rng)));
    return { u, seed: k, wave: k < n / 2 ? 1 : 2, values: [a, [10 ** (2 * u[3] + u[0] + 0.05 * normal(rng))]] };
  });
}

const bytes = (models: EventModel[]) =>
  Buffer.concat(models.flatMap((ev) => [ev.em.X, ev.em.invLen2, ...ev.em.outputs.flatMap((o) => [o.beta, o.alpha, new Float64Array([o.scale, o.signal, o.noise, o.looVar])])].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));

describe('compute threads', () => {
  it('fit the same emulators, bit for bit, on 1, 2 and 3 threads as in this thread', { timeout: 60_000 }, async () => {
    const runs = bank(70);
    const here = bytes(await buildEventModels(dims, setups, runs, 5));
    for (const threads of [1, 2, 3]) {
      const compute = createComputePool(threads);
      try {
        expect(bytes(await buildEventModels(dims, setups, runs, 5, compute)).equals(here)).toBe(true);
      } finally {
        await compute.close();
      }
    }
  });

  it('choose the same learning rate by the same SBC on 2 threads as in this thread', { timeout: 60_000 }, async () => {
    const runs = bank(60).map((b) => ({ ...b, wave: 1 }));
    const o = { seed: 3, truths: 12, particles: 150 };
    const here = await chooseLearningRate(dims, setups, runs, o);
    const compute = createComputePool(2);
    try {
      expect(await chooseLearningRate(dims, setups, runs, { ...o, compute })).toEqual(here);
    } finally {
      await compute.close();
    }
  });

  it('report a job that fails, and stay usable', { timeout: 60_000 }, async () => {
    const compute = createComputePool(2);
    try {
      // No inputs: the fit throws a TypeError in the worker.
      const bad = { X: undefined as unknown as Float64Array, Y: new Float64Array(4), n: 4, d: 2, m: 1, fit: { seed: 1, iterations: 2 } };
      await expect(compute.map('emulator', [bad, bad])).rejects.toThrow(/compute job emulator failed/);
      const runs = bank(40);
      expect(bytes(await buildEventModels(dims, setups, runs, 5, compute)).equals(bytes(await buildEventModels(dims, setups, runs, 5)))).toBe(true);
    } finally {
      await compute.close();
    }
  });
});
