// Calibration: the search space and its priors, the posterior on disk, replicate bands, and the
// whole calibration on small synthetic problems: it finds parameters the model generated its
// figures with, and gives identical results with 1 or 2 workers and after an interruption.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, summarise } from '../src/calibrate/loss.ts';
import { band, bands, runReplicates } from '../src/calibrate/replicates.ts';
import { buildSpace, candidateOf, fromUnit, logPrior, toUnit, unitOf } from '../src/calibrate/space.ts';
import { cmaes } from '../src/calibrate/optimise.ts';
import { calibrate, designCsv, paramFileJson, readDesign, CalibrationInterrupted, MIN_BUDGET, type CalibrateProgress, type CalibrationResult } from '../src/calibrate/calibrate.ts';
import { posteriorCsv, readPosterior, resampleDraws } from '../src/calibrate/posterior.ts';
import { loadScenarioText } from '../src/scenarios/load.ts';
import { tinyScenarioText, withSyntheticFigures } from './calibrate-fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'exodus-cal-'));

describe('summaries', () => {
  it('median and max |log10|, coverage; band from quantiles', () => {
    const s = summarise([
      { log10_ratio: 0.1, inside: true },
      { log10_ratio: -0.3, inside: false },
      { log10_ratio: 0.05, inside: true },
      { log10_ratio: -0.2, inside: true },
    ]);
    expect(s.median_abs_log10).toBeCloseTo(0.15, 12);
    expect(s.max_abs_log10).toBeCloseTo(0.3, 12);
    expect(s.coverage).toBe(0.75);
    expect(median([3, 1, 2])).toBe(2);
    expect(band([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])).toEqual({ median: 6, lo: 1.5, hi: 10.5 });
  });
});

describe('search space and priors', () => {
  it('unit cube maps to ranges on log and linear scales; per-event unknowns carry their priors', () => {
    const l = loadScenarioText(tinyScenarioText('t', 2));
    const dims = buildSpace([l], { fit: ['considerMedia', 'betaReach'] });
    expect(dims.map((d) => d.key)).toEqual(['considerMedia', 'betaReach', 't/loudness']);
    expect(dims[2].start).toBe(2);
    expect(fromUnit(dims[0], 0)).toBe(0.005);
    expect(fromUnit(dims[0], 1)).toBe(2);
    expect(fromUnit(dims[0], 0.5)).toBeCloseTo(Math.sqrt(0.005 * 2), 4);
    expect(fromUnit(dims[1], 0.5)).toBeCloseTo(8, 9);
    expect(toUnit(dims[1], 8)).toBeCloseTo(0.5, 12);
    const c = candidateOf(dims, [0.5, 0.25, 1]);
    expect(c.events).toEqual({ t: { loudness: 10 } });
    expect(unitOf(dims, c)[1]).toBeCloseTo(0.25, 4);
    // The tiny scenario's loudness has a normal prior centred on 2 (log scale): most likely there.
    expect(dims[2].prior.kind).toBe('normal');
    const at = (v: number) => logPrior(dims, [0.5, 0.5, toUnit(dims[2], v)]);
    expect(at(2)).toBeGreaterThan(at(6));
    expect(at(2)).toBeGreaterThan(at(0.5));
    expect(logPrior(dims, [0.5, 1.2, 0.5])).toBe(-Infinity);
  });

  it('CMA-ES (the Bass baseline fits with it) finds the minimum of a shifted quadratic; deterministic', async () => {
    const target = [0.3, 0.7, 0.55, 0.2];
    const f = async (us: number[][]) => us.map((u) => u.reduce((a, x, i) => a + (i + 1) * (x - target[i]) ** 2, 0));
    const a = await cmaes(f, [0.5, 0.5, 0.5, 0.5], { seed: 3, budget: 600 });
    expect(a).toEqual(await cmaes(f, [0.5, 0.5, 0.5, 0.5], { seed: 3, budget: 600 }));
    a.best.forEach((x, i) => expect(x).toBeCloseTo(target[i], 2));
  });

  it('posterior CSV round-trips; draws are a deterministic resample', () => {
    const ps = [
      { params: { betaReach: 5 }, events: { ev: { loudness: 1.5 } }, weight: 0.75 },
      { params: { betaReach: 7 }, events: { ev: { loudness: 0.5 } }, weight: 0.25 },
    ];
    const dir = tmp();
    writeFileSync(join(dir, 'posterior.csv'), posteriorCsv(ps));
    expect(readPosterior(join(dir, 'posterior.csv'))).toEqual(ps);
    const d = resampleDraws(ps, 8);
    expect(d.filter((x) => x.params.betaReach === 5)).toHaveLength(6);
    expect(resampleDraws(ps, 8)).toEqual(d);
    rmSync(dir, { recursive: true });
  });
});

describe('replicates', () => {
  it('bands are the median and 5%/95% over replicates at each observation; same with 1 or 2 workers', async () => {
    const l = loadScenarioText(tinyScenarioText());
    const o = { replicates: 3, seed: 4, agents: 1500, useCalibrated: false };
    const r1 = await runReplicates(l, { ...o, workers: 1 });
    const r2 = await runReplicates(l, { ...o, workers: 2 });
    expect(r1.map((r) => r.seed)).toEqual([4, 5, 6]);
    const b1 = bands(r1, 'dau', 'all', 'ChatB');
    expect(b1).toEqual(bands(r2, 'dau', 'all', 'ChatB'));
    expect(b1).toHaveLength(r1[0].obsTimes.length);
    expect(b1.every((b) => b.lo <= b.median && b.median <= b.hi)).toBe(true);
  });
});

