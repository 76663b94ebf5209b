// The engine's incremental counters (src/model/tally.ts) against a full scan of every agent and app
// at every daily sweep (check mode), on every built-in event and on scenarios that exercise each
// way a counter can move: outages in hourly and daily steps, blocks learnt round, shutdowns,
// throttling, launches and pre-installs, newcomers, universes.
import { describe, expect, it } from 'vitest';
import { builtinNames, loadScenario, type LoadedScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { simulateScenario } from '../src/scenarios/compile.ts';
import { stepPlan } from '../src/model/engine.ts';
import { compileScenario } from '../src/scenarios/compile.ts';
import { createWorld, assignMainApps } from '../src/model/population.ts';
import { makeFields, resetFields } from '../src/model/fields.ts';
import { applyShocks } from '../src/model/shocks/index.ts';
import { market } from './helpers.ts';
import { IN_USE } from '../src/model/tally.ts';
import { verifyTally } from '../src/model/tally-check.ts';

function checked(loaded: LoadedScenario, agents: number, seed = 1) {
  const r = resolveRun(loaded, { useCalibrated: false });
  return simulateScenario(r.scenario, r.params, { seed, agents, check: true }, { hash: loaded.hash });
}

describe('incremental counters agree with a full scan at every sweep', () => {
  for (const name of builtinNames()) {
    it(name, () => {
      expect(checked(loadScenario(name), 1500).agents).toBeGreaterThan(0);
    });
  }
  it('hourly steps, an outage and a block learnt round, newcomers', () => {
    const shocks = `[
      { type: outage, platforms: [A], start: "2020-01-03T18:00Z", duration: 9h, severity: 0.6, media: 1 },
      { type: block, platforms: [B], regions: [north], start: "2020-01-08", hardness: 0.4, media: 0.5 },
      { type: circumvention, regions: [north], platforms: [B], start: "2020-01-15", end: "2020-01-20", hardness: 0.2 }]`;
    checked(market({ shocks, arrival: 0.02, agents: 3000, north: '{ A: 0.6, B: 0.3, C: 0.01 }' }), 3000);
  });
  it('daily steps, a shutdown, throttling, a launch with pre-installs', () => {
    const shocks = `[
      { type: connectivity, regions: [south], start: "2020-01-05", end: "2020-01-09", severity: 0.3, slowdown: 0.5, media: 1 },
      { type: throttle, platforms: [A], start: "2020-01-12", end: "2020-01-20", slowdown: 0.4, features: [voice], media: 0.3 },
      { type: promotion, platforms: [C], start: "2020-01-10", preinstall: 0.05, bonus: 1, media: 0.5 }]`;
    checked(market({ shocks, step: '1d', agents: 3000 }), 3000);
  });
});

describe('the check itself', () => {
  // A world built as the engine builds it, counted, then corrupted.
  function world() {
    const loaded = loadScenario('facebook-outage-2019');
    const r = resolveRun(loaded, { useCalibrated: false });
    const input = compileScenario(r.scenario);
    const plan = stepPlan(input);
    const w = createWorld(input, 1000, 1, plan.t, input.days);
    const f = makeFields(w.R, w.K);
    resetFields(f, input.platforms, 0);
    assignMainApps(w, f, r.params, input, 1);
    applyShocks(input.shocks, 0, f, r.params);
    w.tally.start(w, f, r.params);
    w.tally.shadowLastActive = Int32Array.from(w.lastActive);
    w.tally.sweep(w, f, 0);
    return { w, f, p: r.params };
  }
  it('passes on a world as built', () => {
    const { w, f, p } = world();
    expect(() => verifyTally(w, f, p, 0)).not.toThrow();
  });
  it('finds a counter that is off by one', () => {
    const { w, f, p } = world();
    w.tally.c[IN_USE] += 1;
    expect(() => verifyTally(w, f, p, 0)).toThrow(/in use of group 0 cell 0 is \d+, a scan finds \d+/);
  });
  it('finds a status changed behind its back', () => {
    const { w, f, p } = world();
    const b = w.status.findIndex((st) => st !== 0);
    w.status[b] = 0;
    expect(() => verifyTally(w, f, p, 0)).toThrow(/a scan finds/);
  });
  it('finds a main app changed behind its back', () => {
    const { w, f, p } = world();
    const i = w.primary.findIndex((a) => a !== 255);
    w.primary[i] = (w.primary[i] + 1) % w.K;
    expect(() => verifyTally(w, f, p, 0)).toThrow(/primary|daily use|access|list/);
  });
});
