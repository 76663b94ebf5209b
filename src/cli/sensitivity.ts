// exodus sensitivity: how much each compared figure depends on each parameter (Morris on the
// simulator, or Sobol indices on the calibration's emulators).
import { join, resolve } from 'node:path';
import { checkOutputFile, writeOutputFile, type FileOutputOptions } from './output.ts';
import { parse, intOption, UsageError } from './args.ts';
import { progressBar } from './progress.ts';
import { table } from './table.ts';
import { toCsv } from '../scenarios/csv.ts';
import { CALIBRATED_PARAMS } from '../api.ts';
import { readCalibration } from '../calibrate/shipped.ts';
import { morris, sobolOnEmulator, MORRIS_DEFAULTS, type SensitivityCell } from '../calibrate/sensitivity.ts';
import { buildEventModels } from '../calibrate/emulate.ts';
import { POOL_HELP, POOL_OPTIONS, poolFromArgs } from './pool-options.ts';
import { checkpointFile, openCheckpoint } from '../calibrate/checkpoint.ts';

export const usage = `Usage: exodus sensitivity [options]

Global sensitivity of every compared figure of the calibration's events (default: those of
data/calibrated/) to every parameter it fits, over the prior.

Methods:
  morris (default)  Morris elementary effects on the simulator: r trajectories through a 4-level
                    grid of the prior, one parameter changed at a time; mu* is the mean absolute
                    change of log10(figure) for a step of 2/3 of the prior range, sigma its spread
                    (interactions, non-linearity). Runs r x (parameters + 1) candidates.
  sobol             first-order and total Sobol indices with 95% bootstrap intervals, on the
                    calibration's emulators (no new runs; as good as the emulators over the prior)

Options:
  --method NAME     morris or sobol (default morris)
  --trajectories N  Morris trajectories (default ${MORRIS_DEFAULTS.trajectories})
  --samples N       Sobol base sample (default 2048)
  --params FILE     the calibration whose events, parameters, agents and emulators are used
                    (default data/calibrated/params.json)
  --seed N          seed (default 1)
${POOL_HELP}
  --json            print one JSON object instead of tables
  --out FILE        also write the cells as CSV (default: sensitivity-<method>.csv beside params.json; "-" for none);
                    an existing file is replaced only when it is a sensitivity table exodus wrote
  --force           replace FILE whatever it is
  -h, --help        this help`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    { method: { type: 'string' }, trajectories: { type: 'string' }, samples: { type: 'string' }, params: { type: 'string' }, seed: { type: 'string' }, ...POOL_OPTIONS, json: { type: 'boolean' }, out: { type: 'string' }, force: { type: 'boolean' } },
    usage,
  );
  if (values.help) return console.log(usage), 0;
  const method = (values.method as string | undefined) ?? 'morris';
  if (method !== 'morris' && method !== 'sobol') throw new UsageError(`--method: expected morris or sobol, got "${method}"`);
  const cal = readCalibration(resolve((values.params as string | undefined) ?? CALIBRATED_PARAMS));
  const seed = intOption(values.seed, 'seed', 1, 0);
  const out = values.out === '-' ? undefined : ((values.out as string | undefined) ?? join(cal.dir, `sensitivity-${method}.csv`));
  const outOpts: FileOutputOptions = { option: '--out', force: Boolean(values.force), what: 'a sensitivity table', recognise: (t) => t.startsWith('event,figure,param,mu_star') };
  if (out) checkOutputFile(out, outOpts); // before the runs, not after them
  let cells: SensitivityCell[];
  const t0 = performance.now();
  if (method === 'morris') {
    const { pool } = poolFromArgs(values, { resume: true });
    const ckSettings = { sensitivity: cal.events.map((l) => l.hash), agents: cal.agents, fit: cal.dims.map((d) => d.key) };
    const ck = openCheckpoint(checkpointFile('.exodus', ckSettings), ckSettings, true);
    const bar = progressBar('sensitivity (Morris)');
    try {
      cells = await morris({ ...cal, trajectories: intOption(values.trajectories, 'trajectories', MORRIS_DEFAULTS.trajectories, 2), seed, pool, checkpoint: ck, onProgress: (d, n) => bar.update(n ? Math.min(1, d / n) : 0) });
    } finally {
      bar.done();
      ck.flush();
      await pool.close();
    }
  } else {
    process.stderr.write(`fitting emulators to ${cal.bank.length} runs of the calibration...\n`);
    const models = await buildEventModels(cal.dims, cal.setups, cal.bank, seed);
    cells = sobolOnEmulator({ models, dims: cal.dims, n: intOption(values.samples, 'samples', 2048, 64), seed });
  }
  if (out) writeOutputFile(out, sensitivityCsv(cells), outOpts);
  console.log(values.json ? JSON.stringify({ method, seconds: Math.round((performance.now() - t0) / 1000), cells }, null, 2) : sensitivityText(cells, method));
  return 0;
}

const r4 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toFixed(4))));

export function sensitivityCsv(cells: readonly SensitivityCell[]): string {
  return toCsv(['event', 'figure', 'param', 'mu_star', 'sigma', 'first', 'first_lo', 'first_hi', 'total', 'total_lo', 'total_hi'], cells.map((c) => [c.event, c.figure, c.param, r4(c.muStar), r4(c.sigma), r4(c.first), r4(c.firstLo), r4(c.firstHi), r4(c.total), r4(c.totalLo), r4(c.totalHi)]));
}

/** Per parameter: the figures it moves most, and its strongest effect. */
export function sensitivityText(cells: readonly SensitivityCell[], method: string): string {
  const score = (c: SensitivityCell) => (method === 'morris' ? (c.muStar ?? 0) : (c.total ?? 0));
  const params = [...new Set(cells.map((c) => c.param))];
  const rows = params
    .map((p) => {
      const cs = cells.filter((c) => c.param === p).sort((a, b) => score(b) - score(a));
      return { p, top: cs.slice(0, 3), max: score(cs[0]) };
    })
    .sort((a, b) => b.max - a.max)
    .map(({ p, top, max }) => [p, max.toFixed(3), top.map((c) => `${c.figure} (${score(c).toFixed(2)})`).join('; ')]);
  const what = method === 'morris' ? 'largest mu* (log10 change per step of 2/3 of the prior range)' : 'largest total Sobol index';
  return `${method === 'morris' ? 'Morris elementary effects' : 'Sobol indices on the emulators'}: per parameter, its ${what} and the figures it moves most.\n\n${table(['parameter', 'largest', 'figures moved most'], rows, ['l', 'r', 'l'])}`;
}
