// exodus run: one replicate of a scenario; writes tidy CSV + manifest and prints a summary.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, intOption, UsageError } from './args.ts';
import { runProgress } from './progress.ts';
import { checkMemory } from './memory-check.ts';
import { human, table } from './table.ts';
import { loadFor, checkAgents } from './scenario.ts';
import { resolveRun } from '../api.ts';
import { compileScenario } from '../scenarios/compile.ts';
import { simulate } from '../model/engine.ts';
import { simulateThreads } from '../model/threads.ts';
import { blockCount, BLOCK_AGENTS } from '../model/block.ts';
import { fmtValue, tidyRows, regionIndices, stockAt, flowIn, type RunResult } from '../model/results.ts';
import { toCsv } from '../scenarios/csv.ts';
import { manifest } from './manifest.ts';
import { checkOutput, OutputDir } from './output.ts';

export const usage = `Usage: exodus run <event | scenario.yaml> [options]

Run one replicate of a built-in event (see \`exodus list\`) or of a scenario file (YAML or JSON).

Options:
  --seed N          random seed (default 1); same scenario, parameters and seed give identical output
  --agents N        number of agents (default: the scenario's, usually 100000)
  --scale S         agents per person in every region instead (--scale 1: one agent per person,
                    e.g. 122.4 million for russia-blocks-2024-2026); the memory it needs is
                    estimated first and the run refused if this machine does not have it
  --threads N       run in blocks on N threads: each region cut into fixed blocks of at most
                    131,072 agents, each with its own random stream; what people do to contacts
                    in another block takes effect at the end of the step. The results are the
                    same whatever N (--threads 1 gives them on one thread) but differ from a run
                    without --threads by random draws (equal in distribution). Without it: one
                    block, the model as written
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
  const { values, positionals } = parse(argv, { seed: { type: 'string' }, agents: { type: 'string' }, scale: { type: 'string' }, threads: { type: 'string' }, out: { type: 'string' }, params: { type: 'string' }, force: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length === 0) return console.error(usage), 2;
  if (positionals.length > 1) throw new UsageError(`expected one event or scenario file, got ${positionals.length} (exodus run --help)`);
  const seed = intOption(values.seed, 'seed', 1, 0);
  const loaded = loadFor('run', positionals[0]);
  const agents = intOption(values.agents, 'agents', loaded.scenario.agents, 100);
  const scale = scaleOption(values.scale);
  if (scale !== undefined && values.agents !== undefined) throw new UsageError('--scale and --agents: expected one of them, not both');
  if (scale === undefined) checkAgents(loaded, agents, { table: true });
  const r = resolveRun(loaded, { paramsFile: values.params as string | undefined });
  const input = compileScenario(r.scenario);
  checkMemory(input, { agents, scale }, scale !== undefined ? `--scale ${scale}` : values.agents !== undefined ? `--agents ${agents}` : `${loaded.scenario.name} (${agents} agents)`);
  const threads = values.threads === undefined ? undefined : intOption(values.threads, 'threads', 1, 1);
  const out = resolve((values.out as string | undefined) ?? join('out', `${loaded.scenario.name}-seed${seed}`));
  const outOpts = { command: 'run', force: Boolean(values.force) };
  // Refuse a folder we may not write into before the run, not after it.
  checkOutput(out, RUN_FILES, outOpts);
  const bar = runProgress(`run ${loaded.scenario.name}`);
  const opts = { seed, agents, scale, threads, onProgress: (d: number, phase: 'build' | 'run') => bar.update(d, phase) };
  const res = threads === undefined ? simulate(input, r.params, opts, { hash: loaded.hash }) : await simulateThreads(input, r.params, opts, { hash: loaded.hash });
  bar.done();
  // A run in blocks is a different (equally valid) draw: the manifest says so, to reproduce it.
  const engine = threads === undefined ? undefined : { blocks: blockCount(input, { agents, scale }), threads, blockAgents: BLOCK_AGENTS };
  writeRun(out, res, manifest({ command: 'run', loaded, resolved: r, seed, agents: res.agents, wallMs: res.wallMs, extra: { ...(scale !== undefined ? { scale } : {}), ...(engine ? { engine } : {}) } }), outOpts);
  console.log(summary(res));
  console.log(`\nwrote ${out}/series.csv, switches.csv, manifest.json (${(res.wallMs / 1000).toFixed(1)} s)`);
  return 0;
}

/** --scale: agents per person, a number in (0, 10]. */
function scaleOption(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x > 0 && x <= 10)) throw new UsageError(`--scale: expected agents per person, a number above 0 and at most 10 (1: one agent per person), got "${String(v)}"`);
  return x;
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
