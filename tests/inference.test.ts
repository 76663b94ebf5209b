// The inference machinery on cases where the right answer is known: the reporting-error likelihood,
// predictive bands, proper scores, the Gaussian-process emulator, tempered SMC, and simulation-based
// calibration (a calibrated sampler passes, an overconfident one fails).
import { describe, expect, it } from 'vitest';
import { ERROR_SD, kindOf, logLik, log10Error, meetsBand, tCdf, tQuantile, type Target } from '../src/calibrate/errors.ts';
import { predictiveBand } from '../src/calibrate/fittable.ts';
import { crps, intervalScore } from '../src/calibrate/scores.ts';
import { fitEmulator, predictMeans } from '../src/calibrate/gp.ts';
import { temperedSmc } from '../src/calibrate/smc.ts';
import { sbc, chiSquareUniformP, regularizedGammaP } from '../src/calibrate/sbc.ts';
import { centralDraw, waveSizes } from '../src/calibrate/calibrate.ts';
import { chooseLearningRate, runSbc, sbcSetup } from '../src/calibrate/learning-rate.ts';
import { normQuantile, priorQuantile, type Dim } from '../src/calibrate/space.ts';
import { makeRng, normal } from '../src/model/rng.ts';

const point = (value: number, sd = 0.1): Target => ({ id: 'x', value, kind: 'claim', confidence: 'medium', sd });

describe('reporting error: the likelihood of a reported figure', () => {
  it('Student-t(5): symmetric, 95% quantile 2.015, density integrates to the CDF', () => {
    expect(tCdf(0)).toBeCloseTo(0.5, 12);
    expect(tCdf(2.015)).toBeCloseTo(0.95, 3);
    expect(tCdf(-1.3) + tCdf(1.3)).toBeCloseTo(1, 12);
    expect(tQuantile(0.95)).toBeCloseTo(2.015, 3);
  });

  it('a point figure is most likely where the model equals it, less so the further off, and low confidence forgives more', () => {
    const t = point(1e6);
    const at = logLik(6, 0, t);
    expect(logLik(6.1, 0, t)).toBeLessThan(at);
    expect(logLik(6.1, 0, t)).toBeCloseTo(logLik(5.9, 0, t), 12);
    expect(logLik(7, 0, t)).toBeLessThan(logLik(6.3, 0, t));
    // A 10x miss costs less for a low-confidence figure than for a high-confidence one.
    const lo = { ...t, sd: ERROR_SD.claim.low };
    const hi = { ...t, sd: ERROR_SD.claim.high };
    expect(logLik(7, 0, lo)).toBeGreaterThan(logLik(7, 0, hi));
    // Model spread (seeds, emulator) widens the error like a lower confidence does.
    expect(logLik(7, 0.04, hi)).toBeGreaterThan(logLik(7, 0, hi));
  });

  it('a range is (almost) certain inside and unlikely outside; a bound is met on its side', () => {
    const range: Target = { id: 'r', value: 34e6, lo: Math.log10(29e6), hi: Math.log10(40e6), kind: 'estimate', confidence: 'low', sd: 0.02 };
    expect(Math.exp(logLik(Math.log10(34e6), 0, range))).toBeGreaterThan(0.97);
    expect(logLik(Math.log10(80e6), 0, range)).toBeLessThan(-5);
    const atLeast: Target = { id: 'b', value: 1e8, lo: 8, hi: Infinity, kind: 'claim', confidence: 'medium', sd: 0.12 };
    expect(Math.exp(logLik(9, 0, atLeast))).toBeGreaterThan(0.999);
    expect(Math.exp(logLik(7, 0, atLeast))).toBeLessThan(0.01);
    expect(log10Error(2e8, atLeast)).toBe(0);
    expect(log10Error(1e7, atLeast)).toBeCloseTo(-1, 12);
    const atMost: Target = { id: 'm', value: 1e6, lo: -Infinity, hi: 6, kind: 'claim', confidence: 'medium', sd: 0.12 };
    expect(log10Error(5e5, atMost)).toBe(0);
    expect(log10Error(4e6, atMost)).toBeCloseTo(Math.log10(4), 12);
    expect(log10Error(0, atMost)).toBe(0);
    expect(log10Error(0, atLeast)).toBe(-3);
  });

  it('kinds follow the metric unless stated', () => {
    expect(kindOf({ metric: 'mau' })).toBe('panel');
    expect(kindOf({ metric: 'installs' })).toBe('estimate');
    expect(kindOf({ metric: 'signups' })).toBe('claim');
    expect(kindOf({ metric: 'signups', kind: 'estimate' })).toBe('estimate');
  });

  it('the band of the reported figure adds the reporting error to the model values', () => {
    const t = point(100, 0.1);
    const b = predictiveBand([100], t);
    const q = tQuantile(0.95) * 0.1;
    expect(b.median).toBe(100);
    expect(Math.log10(b.lo)).toBeCloseTo(2 - q, 3);
    expect(Math.log10(b.hi)).toBeCloseTo(2 + q, 3);
    // With model spread as well the band is wider, and covers what it should.
    const wide = predictiveBand([50, 100, 200], t);
    expect(wide.lo).toBeLessThan(b.lo);
    expect(wide.hi).toBeGreaterThan(b.hi);
    expect(meetsBand(b, point(120))).toBe(true);
    expect(meetsBand(b, point(1000))).toBe(false);
  });

  it('coverage means what it says: figures drawn from the predictive fall in the 90% band 90% of the time', () => {
    const rng = makeRng(3, 'cov');
    const sd = 0.1;
    let inside = 0;
    const n = 4000;
    for (let k = 0; k < n; k++) {
      // The "world": a model value with seed noise, reported with a t(5) error.
      const model = Array.from({ length: 20 }, () => 10 ** (3 + 0.05 * normal(rng)));
      let chi = 0;
      for (let d = 0; d < 5; d++) chi += normal(rng) ** 2;
      const truth = 10 ** (3 + 0.05 * normal(rng) + (sd * normal(rng)) / Math.sqrt(chi / 5));
      if (meetsBand(predictiveBand(model, point(1, sd)), point(truth, sd))) inside++;
    }
    expect(inside / n).toBeGreaterThan(0.87);
    expect(inside / n).toBeLessThan(0.93);
  });
});

