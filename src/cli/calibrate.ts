// exodus calibrate: one set of behavioural parameters for all events; point estimate, posterior,
// fit tables. Progress on stderr; interrupted work resumes from its checkpoint with --resume.
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { parse, intOption, UsageError } from './args.ts';
import { progressBar } from './progress.ts';
import { builtinNames, loadScenario } from '../scenarios/load.ts';
import { loadFor } from './scenario.ts';
import { calibrate, writeCalibration, CalibrationInterrupted, DEFAULTS, MIN_BUDGET, type CalibrateProgress, type CalibrationResult } from '../calibrate/calibrate.ts';
import { fromUnit, priorSd, type Dim } from '../calibrate/space.ts';
import { fitCsv, fitTable, summaryLine, type FitTable } from '../calibrate/fittable.ts';
import { comparedFigures, observeReplicates } from '../calibrate/replicates.ts';
import { resampleDraws } from '../calibrate/posterior.ts';
import type { Pool } from '../calibrate/pool.ts';
import { POOL_HELP, POOL_OPTIONS, poolFromArgs } from './pool-options.ts';
import { table } from './table.ts';
import { checkOutput, OutputDir } from './output.ts';
import { AGENTS_FLOOR, MIN_AGENTS_PER_FIGURE } from '../calibrate/resolution.ts';

export const OUT_DIR = fileURLToPath(new URL('../../data/calibrated/', import.meta.url));

