// Golden outputs: a hash of the tidy CSV and the switch matrix of every built-in event (and the
// benchmark scenario) at a few agent counts and seeds. A speed change to the engine must leave
// every line unchanged; run it before and after (`node --import tsx bench/golden.ts [--agents
// 5000,20000] [--seeds 1,2] [--events a,b] [--stats] [--dump DIR]`). --stats also prints a few
// headline numbers per run (for changes that are meant to be equal in distribution only); --dump
// writes each run's values (full precision) to DIR, for bench/golden-diff.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinNames, loadScenario } from '../src/scenarios/load.ts';
import { runScenario } from '../src/api.ts';
import { fmtValue, tidyRows, regionIndices, stockAt, flowIn, type RunResult } from '../src/model/results.ts';
import { outputHash } from '../scripts/golden.ts';

function option(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : fallback;
}
const agents = option('agents', '5000,20000').split(',').map(Number);
const seeds = option('seeds', '1,2').split(',').map(Number);
const events = option('events', ['bench', ...builtinNames()].join(',')).split(',');
const stats = process.argv.includes('--stats');
const dump = process.argv.includes('--dump') ? option('dump', '') : '';
if (dump) mkdirSync(dump, { recursive: true });

/** Headline numbers: per app, monthly audience at the end and sign-ups over the run (all regions). */
function headline(res: RunResult): string {
  const all = regionIndices(res, 'all');
  const T = res.obsTimes[res.obsTimes.length - 1];
  return res.platforms.map((id, a) => `${id}:${fmtValue(stockAt(res, 'mau', all, a, T))}/${fmtValue(flowIn(res, 'signups', all, a, 0, T))}`).join(' ');
}

if (import.meta.url === `file://${process.argv[1]}`) for (const ev of events) {
  const loaded = loadScenario(ev === 'bench' ? fileURLToPath(new URL('./bench.yaml', import.meta.url)) : ev);
  for (const n of agents) {
    for (const seed of seeds) {
      const res = runScenario(loaded, { seed, agents: n, useCalibrated: false });
      const secs = ((res.wallMs - res.buildMs) / 1000).toFixed(2);
      if (dump) {
        const lines = tidyRows(res).map((r) => `${r.time},${r.region},${r.platform},${r.metric},${r.value}`);
        writeFileSync(join(dump, `${ev}-${n}-${seed}.csv`), [...lines, ...Array.from(res.switches, (v, k) => `switch,${k},,,${v}`)].join('\n') + '\n');
      }
      console.log(`${ev} agents=${n} seed=${seed} ${outputHash(res)}${stats ? ` ${headline(res)}` : ''}  (${secs} s)`);
    }
  }
}
