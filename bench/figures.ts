// The model's value of every reported figure of every built-in event, per seed: for engine changes
// that are meant to be equal in distribution (not byte-identical), compare two such files with
// bench/figures-diff.ts. Usage:
//   node --import tsx bench/figures.ts --agents 20000 --seeds 1-12 [--events a,b] [--blocks N] > before.jsonl
// --blocks N: a run in blocks (as with --threads) of at most N agents each.
import { builtinNames, loadScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { observation, simulateScenario } from '../src/scenarios/compile.ts';
import { observe } from '../src/model/observe.ts';

function option(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : fallback;
}
const agents = Number(option('agents', '20000'));
const [s0, s1] = option('seeds', '1-12').split('-').map(Number);
const events = option('events', builtinNames().join(',')).split(',');
const blockAgents = process.argv.includes('--blocks') ? Number(option('blocks', '0')) : undefined;

for (const ev of events) {
  const loaded = loadScenario(ev);
  const r = resolveRun(loaded, { useCalibrated: false });
  const obs = r.scenario.figures.filter((f) => f.role === 'compare').map((f) => ({ id: f.id, o: observation(f, r.scenario) }));
  for (let seed = s0; seed <= (s1 ?? s0); seed++) {
    const res = simulateScenario(r.scenario, r.params, { seed, agents, threads: blockAgents ? 1 : undefined, blockAgents }, { hash: loaded.hash });
    const values: Record<string, number> = {};
    for (const { id, o } of obs) values[id] = observe(res, o);
    console.log(JSON.stringify({ event: ev, seed, agents, seconds: (res.wallMs - res.buildMs) / 1000, values }));
  }
}
