// exodus run: one replicate of a scenario; writes tidy CSV + manifest and prints a summary.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, intOption, UsageError } from './args.ts';
import { progressBar } from './progress.ts';
import { human, table } from './table.ts';
import { loadFor, checkAgents } from './scenario.ts';
import { resolveRun } from '../api.ts';
import { simulateScenario } from '../scenarios/compile.ts';
import { fmtValue, tidyRows, regionIndices, stockAt, flowIn, type RunResult } from '../model/results.ts';
import { toCsv } from '../scenarios/csv.ts';
import { manifest } from './manifest.ts';
import { checkOutput, OutputDir } from './output.ts';

export const usage = `Usage: exodus run <event | scenario.yaml> [options]

Run one replicate of a built-in event (see \`exodus list\`) or of a scenario file (YAML or JSON).

Options:
  --seed N          random seed (default 1); same scenario, parameters and seed give identical output
  --agents N        number of agents (default: the scenario's, usually 100000)
  --out DIR         output folder (default out/<scenario>-seed<N>): a new or empty folder, or one
                    exodus wrote before (its files are replaced); any other folder is refused
  --force           write into a folder exodus did not write, replacing only entries named like
                    the outputs (series.csv, switches.csv, manifest.json); the rest is left alone
  --params FILE     behavioural parameters (JSON) over the shipped calibration
  -h, --help        this help

Writes to DIR:
  series.csv        long format: time, region, platform, metric, value (people)
                    metrics: signups, installs (in the interval up to time), dau, mau, active,
                    installed, users, primary (at time); region "all" sums the regions
  switches.csv      people who changed primary app: from, to, value
  manifest.json     exodus version, scenario and its hash, parameters, seed, agents, wall time`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { seed: { type: 'string' }, agents: { type: 'string' }, out: { type: 'string' }, params: { type: 'string' }, force: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length === 0) return console.error(usage), 2;
  if (positionals.length > 1) throw new UsageError(`expected one event or scenario file, got ${positionals.length} (exodus run --help)`);
  const seed = intOption(values.seed, 'seed', 1, 0);
  const loaded = loadFor('run', positionals[0]);
  const agents = intOption(values.agents, 'agents', loaded.scenario.agents, 100);
  checkAgents(loaded, agents, { table: true });
  const r = resolveRun(loaded, { paramsFile: values.params as string | undefined });
  const out = resolve((values.out as string | undefined) ?? join('out', `${loaded.scenario.name}-seed${seed}`));
  const outOpts = { command: 'run', force: Boolean(values.force) };
  // Refuse a folder we may not write into before the run, not after it.
  checkOutput(out, RUN_FILES, outOpts);
  const bar = progressBar(`run ${loaded.scenario.name}`);
  const res = simulateScenario(r.scenario, r.params, { seed, agents, onProgress: (d) => bar.update(d) }, { hash: loaded.hash });
  bar.done();
  writeRun(out, res, manifest({ command: 'run', loaded, resolved: r, seed, agents: res.agents, wallMs: res.wallMs }), outOpts);
  console.log(summary(res));
  console.log(`\nwrote ${out}/series.csv, switches.csv, manifest.json (${(res.wallMs / 1000).toFixed(1)} s)`);
  return 0;
}

export const RUN_FILES = ['series.csv', 'switches.csv', 'manifest.json'];

/** Write the outputs into a temporary folder, then move them into `out` (see output.ts). */
export function writeRun(out: string, res: RunResult, man: object, o: { command: string; force?: boolean } = { command: 'run' }): void {
  const dir = new OutputDir(out, RUN_FILES, o);
  try {
    writeRunFiles(dir.path, res, man);
    dir.commit();
  } catch (e) {
    dir.abort();
    throw e;
  }
}

function writeRunFiles(tmp: string, res: RunResult, man: object): void {
  const rows = tidyRows(res).map((x) => [x.time, x.region, x.platform, x.metric, fmtValue(x.value)]);
  writeFileSync(join(tmp, 'series.csv'), toCsv(['time', 'region', 'platform', 'metric', 'value'], rows));
  const K = res.platforms.length;
  const sw: (string | number)[][] = [];
  for (let from = 0; from <= K; from++) {
    for (let to = 0; to < K; to++) {
      const v = res.switches[from * K + to];
      if (v > 0) sw.push([from === K ? '(none)' : res.platforms[from], res.platforms[to], fmtValue(v)]);
    }
  }
  writeFileSync(join(tmp, 'switches.csv'), toCsv(['from', 'to', 'value'], sw));
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(man, null, 2) + '\n');
}

/** Per app: monthly audience at start and end, peak daily audience, sign-ups over the run. */
export function summary(res: RunResult): string {
  const all = regionIndices(res, 'all');
  const T = res.obsTimes[res.obsTimes.length - 1];
  const rows = res.platforms.map((id, a) => {
    let peak = 0;
    for (let o = 0; o < res.obsTimes.length; o++) peak = Math.max(peak, stockAt(res, 'dau', all, a, res.obsTimes[o]));
    return [
      id,
      human(stockAt(res, 'mau', all, a, 0)),
      human(stockAt(res, 'mau', all, a, T)),
      human(peak),
      human(flowIn(res, 'signups', all, a, 0, T)),
      `${((100 * stockAt(res, 'primary', all, a, T)) / res.population.reduce((x, y) => x + y, 0)).toFixed(1)}%`,
    ];
  });
  const title = `${res.scenario.title}${res.scenario.projection ? '  [PROJECTION]' : ''}\nseed ${res.seed}, ${res.agents} agents, ${res.regions.length} regions, ${res.stepTimes.length} steps`;
  return `${title}\n\n${table(['app', 'MAU start', 'MAU end', 'peak DAU', 'sign-ups', 'primary end'], rows)}`;
}
