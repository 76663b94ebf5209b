// One benchmark measurement in a fresh process (so peak memory is this run's alone).
// Usage: node --import tsx bench/run-one.ts <typed|object> <agents>
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../src/scenarios/load.ts';
import { simulateScenario as simulate } from '../src/scenarios/compile.ts';
import { defaultParams } from '../src/model/params.ts';
import { runObjectModel } from './object-engine.ts';

const [impl, agentsArg] = process.argv.slice(2);
const agents = Number(agentsArg);
const loaded = loadScenario(fileURLToPath(new URL('./bench.yaml', import.meta.url)));
const p = defaultParams();
const steps = 240;
let seconds: number;
let buildSeconds = 0;
if (impl === 'typed') {
  const res = simulate(loaded.scenario, p, { seed: 1, agents }, { hash: loaded.hash });
  seconds = (res.wallMs - res.buildMs) / 1000;
  buildSeconds = res.buildMs / 1000;
} else {
  const t0 = performance.now();
  runObjectModel({ agents, shares: [[0.8, 0.15, 0.03], [0.7, 0.25, 0.01]], steps, dt: 1 / 24, outage: { app: 0, from: 2.5, to: 3, severity: 0.7, media: 1 } }, p, 1);
  seconds = (performance.now() - t0) / 1000;
}
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ impl, agents, steps, seconds, buildSeconds, agentStepsPerSecond: (agents * steps) / seconds, maxRssMiB }));
