// exodus report: replicates of each event with the shipped (or given) parameters, the fit tables,
// every chart as .vl.json/.svg/.png, and one offline report.html.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, intOption, UsageError } from './args.ts';
import { progressBar } from './progress.ts';
import { human } from './table.ts';
import { VERSION } from './manifest.ts';
import { OutputDir } from './output.ts';
import { builtinNames, type LoadedScenario } from '../scenarios/load.ts';
import { loadFor, checkAgents } from './scenario.ts';
import { CALIBRATED_PARAMS, calibratedParamFile } from '../api.ts';
import { runReplicates, type ParamDraw } from '../calibrate/replicates.ts';
import { fitCsv, fitTableOf, type FitTable } from '../calibrate/fittable.ts';
import { posteriorBeside, readPosterior, resampleDraws } from '../calibrate/posterior.ts';
import { createPool, defaultWorkers } from '../calibrate/pool.ts';
import { toCsv } from '../scenarios/csv.ts';
import { displayPath, eventCharts, figurePoints, overviewCharts, reportEvent } from '../charts/assemble.ts';
import { checkDiagnosticsFiles, diagnosticsHint } from '../charts/diagnostics-files.ts';
import { shortEventTitle } from '../charts/style.ts';
import { writeChartFiles, writeReportHtml, type ReportChart, type ReportEvent } from '../charts/report.ts';
import type { FigurePoint, FitRow } from '../charts/types.ts';