describe('calibration', () => {
  const truth = { betaReach: 9, usePrimary: 0.7, useSecondary: 0.3 };

  it('puts the parameters that generated the figures inside its posterior, which is narrower than the prior', async () => {
    // (SecureC a little larger than in the other tests: at 1,500 agents its first day must not be 0.)
    const text = tinyScenarioText('tiny-outage', 2).replace('SecureC: 0.03 }', 'SecureC: 0.06 }').replace('SecureC: 0.01 }', 'SecureC: 0.03 }');
    const l = await withSyntheticFigures(text, { params: truth, seeds: 3, agents: 1500, positive: true });
    const dir = tmp();
    // Learning rate 1: this checks the emulators and the sampler (the rate SBC would choose from 45
    // prior runs is tested on its own in inference.test.ts).
    const r = await calibrate({ events: [l], fit: Object.keys(truth), noFitted: true, budget: 90, waves: 3, agents: 1500, workers: 1, checkpointDir: dir, particles: 600, draws: 300, validate: 4, learningRate: 1 });
    rmSync(dir, { recursive: true });
    for (const [i, d] of r.dims.entries()) {
      const us = r.posteriorUnit.map((u) => u[i]).sort((a, b) => a - b);
      const lo = us[Math.floor(0.025 * us.length)];
      const hi = us[Math.ceil(0.975 * us.length) - 1];
      const t = toUnit(d, truth[d.name as keyof typeof truth]);
      expect(t, `${d.key}: truth inside the 95% interval`).toBeGreaterThanOrEqual(lo - 0.02);
      expect(t, `${d.key}: truth inside the 95% interval`).toBeLessThanOrEqual(hi + 0.02);
    }
    // The daily-use parameters are pinned by the audience figures.
    const sd = (i: number) => {
      const xs = r.posteriorUnit.map((u) => u[i]);
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    };
    expect(sd(1)).toBeLessThan(0.75 * Math.sqrt(1 / 12));
    expect(r.pointQuantile).toBeLessThan(0.5);
    expect(r.posterior).toHaveLength(300);
  });

  it('refuses a budget too small to fit emulators to', async () => {
    const l = loadScenarioText(tinyScenarioText());
    await expect(calibrate({ events: [l], budget: MIN_BUDGET - 1, workers: 1 })).rejects.toThrow(/at least/);
  });

  // A small calibration on two events with per-event unknowns.
  const small = async (o: { workers: number; dir: string; resume?: boolean; stopAfterBatches?: number; onProgress?: (p: CalibrateProgress) => void }): Promise<CalibrationResult> => {
    const a = await withSyntheticFigures(tinyScenarioText('tiny-outage', 1), { params: truth, fitted: { loudness: 3 }, seeds: 1, agents: 600 });
    const b = await withSyntheticFigures(tinyScenarioText('tiny-outage-b', 1).replace('duration: 12h', 'duration: 30h'), { params: truth, seeds: 1, agents: 400 });
    return calibrate({ events: [a, b], fit: ['betaReach', 'considerMedia'], budget: MIN_BUDGET, waves: 2, agents: { 'tiny-outage': 600, 'tiny-outage-b': 400 }, particles: 300, draws: 100, validate: 2, checkpointDir: o.dir, ...o });
  };
  const essence = (r: CalibrationResult) => ({ file: paramFileJson(r), posterior: posteriorCsv(r.posterior), design: designCsv(r), gens: r.generations });

  it('gives identical results with 1 or 2 workers, and after an interruption and --resume; its design reads back', async () => {
    const [d1, d2, d3] = [tmp(), tmp(), tmp()];
    const seen: CalibrateProgress[] = [];
    const one = await small({ workers: 1, dir: d1, onProgress: (p) => seen.push(p) });
    // Progress counts down the runs still to do, validation included, to none (it fed the ETA a negative count).
    const left = seen.map((p) => p.runsLeft);
    expect(Math.min(...left)).toBe(0);
    left.slice(1).forEach((n, i) => expect(n).toBeLessThanOrEqual(left[i]));
    expect(left[0]).toBe(2 * (MIN_BUDGET + 2 * 2));
    expect(seen.at(-1)).toMatchObject({ phase: 'validation', runsLeft: 0 });
    const two = await small({ workers: 2, dir: d2 });
    expect(essence(two)).toEqual(essence(one));
    expect(two.simulated).toBe(one.simulated);

    await expect(small({ workers: 2, dir: d3, stopAfterBatches: 1 })).rejects.toBeInstanceOf(CalibrationInterrupted);
    const ckLines = readFileSync(join(d3, readdirOne(d3)), 'utf8').trim().split('\n').length - 1;
    expect(ckLines).toBeGreaterThan(0);
    const resumed = await small({ workers: 1, dir: d3, resume: true });
    expect(essence(resumed)).toEqual(essence(one));
    expect(resumed.fromCheckpoint).toBe(ckLines);
    expect(resumed.simulated).toBe(one.simulated - ckLines);

    const bank = readDesign(designCsv(one), one.dims, one.setups);
    expect(bank).toHaveLength(one.bank.length);
    bank.forEach((b, k) => {
      expect(b.wave).toBe(one.bank[k].wave);
      b.u.forEach((x, i) => expect(x).toBeCloseTo(one.bank[k].u[i], 4));
    });
    for (const d of [d1, d2, d3]) rmSync(d, { recursive: true });
  });
});

function readdirOne(dir: string): string {
  const f = readdirSync(dir).filter((x) => x.endsWith('.jsonl'));
  expect(f).toHaveLength(1);
  return f[0];
}