describe('proper scores', () => {
  it('CRPS of a point mass is the absolute error; spread is rewarded only when it is needed', () => {
    expect(crps([2, 2, 2, 2], 3)).toBeCloseTo(1, 12);
    expect(crps([3, 3, 3], 3)).toBeCloseTo(0, 12);
    const sharp = crps([0.9, 1, 1.1], 3);
    const wide = crps([0, 1, 2, 3, 4], 3);
    expect(wide).toBeLessThan(sharp);
  });

  it('the interval score is the width, plus 20x the miss outside a 90% interval', () => {
    const xs = Array.from({ length: 101 }, (_, i) => i / 100); // 0..1
    expect(intervalScore(xs, 0.5)).toBeCloseTo(0.9, 2);
    expect(intervalScore(xs, 1.95)).toBeCloseTo(0.9 + 20 * 1, 1);
  });
});

describe('Gaussian-process emulator', () => {
  it('predicts a smooth function of a few of many inputs, and gives the unused ones long length scales', () => {
    const d = 8;
    const n = 240;
    const rng = makeRng(1, 'gp');
    const f = (x: number[]) => [Math.sin(3 * x[0]) + 2 * x[1] * x[1], Math.exp(x[2]) - x[0] * x[3]];
    const X = new Float64Array(n * d);
    const Y = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const x = Array.from({ length: d }, () => rng());
      X.set(x, i * d);
      const y = f(x);
      Y[i * 2] = y[0] + 0.03 * normal(rng);
      Y[i * 2 + 1] = y[1] + 0.03 * normal(rng);
    }
    const em = fitEmulator(X, Y, n, d, 2, { seed: 1, iterations: 50 });
    const out = new Float64Array(2);
    const k = new Float64Array(n);
    let se = 0;
    for (let t = 0; t < 500; t++) {
      const x = Array.from({ length: d }, () => rng());
      predictMeans(em, x, out, k);
      const y = f(x);
      se += ((out[0] - y[0]) ** 2 + (out[1] - y[1]) ** 2) / 1000;
    }
    expect(Math.sqrt(se)).toBeLessThan(0.08);
    const len = Array.from(em.invLen2, (v) => 1 / Math.sqrt(v));
    const used = Math.max(len[0], len[1], len[2], len[3]);
    for (const l of len.slice(4)) expect(l).toBeGreaterThan(used);
    // The leave-one-out error is about the noise and the fit error, not zero.
    for (const o of em.outputs) {
      expect(Math.sqrt(o.looVar)).toBeGreaterThan(0.01);
      expect(Math.sqrt(o.looVar)).toBeLessThan(0.15);
    }
  });
});

