// Small scenarios for engine tests, built as YAML text so they go through the real loader.
import { loadScenarioText, type LoadedScenario } from '../src/scenarios/load.ts';
import { simulateScenario as simulate } from '../src/scenarios/compile.ts';
import { resolveParams, type Params } from '../src/model/params.ts';
import type { RunResult } from '../src/model/results.ts';

export interface MarketOptions {
  start?: string;
  end?: string;
  step?: string;
  schedule?: string;
  shocks?: string;
  agents?: number;
  north?: string;
  south?: string;
  arrival?: number;
  circumvention?: number;
  extra?: string;
}

/** Two regions, three apps: A dominant; B common in the north, C common in the south. */
export function market(o: MarketOptions = {}): LoadedScenario {
  const text = `
name: test-market
title: Test market
time:
  start: ${o.start ?? '2020-01-01'}
  end: ${o.end ?? '2020-02-01'}
  step: ${o.step ?? '1h'}
  schedule: ${o.schedule ?? '[]'}
agents: ${o.agents ?? 20000}
regions:
  - id: north
    population: 10000000
    arrival: ${o.arrival ?? 0}
    circumvention: { mean: ${o.circumvention ?? 0.15}, sd: 1.5 }
    apps: ${o.north ?? '{ A: 0.8, B: 0.2, C: 0.01 }'}
  - id: south
    population: 30000000
    circumvention: { mean: ${o.circumvention ?? 0.15}, sd: 1.5 }
    apps: ${o.south ?? '{ A: 0.8, B: 0.01, C: 0.2 }'}
platforms:
  - { id: A, features: [voice] }
  - { id: B, features: [voice] }
  - { id: C, features: [voice] }
shocks: ${o.shocks ?? '[]'}
${o.extra ?? ''}
`;
  return loadScenarioText(text, 'test-market.yaml');
}

export function run(l: LoadedScenario, seed = 1, agents?: number, params?: Partial<Params>): RunResult {
  return simulate(l.scenario, resolveParams(params), { seed, agents }, { hash: l.hash });
}
