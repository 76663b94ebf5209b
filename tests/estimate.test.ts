// The up-front size of a run: the step count matches what the engine builds, the observations what it allocates, and the
// memory estimate is above what a run provably allocates.
import { describe, expect, it } from 'vitest';
import { builtinNames, loadScenario, loadScenarioText } from '../src/scenarios/load.ts';
import { stepPlan } from '../src/model/engine.ts';
import { compileScenario } from '../src/scenarios/compile.ts';
import { countObservations, countSteps, estimateRun } from '../src/model/estimate.ts';
import { runEstimate, shockBoundaries } from '../src/scenarios/limits.ts';
import { makeRng } from '../src/model/rng.ts';
import { market, run } from './helpers.ts';

describe('run size estimate', () => {
  it('counts the same steps as the engine builds, for the built-in events and random schedules', () => {
    for (const n of [...builtinNames(), 'demo']) {
      const s = loadScenario(n).scenario;
      expect(countSteps(s.time, shockBoundaries(s)), n).toBe(stepPlan(compileScenario(s)).t.length);
    }
    const rng = makeRng(7, 'schedules');
    const steps = ['7m', '1h', '90m', '5h', '1d', '3d', '1w'];
    for (let k = 0; k < 40; k++) {
      const pick = () => steps[Math.floor(rng() * steps.length)];
      const days = [3, 5, 8, 12].filter(() => rng() < 0.5);
      const schedule = `[${days.map((d) => `{ from: 2020-01-${String(d).padStart(2, '0')}T0${Math.floor(rng() * 10)}:00Z, step: ${pick()} }`).join(', ')}]`;
      const s = market({ step: pick(), schedule, end: '2020-01-20' }).scenario;
      expect(countSteps(s.time, shockBoundaries(s)), schedule).toBe(stepPlan(compileScenario(s)).t.length);
    }
  });

  it('counts the observations of a run and estimates more memory than the run provably holds', () => {
    const l = market({ schedule: '[{ from: 2020-01-05, step: 1d }]' });
    const r = run(l, 1, 20_000);
    // The engine allocates the start, every `observe` and the end; the end may coincide with the last.
    expect(countObservations(l.scenario.time) - r.obsTimes.length).toBeGreaterThanOrEqual(0);
    expect(countObservations(l.scenario.time) - r.obsTimes.length).toBeLessThanOrEqual(1);
    const e = runEstimate(l.scenario, 20_000);
    const K = r.platforms.length;
    // What a run keeps for certain: its result arrays, and per agent its traits and app columns.
    const results = [...Object.values(r.flows), ...Object.values(r.stocks), r.offline, r.stepTimes, r.stepDt, r.obsTimes].reduce((a, x) => a + x.byteLength, 0);
    expect(e.bytes).toBeGreaterThan(results + r.agents * (1 + 4 * 4 + 5 * K));
    expect(e.agentSteps).toBe(20_000 * r.stepTimes.length);
  });

  it('grows with every dimension of a run', () => {
    const base = { agents: 1e5, platforms: 3, regions: 2, steps: 1000, observations: 100, degree: 12 };
    const b = estimateRun(base).bytes;
    for (const k of Object.keys(base) as (keyof typeof base)[]) expect(estimateRun({ ...base, [k]: base[k] * 2 }).bytes, k).toBeGreaterThan(b);
  });

  it('a scenario whose default run does not fit is refused when loaded', () => {
    const text = `name: huge\ntitle: Huge\ntime: { start: 2020-01-01, end: 2020-02-01, step: 1h }\nagents: 50000000\nnetwork: { degree: 200 }\nregions: [{ id: X, population: 1e9, apps: { A: 0.5 } }]\nplatforms: [{ id: A }]\n`;
    expect(() => loadScenarioText(text, 'huge.yaml')).toThrow(/^huge\.yaml: agents: a run of 5e7 agents .* needs about [\d.]+ GiB of memory, more than the [\d.]+ GiB this machine allows \(75% of its memory\)/);
  });
});