const uniformDims = (D: number): Dim[] => Array.from({ length: D }, (_, i) => ({ key: `x${i}`, name: `x${i}`, min: 0, max: 1, scale: 'linear' as const, start: 0.5, prior: { kind: 'uniform' as const } }));

describe('tempered SMC', () => {
  it('samples a known posterior: a Gaussian likelihood under a flat prior', () => {
    const dims = uniformDims(3);
    const mu = [0.3, 0.6, 0.5];
    const sd = [0.05, 0.1, 0.02];
    const r = temperedSmc(dims, (u) => -0.5 * u.reduce((a, x, i) => a + ((x - mu[i]) / sd[i]) ** 2, 0), { seed: 2, particles: 1500 });
    for (let i = 0; i < 3; i++) {
      const xs = r.particles.map((u) => u[i]);
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const s = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
      expect(m).toBeCloseTo(mu[i], 1);
      expect(s / sd[i]).toBeGreaterThan(0.8);
      expect(s / sd[i]).toBeLessThan(1.2);
    }
    expect(r.stages[r.stages.length - 1].temperature).toBe(1);
  });

  it('the central estimate is inside the posterior 50% region', () => {
    const rng = makeRng(4, 'c');
    const draws = Array.from({ length: 1000 }, () => [0.5 + 0.1 * normal(rng), 0.2 + 0.05 * normal(rng)]);
    const { index, quantile } = centralDraw(draws);
    expect(quantile).toBeLessThan(0.5);
    expect(Math.abs(draws[index][0] - 0.5)).toBeLessThan(0.05);
  });

  it('truncated-normal priors map quantiles into the unit interval', () => {
    const d: Dim = { key: 'e/q', name: 'q', event: 'e', min: 0, max: 1, scale: 'linear', start: 0.3, prior: { kind: 'normal', mu: 0.3, sigma: 0.1 } };
    expect(priorQuantile(d, 0.5)).toBeCloseTo(0.3, 2);
    expect(priorQuantile(d, 0.975)).toBeCloseTo(0.3 + 0.1 * 1.96, 2);
    expect(normQuantile(0.975)).toBeCloseTo(1.96, 3);
    expect(waveSizes(480, 3, 0.5)).toEqual([240, 120, 120]);
  });
});

