// exodus crossval: leave-one-event-out prediction, the agent-based model against a Bass baseline.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, intOption, UsageError } from './args.ts';
import { progressBar } from './progress.ts';
import { table } from './table.ts';
import { checkOutput, OutputDir } from './output.ts';
import { loadFor } from './scenario.ts';
import { crossval, crossvalCsv, type CrossvalResult } from '../calibrate/crossval.ts';
import { DEFAULTS, CalibrationInterrupted } from '../calibrate/calibrate.ts';
import { fitCsv } from '../calibrate/fittable.ts';
import { POOL_HELP, POOL_OPTIONS, poolFromArgs } from './pool-options.ts';
import { agentsOption, budgetOption, defaultEvents, OUT_DIR } from './calibrate.ts';
import { MIN_BUDGET } from '../calibrate/calibrate.ts';
import type { FitSummary } from '../calibrate/loss.ts';
import type { MethodScore } from '../calibrate/crossval.ts';

export const FOLD_BUDGET = Math.round(DEFAULTS.budget / 2);

export const usage = `Usage: exodus crossval [event | scenario.yaml ...] [options]

For each event in turn (default: every built-in event that is not a projection), calibrate on all
the others and predict the one left out: its own unknowns cannot be fitted, so they are drawn from
their priors. The prediction is scored with the fit summary of exodus compare (median and max
|log10 ratio|, coverage of the 90% band of the reported figure) and two proper scores on the log10
scale (CRPS, 90% interval score; lower is better). Beside it two baselines predict the same
figures: a Bass diffusion curve per app from its fits on the other events (same role: the app hit
by the shock, or an alternative), and "nothing happens" (the same market without its shocks). A
model is believed when it predicts the event it was not fitted to.

Options:
  --budget N        candidates per fold's calibration (default ${FOLD_BUDGET}, at least ${MIN_BUDGET})
  --seed N          base seed (default ${DEFAULTS.seed})
  --agents N[,EVENT=N...]  agents per calibration run (default: as exodus calibrate)
  --replicates N    replicates of each prediction (default 20), each with its own posterior draw
                    and its own prior draw of the left-out event's unknowns
  --predict-agents N  agents of the predictions (default: each scenario's)
${POOL_HELP}
  --resume          reuse finished runs from the folds' checkpoints (.exodus/) and, with --queue,
                    runs finished in the queue
  --out DIR         where to write crossval.csv and crossval-fit-<event>.csv (default data/calibrated,
                    beside the shipped calibration; other files there are left alone)
  --force           write into a folder exodus did not write (replacing entries of those names only)
  -h, --help        this help`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      budget: { type: 'string' },
      seed: { type: 'string' },
      'predict-agents': { type: 'string' },
      agents: { type: 'string' },
      replicates: { type: 'string' },
      ...POOL_OPTIONS,
      resume: { type: 'boolean' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    },
    usage,
  );
  if (values.help) return console.log(usage), 0;
  const events = positionals.length ? positionals : defaultEvents();
  if (events.length < 2) throw new UsageError(`expected at least two events to leave one out at a time, got ${events.length} (exodus crossval --help)`);
  const loaded = events.map((e) => loadFor('crossval', e));
  const out = resolve((values.out as string | undefined) ?? OUT_DIR);
  const outFiles = ['crossval.csv', ...loaded.map((l) => `crossval-fit-${l.scenario.name}.csv`)];
  const outOpts = { command: 'crossval', force: Boolean(values.force) };
  budgetOption(values.budget, FOLD_BUDGET);
  checkOutput(out, outFiles, outOpts);
  const t0 = performance.now();
  let bar = progressBar('crossval');
  let fold = '';
  let r: CrossvalResult;
  const { pool } = poolFromArgs(values, { resume: Boolean(values.resume) });
  try {
    r = await crossval({
      events: loaded,
      budget: budgetOption(values.budget, FOLD_BUDGET),
      seed: intOption(values.seed, 'seed', DEFAULTS.seed, 0),
      agents: agentsOption(values.agents),
      replicates: intOption(values.replicates, 'replicates', 20),
      predictAgents: values['predict-agents'] === undefined ? undefined : intOption(values['predict-agents'], 'predict-agents', 0, 100),
      pool,
      resume: Boolean(values.resume),
      onFold: (e, k, n) => {
        bar.done();
        fold = e;
        process.stderr.write(`fold ${k + 1}/${n}: calibrating without ${e} ...\n`);
        bar = progressBar(`without ${e}`);
      },
      onProgress: (p) => {
        if (p.waveDone) {
          bar.done();
          process.stderr.write(`  wave ${p.wave}/${p.waves}: best fit ${p.best.toFixed(3)}, ${p.candidates}/${p.budget} candidates, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
        } else bar.update(Math.min(1, p.candidates / p.budget));
      },
      onPredict: (d) => bar.update(d, `predicting ${fold}`),
    });
  } catch (e) {
    bar.done();
    if (e instanceof CalibrationInterrupted) return console.error(`exodus crossval: ${e.message}`), 130;
    throw e;
  } finally {
    await pool.close();
  }
  bar.done();
  const dir = new OutputDir(out, outFiles, outOpts);
  try {
    writeFileSync(join(dir.path, 'crossval.csv'), crossvalCsv(r.rows));
    for (const f of r.folds) writeFileSync(join(dir.path, `crossval-fit-${f.event}.csv`), fitCsv(f.exodus.rows));
    dir.commit();
  } catch (e) {
    dir.abort();
    throw e;
  }
  console.log(crossvalText(r));
  console.log(`\nwrote ${out}/crossval.csv and crossval-fit-<event>.csv (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  return 0;
}

const cell = (s: FitSummary) => (s.figures ? `${s.median_abs_log10.toFixed(2)} / ${s.max_abs_log10.toFixed(2)} / ${Math.round(100 * s.coverage)}%` : '-');
const sc = (m: MethodScore) => (Number.isFinite(m.crps) ? `${m.crps.toFixed(3)} / ${m.interval.toFixed(2)}` : '-');

export function crossvalText(r: CrossvalResult): string {
  const rows = r.folds.map((f) => {
    const { exodus, bass, nothing } = f.scores;
    const ranked = (['exodus', 'bass', 'nothing'] as const).filter((k) => Number.isFinite(f.scores[k].crps)).sort((a, b) => f.scores[a].crps - f.scores[b].crps);
    return [f.event, String(exodus.summary.figures), cell(exodus.summary), sc(exodus), cell(bass.summary), sc(bass), cell(nothing.summary), sc(nothing), ranked[0] ?? 'n/a'];
  });
  return [
    'Leave-one-event-out: each event predicted by a calibration on the others (its own unknowns from their priors).',
    'Fit: median |log10 ratio| / max / coverage of the 90% band of the reported figure. Scores: mean CRPS / mean 90% interval score (log10; lower is better).',
    '',
    table(['left-out event', 'figures', 'exodus fit', 'exodus scores', 'Bass fit', 'Bass scores', 'nothing-happens fit', 'nothing scores', 'best (CRPS)'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
    '',
    "Bass: p, q and s pooled (median) over the other events' apps of the same role; its predictive sample is the predictions of each of those fits.",
    'Nothing happens: the same scenario without its shocks, at the fold\'s central estimate.',
  ].join('\n');
}
