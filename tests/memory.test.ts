// The up-front memory estimate (src/model/memory.ts) against the bytes a built world allocates.
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { compileScenario } from '../src/scenarios/compile.ts';
import { runSize, stepPlan } from '../src/model/engine.ts';
import { createWorld, assignMainApps } from '../src/model/population.ts';
import { makeFields, resetFields } from '../src/model/fields.ts';
import { estimateMemory } from '../src/model/memory.ts';
import { builtinNames } from '../src/scenarios/load.ts';

/** Bytes of every typed array reachable from an object (each buffer once). */
function typedBytes(root: unknown): number {
  const seen = new Set<unknown>();
  let bytes = 0;
  const walk = (x: unknown) => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (ArrayBuffer.isView(x)) {
      if (!seen.has(x.buffer)) {
        seen.add(x.buffer);
        bytes += x.buffer.byteLength;
      }
      return;
    }
    for (const v of Object.values(x)) walk(v);
  };
  walk(root);
  return bytes;
}

describe('memory estimate', () => {
  for (const name of builtinNames()) {
    it(`${name}: the world's arrays are within 5% of the estimate`, () => {
      const loaded = loadScenario(name);
      const r = resolveRun(loaded, { useCalibrated: false });
      const input = compileScenario(r.scenario);
      const agents = 20_000;
      const plan = stepPlan(input);
      const w = createWorld(input, agents, 1, plan.t, input.days);
      const f = makeFields(w.R, w.K);
      resetFields(f, input.platforms, 0);
      assignMainApps(w, f, r.params, input, 1);
      const e = estimateMemory(runSize(input, { agents }));
      const world = e.parts.agents + e.parts.apps + e.parts.network;
      expect(typedBytes(w) / world).toBeGreaterThan(0.95);
      expect(typedBytes(w) / world).toBeLessThan(1.05);
    });
  }
  it('grows in proportion to agents, and with one agent per person counts the population', () => {
    const input = compileScenario(resolveRun(loadScenario('russia-blocks-2024-2026'), { useCalibrated: false }).scenario);
    const a = estimateMemory(runSize(input, { agents: 1e6 }));
    const b = estimateMemory(runSize(input, { agents: 2e6 }));
    expect((b.bytes - b.parts.runtime - b.parts.steps) / (a.bytes - a.parts.runtime - a.parts.steps)).toBeCloseTo(2, 6);
    const one = runSize(input, { scale: 1 });
    expect(one.agents).toBe(122_400_000);
    const c = estimateMemory(one);
    expect((c.parts.agents + c.parts.apps + c.parts.network) / (a.parts.agents + a.parts.apps + a.parts.network)).toBeCloseTo(122.4, 6);
  });
});