export const usage = `Usage: exodus report <event | scenario.yaml | all> [...] [options]

Run each event N times (seeds seed..seed+N-1) with the calibrated parameters and write, per event,
every chart as <chart>.vl.json (Vega-Lite), <chart>.svg and <chart>.png, the fit table (fit.csv) and
the model bands (bands.csv); across events the fit overview; and one offline report.html. The
calibration's charts (posterior, loss, cross-validation, and the diagnostics of exodus diagnose
and exodus sensitivity, when the parameter file has them beside it) come with "all", or with
--with-calibration: a report of your own scenario holds its charts. The report names the command
that makes a diagnostic it lacks.

Options:
  --out DIR         output folder (default out): a new or empty folder, or one exodus wrote before;
                    the report's entries (report.html, manifest.json, overview/, <event>/) are
                    replaced, everything else in it (e.g. outputs of exodus run) is left alone
  --force           write into a folder exodus did not write, replacing only entries named like
                    the report's
  --params FILE     behavioural parameters (JSON); default data/calibrated/params.json
  --replicates N    replicates per event (default 20, as compare: the same runs, the same numbers)
  --seed N          seed of the first replicate (default 1)
  --agents N        agents per run (default: each scenario's)
  --workers N       worker threads (default: the number of cores); results do not depend on it
  --point           use the central estimate only (default: replicate k draws its parameters from
                    the posterior sample beside the parameter file, when there is one)
  --with-calibration
                    also chart the calibration behind the parameters (posterior, loss by
                    design wave, cross-validation; diagnostics.json and sensitivity-*.csv:
                    recovery of known parameters, identifiability, prior predictive,
                    sensitivity of each figure); default only for "all"
  -h, --help        this help`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { out: { type: 'string' }, params: { type: 'string' }, replicates: { type: 'string' }, seed: { type: 'string' }, agents: { type: 'string' }, workers: { type: 'string' }, point: { type: 'boolean' }, force: { type: 'boolean' }, 'with-calibration': { type: 'boolean' } },
    usage,
  );
  if (values.help) return console.log(usage), 0;
  if (positionals.length === 0) throw new UsageError('expected "all", an event or a scenario file (exodus report --help)');
  const names = positionals.flatMap((p) => (p === 'all' ? builtinNames() : [p]));
  // Load everything first: a bad file stops the report before anything is written.
  const events = names.map((n) => loadFor('report', n));
  const replicates = intOption(values.replicates, 'replicates', 20);
  const seed = intOption(values.seed, 'seed', 1, 0);
  const agentsOpt = values.agents === undefined ? undefined : intOption(values.agents, 'agents', 100_000, 100);
  const workers = intOption(values.workers, 'workers', defaultWorkers());
  for (const l of events) checkAgents(l, agentsOpt ?? l.scenario.agents, { parallel: Math.min(workers, replicates) });
  const out = resolve((values.out as string | undefined) ?? 'out');
  const paramsFile = (values.params as string | undefined) ?? (calibratedParamFile() ? CALIBRATED_PARAMS : undefined);
  const posterior = !values.point && paramsFile ? posteriorBeside(paramsFile) : undefined;
  const draws: ParamDraw[] | undefined = posterior ? resampleDraws(readPosterior(posterior), replicates) : undefined;
  // The calibration is about the built-in events: its charts belong to a report of all of them.
  const withCalibration = Boolean(values['with-calibration']) || positionals.includes('all');
  // Diagnostics files are read now: a bad one stops the report before any run (one line, exit 2).
  if (withCalibration && paramsFile) checkDiagnosticsFiles(paramsFile);
  const hint = withCalibration && paramsFile ? diagnosticsHint(paramsFile, displayPath) : undefined;
  if (hint) console.error(hint);

  const t0 = performance.now();
  // Checked before the runs; built in a temporary folder moved into place at the end.
  const outDir = new OutputDir(out, ['report.html', 'manifest.json', 'overview', ...events.map((l) => l.scenario.name)], { command: 'report', force: Boolean(values.force) });
  let what: string;
  try {
    what = await writeReport(outDir.path);
    outDir.commit();
  } catch (e) {
    outDir.abort();
    throw e;
  }
  console.log(`wrote ${out}/report.html (${what}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return 0;

  async function writeReport(tmp: string): Promise<string> {
    const pool = createPool(workers);
    const reportEvents: ReportEvent[] = [];
    const allFit: FitRow[] = [];
    const allFigures: FigurePoint[] = [];
    const manifestEvents: Record<string, unknown>[] = [];
    const titles: Record<string, string> = {};
    try {
      for (const [k, loaded] of events.entries()) {
        const name = loaded.scenario.name;
        titles[name] = shortEventTitle(name);
        const agents = agentsOpt ?? loaded.scenario.agents;
        const bar = progressBar(`[${k + 1}/${events.length}] ${name}`);
        console.error(`[${k + 1}/${events.length}] ${name}: ${replicates} replicates x ${human(agents)} agents`);
        const opts = { replicates, seed, agents, paramsFile: values.params as string | undefined, draws, pool, onProgress: (d: number) => bar.update(d) };
        const results = await runReplicates(loaded, opts);
        bar.done();
        const fit = fitTableOf(loaded, results, opts);
        const source = sourceNote(loaded, fit, replicates, agents, seed);
        const { charts, bands, figures } = eventCharts(loaded, results, fit, source);
        const dir = join(tmp, name);
        for (const c of charts) await writeChartFiles(dir, c.name, c.spec);
        writeFileSync(join(dir, 'fit.csv'), fitCsv(fit.rows));
        writeFileSync(join(dir, 'bands.csv'), toCsv(['time', 'region', 'platform', 'metric', 'median', 'lo', 'hi'], bands.map((b) => [b.time, b.region, b.platform, b.metric, num(b.median), num(b.lo), num(b.hi)])));
        reportEvents.push(reportEvent(loaded, fit, charts.map((c) => ({ ...c, name: `${name}-${c.name}` })), figures));
        if (!loaded.scenario.projection) {
          allFit.push(...fit.rows);
          allFigures.push(...figurePoints(loaded, fit, false));
        }
        manifestEvents.push({ name, file: loaded.file, hash: loaded.hash, agents, paramSource: fit.paramSource, fitted: fit.fitted, summary: fit.summary, wallSeconds: Number((results.reduce((s, r) => s + r.wallMs, 0) / 1000).toFixed(1)) });
      }
    } finally {
      await pool.close();
    }

    const overviewSource = `Model: exodus ${VERSION}, ${replicates} replicates per event, seeds ${seed}..${seed + replicates - 1}; parameters: ${paramsFile ? displayPath(paramsFile) : 'defaults'}. Reported: sources per figure (tooltips, fit tables).`;
    const overview: ReportChart[] = overviewCharts(allFit, allFigures, paramsFile, overviewSource, titles, withCalibration);
    for (const c of overview) await writeChartFiles(join(tmp, 'overview'), c.name, c.spec);
    const manifest = {
      exodus: VERSION,
      command: `exodus report ${argv.join(' ')}`.trim(),
      replicates,
      seeds: [seed, seed + replicates - 1],
      params: paramsFile ?? 'defaults',
      posterior: posterior ?? null,
      node: process.version,
      events: manifestEvents,
      wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    };
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await writeReportHtml(join(tmp, 'report.html'), {
      title: 'exodus: messenger migrations after shocks, model against reported figures',
      generatedAt: new Date().toISOString(),
      manifest,
      intro:
        'Each event is simulated with one set of behavioural parameters shared by all events (calibrated to the reported figures); only the facts of each event differ. ' +
        (draws
          ? 'Lines are model medians over replicates that each draw their parameters from the calibrated posterior (the posterior predictive median, as in the fit tables), shaded areas 90% bands over the same replicates (the fit tables\' bands also hold each figure\'s reporting error); '
          : 'Lines are model medians over replicates, shaded areas 90% bands; ') + 'points are figures reported at the time, with their sources.',
      events: reportEvents,
      overview,
      overviewNotes: hint ? [hint] : [],
    });
    return `${events.length} events, ${reportEvents.reduce((s, e) => s + e.charts.length, 0) + overview.length} charts as .vl.json/.svg/.png`;
  }
}

function sourceNote(loaded: LoadedScenario, fit: FitTable, replicates: number, agents: number, seed: number): string {
  const sources = [...new Set(fit.rows.map((r) => r.source.split(/[;(]/)[0].trim()))].slice(0, 4);
  const more = new Set(fit.rows.map((r) => r.source)).size > sources.length ? ', ...' : '';
  return `Model: exodus ${VERSION}, ${replicates} replicates x ${human(agents)} agents, seeds ${seed}..${seed + replicates - 1}, scenario ${loaded.scenario.name} (${loaded.hash}). Reported: ${sources.join('; ') || 'none'}${more}`;
}

const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : '');