export const usage = `Usage: exodus calibrate [event | scenario.yaml ...] [options]

Fit ONE set of behavioural parameters (those marked fit: true in src/model/params.ts) shared by
all the events given (default: every built-in event that is not a projection), plus the few
per-event unknowns the scenarios declare under "fitted:" (each with its prior), reported
separately. The target is the posterior with a likelihood of reporting errors (each figure's kind
and confidence set its error; src/calibrate/errors.ts). The search runs in design waves: a Latin
hypercube from the prior, then candidates drawn from the posterior of Gaussian-process emulators
fitted to every run so far (tempered SMC on the emulated likelihood). The central estimate is the
posterior draw nearest the posterior mean; it and some posterior draws are simulated again to
check the emulator and give the fit tables.

Options:
  --budget N        candidates to simulate (default ${DEFAULTS.budget}, at least ${MIN_BUDGET}); each runs once on every
                    event; ${Math.round(100 * DEFAULTS.firstShare)}% from the prior, the rest in the later waves
  --waves N         design waves (default ${DEFAULTS.waves})
  --seed N          base seed (default ${DEFAULTS.seed}); candidate k of wave w runs seed + 1000 w + k
  --agents N[,EVENT=N...]  agents per calibration run, for all events or by event (default:
                    enough that every compared figure is worth ${MIN_AGENTS_PER_FIGURE}+ agents, at least
                    ${AGENTS_FLOOR.toLocaleString('en')}, at most the scenario's own)
  --particles N     SMC particles on the emulator (default ${DEFAULTS.particles})
  --draws N         posterior draws to keep (default ${DEFAULTS.draws})
  --learning-rate R the likelihood's learning rate, 0 < R <= 1 (posterior = prior x likelihood^R);
                    default: chosen by simulation-based calibration on the first wave's prior
                    runs, so that 90% posterior intervals hold 90% of the true values (README:
                    "Compare and calibrate")
${POOL_HELP}
  --resume          continue an interrupted calibration from its checkpoint (.exodus/); with
                    --queue, runs that finished in the queue meanwhile are taken from there too
  --out DIR         where to write (default data/calibrated: the shipped calibration, which every
                    other command uses; it is replaced when the calibration ends, and
                    \`git checkout data/calibrated\` restores it). A new or empty folder, or one
                    exodus wrote; other files in it are left alone
  --force           write into a folder exodus did not write (replacing entries of the output's
                    names only)
  --fit-replicates N  rerun N replicates (posterior draws, each scenario's own agents or
                    --fit-agents) for the fit tables; default 0: the tables come from the
                    calibration's own validation runs, at calibration scale
  --fit-agents N    agents for --fit-replicates (default: each scenario's)
  -h, --help        this help

Writes to DIR: params.json (central estimate, per-event values, settings), posterior.csv (draw,
param, value, weight), design.csv (every simulated candidate and its figures), generations.csv
(fit by design wave), fit-<event>.csv (every figure against the model), manifest.json (wall time,
emulator checks, machine).`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      budget: { type: 'string' },
      waves: { type: 'string' },
      seed: { type: 'string' },
      agents: { type: 'string' },
      particles: { type: 'string' },
      'learning-rate': { type: 'string' },
      draws: { type: 'string' },
      ...POOL_OPTIONS,
      resume: { type: 'boolean' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      'fit-replicates': { type: 'string' },
      'fit-agents': { type: 'string' },
    },
    usage,
  );
  if (values.help) return console.log(usage), 0;
  const events = positionals.length ? positionals : defaultEvents();
  if (events.length === 0) throw new UsageError('no events to calibrate on (exodus calibrate --help)');
  const loaded = events.map((e) => loadFor('calibrate', e));
  const budget = budgetOption(values.budget, DEFAULTS.budget);
  const out = resolve((values.out as string | undefined) ?? OUT_DIR);
  const outOpts = { command: 'calibrate', force: Boolean(values.force) };
  const outFiles = calibrationFiles(loaded.map((l) => l.scenario.name));
  // Refuse an output folder before the long run, and say so when it is the shipped calibration.
  checkOutput(out, outFiles, outOpts);
  if (out === resolve(OUT_DIR)) {
    console.error(
      `calibrate: when it finishes, this replaces the shipped calibration in ${relative(process.cwd(), out) || out}/ (params.json, posterior.csv, design.csv, fit tables), ` +
        'which every other command uses by default; use --out DIR to write elsewhere (git checkout data/calibrated restores the shipped one)',
    );
  }
  const { pool, description: workers } = poolFromArgs(values, { resume: Boolean(values.resume) });
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(130);
    ac.abort();
    process.stderr.write('\nstopping after the current batch (Ctrl-C again to quit at once)...\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const bar = calibrationProgress(`calibrate`);
    let r: CalibrationResult;
    try {
      r = await calibrate({
        events: loaded,
        budget,
        waves: intOption(values.waves, 'waves', DEFAULTS.waves),
        seed: intOption(values.seed, 'seed', DEFAULTS.seed, 0),
        agents: agentsOption(values.agents),
        particles: intOption(values.particles, 'particles', DEFAULTS.particles, 100),
        draws: intOption(values.draws, 'draws', DEFAULTS.draws, 10),
        learningRate: rateOption(values['learning-rate'] as string | undefined),
        resume: Boolean(values.resume),
        pool,
        signal: ac.signal,
        onProgress: bar.update,
      });
    } catch (e) {
      bar.done();
      if (e instanceof CalibrationInterrupted) return console.error(`exodus calibrate: ${e.message}`), 130;
      throw e;
    }
    bar.done();
    console.error(`calibrated on ${r.events.join(', ')}: ${r.candidates} candidates, ${r.simulated} runs (${r.fromCheckpoint} from the checkpoint), ${(r.wallMs / 1000).toFixed(0)} s`);
    const fitReplicates = intOption(values['fit-replicates'], 'fit-replicates', 0, 0);
    const tables = fitReplicates > 0 ? await fitTables(r, loaded, pool, fitReplicates, values['fit-agents'] === undefined ? undefined : intOption(values['fit-agents'], 'fit-agents', 0, 100)) : ownFitTables(r, loaded);
    const extra: Record<string, string> = {};
    for (const t of tables) extra[`fit-${t.event}.csv`] = fitCsv(t.rows);
    const wall = performance.now() - t0;
    const dir = new OutputDir(out, outFiles, outOpts);
    let files: string[];
    try {
      writeCalibration(dir.path, r, extra);
      writeFileSync(join(dir.path, 'manifest.json'), JSON.stringify(manifestOf(r, tables, wall, workers), null, 2) + '\n');
      files = dir.commit();
    } catch (e) {
      dir.abort();
      throw e;
    }
    console.log(report(r, tables));
    console.log(`\nwrote ${out}/{${files.join(', ')}} (${(wall / 1000).toFixed(0)} s in all)`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await pool.close();
  }
}

const t0 = performance.now();

/** --budget N, refused below the minimum the search needs (MIN_BUDGET: every wave needs enough runs to fit emulators to). */
export function budgetOption(v: unknown, def: number): number {
  const budget = intOption(v, 'budget', def);
  if (budget < MIN_BUDGET) {
    throw new UsageError(`--budget: expected at least ${MIN_BUDGET} candidates (each design wave needs enough runs to fit the emulators to), got ${budget}`);
  }
  return budget;
}

/** The files a calibration writes. */
export function calibrationFiles(events: string[]): string[] {
  return ['params.json', 'posterior.csv', 'generations.csv', 'design.csv', ...events.map((e) => `fit-${e}.csv`), 'manifest.json'];
}