describe('simulation-based calibration', () => {
  // Conjugate model: theta ~ N(0, 1), y | theta ~ N(theta, s^2); posterior N(y / (1 + s^2), s^2 / (1 + s^2)).
  const s2 = 0.5;
  const run = async (sdFactor: number, seed: number) => {
    const rng = makeRng(seed, 'sbc');
    const truths = Array.from({ length: 300 }, () => [normal(rng), normal(rng)]);
    const ys = truths.map((t) => t.map((x) => x + Math.sqrt(s2) * normal(rng)));
    return sbc(truths, (k) => {
      const m = ys[k].map((y) => y / (1 + s2));
      const sd = Math.sqrt(s2 / (1 + s2)) * sdFactor;
      return Array.from({ length: 199 }, () => m.map((x) => x + sd * normal(rng)));
    });
  };

  it('a sampler of the true posterior gives uniform ranks and honest coverage', async () => {
    const r = await run(1, 5);
    expect(r.pooled90).toBeGreaterThan(0.85);
    expect(r.pooled90).toBeLessThan(0.95);
    expect(r.pooled50).toBeGreaterThan(0.43);
    expect(r.pooled50).toBeLessThan(0.57);
    for (const p of r.uniformityP) expect(p).toBeGreaterThan(0.001);
  });

  it('an overconfident sampler (posterior too narrow) fails: low coverage, ranks far from uniform', async () => {
    const r = await run(0.4, 5);
    expect(r.pooled90).toBeLessThan(0.7);
    for (const p of r.uniformityP) expect(p).toBeLessThan(1e-4);
  });

  it('the chi-square test and the incomplete gamma behave', () => {
    expect(regularizedGammaP(1, 1)).toBeCloseTo(1 - Math.exp(-1), 10);
    // chi-square with 9 degrees of freedom: 95% quantile 16.919
    expect(regularizedGammaP(4.5, 16.919 / 2)).toBeCloseTo(0.95, 3);
    const even = Array.from({ length: 1000 }, (_, i) => i % 100);
    expect(chiSquareUniformP(even, 99, 10)).toBeGreaterThan(0.99);
    expect(chiSquareUniformP(Array.from({ length: 1000 }, () => 0), 99, 10)).toBeLessThan(1e-10);
  });
});

describe('the learning rate chosen by SBC', () => {
  // A toy simulator: one parameter u, and m figures that are all the same simulated number
  // (10^(1 + 2u) times a run-to-run spread shared by the m copies). The emulated likelihood counts
  // the m copies as m independent measurements, so at rate 1 the posterior is about sqrt(m) too
  // narrow; with one figure it is right.
  const toy = (m: number, seed: number) => {
    const rng = makeRng(seed, 'toy');
    const dims = uniformDims(1);
    const runs = Array.from({ length: 160 }, (_, k) => {
      const u = [rng()];
      const v = 10 ** (1 + 2 * u[0] + 0.15 * normal(rng));
      return { u, seed: k, wave: 1, values: [Array.from({ length: m }, () => v)] };
    });
    const targets: Target[] = Array.from({ length: m }, (_, j) => ({ id: `f${j}`, value: 100, kind: 'estimate', confidence: 'high', sd: 0.02 }));
    return { dims, setups: [{ name: 'toy', targets }], runs };
  };

  it('is 1 when the figures are independent, and about 1/m for m copies of one figure', async () => {
    const one = toy(1, 3);
    const r1 = await chooseLearningRate(one.dims, one.setups, one.runs, { seed: 1, truths: 60, particles: 300 });
    expect(r1.rate).toBe(1);
    const ten = toy(10, 3);
    const r10 = await chooseLearningRate(ten.dims, ten.setups, ten.runs, { seed: 1, truths: 60, particles: 300 });
    expect(r10.trials[0].rate).toBe(1);
    expect(r10.trials[0].coverage90).toBeLessThan(0.8); // overconfident at rate 1
    expect(r10.rate).toBeGreaterThan(0.03);
    expect(r10.rate).toBeLessThan(0.4);
    // Checked afresh (other reporting errors): the rate chosen gives about 90% coverage.
    const check = await runSbc(ten.dims, await sbcSetup(ten.dims, ten.setups, ten.runs, 60, 9, 'check'), r10.rate, { seed: 9, particles: 300 });
    expect(check.pooled90).toBeGreaterThan(0.8);
  });
});
