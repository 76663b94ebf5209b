// Run built-in events in check mode (the engine's counters verified against a full scan at every
// daily sweep): node --import tsx bench/check-tally.ts [agents] [seeds] [--blocks] (a run in blocks,
// as with --threads: several blocks once a region has more than block.ts BLOCK_AGENTS agents)
import { fileURLToPath } from 'node:url';
import { builtinNames, loadScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { simulateScenario } from '../src/scenarios/compile.ts';

const agents = Number(process.argv[2] ?? 3000);
const seeds = (process.argv[3] ?? '1,2').split(',').map(Number);
for (const ev of [fileURLToPath(new URL('./bench.yaml', import.meta.url)), ...builtinNames()]) {
  const loaded = loadScenario(ev);
  const r = resolveRun(loaded, { useCalibrated: false });
  for (const seed of seeds) {
    const t0 = performance.now();
    simulateScenario(r.scenario, r.params, { seed, agents, check: true, threads: process.argv.includes('--blocks') ? 1 : undefined, blockAgents: 1000 }, { hash: loaded.hash });
    console.log(`${loaded.scenario.name} seed ${seed}: counters agree with a full scan at every sweep (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
}