/** --agents N, or N,event=M,..., or event=M,... ("*": the number for the other events). */
export function agentsOption(v: unknown): number | Record<string, number> | undefined {
  if (v === undefined) return undefined;
  const parts = String(v).split(',').map((x) => x.trim()).filter(Boolean);
  if (parts.length === 1 && !parts[0].includes('=')) return intOption(parts[0], 'agents', 0, 100);
  const out: Record<string, number> = {};
  let all: number | undefined;
  for (const p of parts) {
    const m = /^([a-z0-9][a-z0-9-]*)=(\d+)$/.exec(p);
    if (m) out[m[1]] = intOption(m[2], `agents ${m[1]}`, 0, 100);
    else if (/^\d+$/.test(p)) all = intOption(p, 'agents', 0, 100);
    else throw new UsageError(`--agents: expected N or EVENT=N separated by commas, got "${p}"`);
  }
  return all === undefined ? out : { ...out, '*': all };
}

/** The built-in events that are reconstructions (projections are not calibrated on). */
export function defaultEvents(): string[] {
  return builtinNames().filter((n) => !loadScenario(n).scenario.projection);
}

/** Fit tables from the calibration's own validation runs of posterior draws (no new runs). */
export function ownFitTables(r: CalibrationResult, loaded: ReturnType<typeof loadScenario>[]): FitTable[] {
  return loaded.map((l) => {
    const name = l.scenario.name;
    const p = r.predictive[name];
    const meta = {
      params: r.params,
      fitted: r.point.events[name] ?? {},
      paramSource: p.draws.length ? 'calibration: validation runs of posterior draws at calibration scale' : 'calibration: validation runs at the central estimate at calibration scale',
      posterior: p.draws.length > 0,
      seed: r.settings.seed,
      agents: r.settings.agents[name],
    };
    return fitTable(l, p.draws.length ? p.draws : p.point, meta);
  });
}

/** Fit tables as exodus compare gives them, one per event: replicate k runs posterior draw k. */
export async function fitTables(r: CalibrationResult, loaded: ReturnType<typeof loadScenario>[], pool: Pool, replicates: number, agents?: number): Promise<FitTable[]> {
  const draws = resampleDraws(r.posterior, replicates);
  const tables: FitTable[] = [];
  for (const l of loaded) {
    const bar = progressBar(`fit table ${l.scenario.name}`);
    const o = { replicates, seed: 1, agents: agents ?? l.scenario.agents, useCalibrated: false, draws, pool, onProgress: (d: number) => bar.update(d) };
    const obs = comparedFigures(l).map((x) => x.obs);
    const values = await observeReplicates(l, obs, o);
    bar.done();
    tables.push(
      fitTable(l, values, { params: r.params, fitted: r.point.events[l.scenario.name] ?? {}, paramSource: 'calibration (posterior draws)', posterior: true, seed: o.seed, agents: o.agents }),
    );
  }
  return tables;
}

function manifestOf(r: CalibrationResult, tables: FitTable[], wallMs: number, workers: string) {
  return {
    command: 'calibrate',
    created: new Date().toISOString(),
    node: process.version,
    workers,
    wallSeconds: Math.round(wallMs / 1000),
    calibrationSeconds: Math.round(r.wallMs / 1000),
    candidates: r.candidates,
    runs: r.simulated,
    fromCheckpoint: r.fromCheckpoint,
    centralEstimateQuantile: Number(r.pointQuantile.toFixed(4)),
    waves: r.waves,
    emulatorChecks: r.emulatorChecks,
    fitTables: tables.map((t) => ({ event: t.event, replicates: t.replicates, agents: t.agents, summary: t.summary, summaryHigh: t.summaryHigh })),
  };
}

/** Posterior mean and sd (natural units) of each dimension. */
export function posteriorSummary(r: Pick<CalibrationResult, 'dims' | 'posteriorUnit'>): { key: string; mean: number; sd: number; lo: number; hi: number; contraction: number }[] {
  return r.dims.map((d, i) => {
    const xs = r.posteriorUnit.map((u) => fromUnit(d, u[i])).sort((a, b) => a - b);
    const us = r.posteriorUnit.map((u) => u[i]);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    const um = us.reduce((a, b) => a + b, 0) / us.length;
    const usd = Math.sqrt(us.reduce((a, b) => a + (b - um) ** 2, 0) / us.length);
    return { key: d.key, mean, sd, lo: xs[Math.floor(0.05 * (xs.length - 1))], hi: xs[Math.ceil(0.95 * (xs.length - 1))], contraction: usd / priorSd(d) };
  });
}

