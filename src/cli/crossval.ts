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
import { defaultWorkers } from '../calibrate/pool.ts';
import { agentsOption, budgetOption, defaultEvents, minBudget, OUT_DIR } from './calibrate.ts';
import type { FitSummary } from '../calibrate/loss.ts';

export const FOLD_BUDGET = Math.round(DEFAULTS.budget / 2);

export const usage = `Usage: exodus crossval [event | scenario.yaml ...] [options]

For each event in turn (default: every built-in event that is not a projection), calibrate on all
the others, predict the one left out, and print the same fit summary as exodus compare (median and
max |log10 ratio|, band coverage) for the predictions. Beside it, a Bass diffusion baseline per app
predicts the same figures from its fits on the other events (same role: the app hit by the shock,
or an alternative). A model is believed when it predicts the event it was not fitted to.

Options:
  --budget N        candidates per fold's calibration (default ${FOLD_BUDGET}, at least ${minBudget(DEFAULTS.particles)})
  --seeds N         seeds per candidate (default ${DEFAULTS.seeds})
  --seed N          first seed (default ${DEFAULTS.seed})
  --agents N[,EVENT=N...]  agents per run (default: as exodus calibrate)
  --replicates N    replicates of each prediction (default 10)
  --workers N       worker threads (default: the number of cores)
  --resume          reuse finished runs from the folds' checkpoints (.exodus/)
  --out DIR         where to write crossval.csv and crossval-fit-<event>.csv (default data/calibrated,
                    beside the shipped calibration; other files there are left alone)
  --force           write into a folder exodus did not write (replacing entries of those names only)
  -h, --help        this help`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      budget: { type: 'string' },
      seeds: { type: 'string' },
      seed: { type: 'string' },
      agents: { type: 'string' },
      replicates: { type: 'string' },
      workers: { type: 'string' },
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
  budgetOption(values.budget, FOLD_BUDGET, DEFAULTS.particles);
  checkOutput(out, outFiles, outOpts);
  const t0 = performance.now();
  let bar = progressBar('crossval');
  let fold = '';
  let r: CrossvalResult;
  try {
    r = await crossval({
      events: loaded,
      budget: budgetOption(values.budget, FOLD_BUDGET, DEFAULTS.particles),
      seeds: intOption(values.seeds, 'seeds', DEFAULTS.seeds),
      seed: intOption(values.seed, 'seed', DEFAULTS.seed, 0),
      agents: agentsOption(values.agents),
      replicates: intOption(values.replicates, 'replicates', 10),
      workers: intOption(values.workers, 'workers', defaultWorkers()),
      resume: Boolean(values.resume),
      onFold: (e, k, n) => {
        bar.done();
        fold = e;
        process.stderr.write(`fold ${k + 1}/${n}: calibrating without ${e} ...\n`);
        bar = progressBar(`without ${e}`);
      },
      onProgress: (p) => {
        if (p.generationDone) {
          bar.done();
          process.stderr.write(`  ${p.phase} generation ${p.generation}: best loss ${p.bestLoss.toPrecision(3)}, ${p.candidates}/${p.budget} candidates, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
        } else bar.update((p.candidates + (p.batchSize ? p.batchDone / p.batchSize : 1) * p.batchCandidates) / p.budget);
      },
      onPredict: (d) => bar.update(d, `predicting ${fold}`),
    });
  } catch (e) {
    bar.done();
    if (e instanceof CalibrationInterrupted) return console.error(`exodus crossval: ${e.message}`), 130;
    throw e;
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

export function crossvalText(r: CrossvalResult): string {
  const rows = r.folds.map((f) => {
    const e = f.exodus.summary;
    const b = f.bassSummary;
    const better = !b.figures ? 'n/a' : e.median_abs_log10 < b.median_abs_log10 ? 'exodus' : e.median_abs_log10 > b.median_abs_log10 ? 'bass' : 'tie';
    return [f.event, String(e.figures), cell(e), cell(f.exodus.summaryHigh), cell(b), cell(f.bassInSample), better];
  });
  return [
    'Leave-one-event-out: each event predicted by a calibration on the others.',
    'Cells: median |log10 ratio| / max / band coverage.',
    '',
    table(['left-out event', 'figures', 'exodus prediction', 'exodus (high conf.)', 'Bass prediction', 'Bass fitted in-sample', 'better'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'l']),
    '',
    'Bass prediction: p, q and s pooled (median) over the other events\' apps of the same role; band from each of their fits.',
    'Bass fitted in-sample: each app\'s own curve fitted to the figures it is scored on (a reference, not a prediction).',
  ].join('\n');
}