/** The printed result: parameters, per-event values, waves, emulator checks, fit summaries. */
export function report(r: CalibrationResult, tables: FitTable[]): string {
  const sum = new Map(posteriorSummary(r).map((x) => [x.key, x]));
  const g = (v: number) => String(Number(v.toPrecision(4)));
  const row = (d: Dim, v: number) => {
    const x = sum.get(d.key)!;
    return [g(v), `${g(x.lo)} .. ${g(x.hi)}`, x.contraction.toFixed(2)];
  };
  const ps = r.dims.filter((d) => !d.event).map((d) => [d.key, ...row(d, r.point.params[d.name]), `${d.min} .. ${d.max} (${d.scale})`]);
  const ev = r.dims.filter((d) => d.event).map((d) => [d.event!, d.name, ...row(d, r.point.events[d.event!][d.name]), d.prior.kind === 'normal' ? 'normal' : 'uniform']);
  const lines = [
    `Behavioural parameters (shared by all events): central estimate, 90% posterior interval, posterior sd / prior sd:`,
    table(['parameter', 'estimate', '90% interval', 'sd ratio', 'prior'], ps, ['l', 'r', 'r', 'r', 'l']),
  ];
  if (ev.length) lines.push('', 'Per-event unknowns (reported separately):', table(['event', 'name', 'estimate', '90% interval', 'sd ratio', 'prior'], ev, ['l', 'l', 'r', 'r', 'r', 'l']));
  lines.push('', table(['wave', 'runs', 'best fit', 'median fit', 'SMC steps', 'ESS'], r.waves.map((w) => [String(w.wave), String(w.runs), w.best.toFixed(3), w.median.toFixed(3), String(w.smcStages), String(Math.round(w.ess))]), ['r', 'r', 'r', 'r', 'r', 'r']));
  lines.push('(fit = mean log-likelihood per figure of the simulated runs)');
  lines.push('', `Emulator against the validation runs (log10 rmse; leave-one-out): ${r.emulatorChecks.map((c) => `${c.event} ${c.rmse.toFixed(3)} (${c.loo.toFixed(3)})`).join(', ')}`);
  const lr = r.settings.learningRate;
  lines.push(
    lr.trials.length
      ? `Learning rate ${lr.rate} (SBC on ${lr.truths} prior runs; 90% intervals held ${lr.trials.map((t) => `${Math.round(100 * t.coverage90)}% at ${t.rate}`).join(', ')})`
      : `Learning rate ${lr.rate}${lr.truths ? '' : ' (given)'}`,
  );
  lines.push(`Central estimate: nearer the posterior mean than ${(100 * (1 - r.pointQuantile)).toFixed(0)}% of the draws.`);
  for (const t of tables) lines.push('', `${t.event}:`, `  ${summaryLine(t.summary, 'all figures')}`, `  ${summaryLine(t.summaryHigh, 'high confidence')}`);
  return lines.join('\n');
}

/** A progress bar (TTY) plus one log line per wave on stderr. */
function calibrationProgress(label: string) {
  const bar = progressBar(label);
  const start = performance.now();
  return {
    update(p: CalibrateProgress) {
      const elapsed = (performance.now() - start) / 1000;
      if (p.waveDone || p.message) {
        const eta = p.simulated > 0 ? (elapsed / p.simulated) * p.runsLeft : 0;
        bar.done();
        const what = p.waveDone ? `wave ${p.wave}/${p.waves} done: best fit ${p.best.toFixed(3)}` : `wave ${p.wave}/${p.waves}: ${p.message}`;
        process.stderr.write(`${what}, ${p.candidates}/${p.budget} candidates, ${p.simulated} runs, ${elapsed.toFixed(0)} s${p.runsLeft > 0 ? `, ~${eta.toFixed(0)} s left` : ''}\n`);
        return;
      }
      const inBatch = p.batchSize ? p.batchDone / p.batchSize : 0;
      bar.update(Math.min(1, (p.candidates + inBatch * 40) / p.budget), `${p.phase} wave ${p.wave}/${p.waves}`);
    },
    done: () => bar.done(),
  };
}

/** --learning-rate: a number in (0, 1], or undefined (chosen by SBC). */
function rateOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x > 0 && x <= 1)) throw new UsageError(`--learning-rate: expected a number above 0 and at most 1, got "${v}"`);
  return x;
}
