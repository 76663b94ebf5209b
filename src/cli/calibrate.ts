// exodus calibrate: one set of behavioural parameters for all events; point estimate, posterior,
// fit tables. Progress on stderr; interrupted work resumes from its checkpoint with --resume.
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { parse, intOption, UsageError } from './args.ts';
import { progressBar } from './progress.ts';
import { builtinNames, loadScenario } from '../scenarios/load.ts';
import { loadFor } from './scenario.ts';
import { calibrate, writeCalibration, CalibrationInterrupted, DEFAULTS, type CalibrateProgress, type CalibrationResult } from '../calibrate/calibrate.ts';
import { compareScenario, fitCsv, fitTable, summaryLine, type FitTable } from '../calibrate/fittable.ts';
import { resampleDraws } from '../calibrate/posterior.ts';
import { createPool, defaultWorkers, type Pool } from '../calibrate/pool.ts';
import { table } from './table.ts';
import { checkOutput, OutputDir } from './output.ts';
import { AGENTS_FLOOR, MIN_AGENTS_PER_FIGURE } from '../calibrate/resolution.ts';

export const OUT_DIR = fileURLToPath(new URL('../../data/calibrated/', import.meta.url));

export const usage = `Usage: exodus calibrate [event | scenario.yaml ...] [options]

Fit ONE set of behavioural parameters (those marked fit: true in src/model/params.ts) shared by
all the events given (default: every built-in event that is not a projection), plus the few
per-event unknowns the scenarios declare under "fitted:", reported separately. CMA-ES finds the
point estimate, ABC-SMC a weighted posterior sample; every candidate runs on every event with the
same seeds. Loss: mean over events of the confidence-weighted mean squared log10(model/reported).

Options:
  --budget N        candidate parameter sets to evaluate (default ${DEFAULTS.budget}, at least ${minBudget(DEFAULTS.particles)} with the
                    default particles); each is run on every event and seed; ${Math.round(100 * (1 - DEFAULTS.abcShare))}% go to the
                    optimiser, the rest to ABC-SMC
  --seeds N         seeds per candidate (default ${DEFAULTS.seeds}; common random numbers)
  --seed N          first seed (default ${DEFAULTS.seed}); also seeds the optimiser and ABC
  --agents N[,EVENT=N...]  agents per calibration run, for all events or by event (default:
                    enough that every compared figure is worth ${MIN_AGENTS_PER_FIGURE}+ agents, at least
                    ${AGENTS_FLOOR.toLocaleString('en')}, at most the scenario's own)
  --particles N     ABC-SMC particles kept (default ${DEFAULTS.particles})
  --workers N       worker threads (default: the number of cores); results do not depend on it
  --resume          continue an interrupted calibration from its checkpoint (.exodus/)
  --out DIR         where to write (default data/calibrated: the shipped calibration, which every
                    other command uses; it is replaced when the calibration ends, and
                    \`git checkout data/calibrated\` restores it). A new or empty folder, or one
                    exodus wrote; other files in it are left alone
  --force           write into a folder exodus did not write (replacing entries of the output's
                    names only)
  --fit-replicates N  rerun N replicates (posterior draws, each scenario's own agents or
                    --fit-agents) for the fit tables; default 0: the tables come from the
                    calibration's own runs of 20 posterior draws, at no extra cost
  --fit-agents N    agents for --fit-replicates (default: each scenario's)
  -h, --help        this help

Writes to DIR: params.json (point estimate, per-event values, loss, settings), posterior.csv
(draw, param, value, weight), generations.csv, fit-<event>.csv (every figure against the model),
manifest.json (wall time, machine).`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      budget: { type: 'string' },
      seeds: { type: 'string' },
      seed: { type: 'string' },
      agents: { type: 'string' },
      particles: { type: 'string' },
      workers: { type: 'string' },
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
  const workers = intOption(values.workers, 'workers', defaultWorkers());
  const particles = intOption(values.particles, 'particles', DEFAULTS.particles, 2);
  budgetOption(values.budget, DEFAULTS.budget, particles);
  const out = resolve((values.out as string | undefined) ?? OUT_DIR);
  const outOpts = { command: 'calibrate', force: Boolean(values.force) };
  const outFiles = calibrationFiles(loaded.map((l) => l.scenario.name));
  // Refuse an output folder before the long run, and say so when it is the shipped calibration.
  checkOutput(out, outFiles, outOpts);
  if (out === resolve(OUT_DIR)) {
    console.error(
      `calibrate: when it finishes, this replaces the shipped calibration in ${relative(process.cwd(), out) || out}/ (params.json, posterior.csv, fit tables), ` +
        'which every other command uses by default; use --out DIR to write elsewhere (git checkout data/calibrated restores the shipped one)',
    );
  }
  const pool = createPool(workers);
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
        budget: budgetOption(values.budget, DEFAULTS.budget, particles),
        seeds: intOption(values.seeds, 'seeds', DEFAULTS.seeds),
        seed: intOption(values.seed, 'seed', DEFAULTS.seed, 0),
        agents: agentsOption(values.agents),
        particles,
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
    console.error(`calibrated on ${r.events.join(', ')}: loss ${r.loss.toPrecision(4)} after ${r.candidates} candidates, ${r.simulated} runs (${r.fromCheckpoint} from the checkpoint), ${(r.wallMs / 1000).toFixed(0)} s`);
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

/**
 * The smallest budget from which every budget works with the current search (src/calibrate): the
 * optimiser evaluates whole generations of LAMBDA candidates from its share of the budget (none
 * below one generation: no point estimate), and ABC-SMC needs max(N + 1, 2N) candidates for its
 * first generation of N particles from what is left (else an empty posterior). The two shares are
 * not monotone in the budget (36..43 fail with 12 particles), hence the search for a floor.
 */
export function minBudget(particles: number, abcShare: number = DEFAULTS.abcShare): number {
  const LAMBDA = 10; // CMA-ES population, min(10, 4 + floor(3 ln n)): 10 from 8 dimensions on
  const n0 = Math.max(particles + 1, Math.round(particles / 0.5));
  const ok = (b: number) => {
    const cma = b - Math.round(b * abcShare);
    return cma >= LAMBDA && b - LAMBDA * Math.floor(cma / LAMBDA) >= n0;
  };
  let floor = 1;
  for (let b = 1; b < floor + 500; b++) if (!ok(b)) floor = b + 1;
  return floor;
}

/** --budget N, refused below the minimum the search needs. */
export function budgetOption(v: unknown, def: number, particles: number): number {
  const budget = intOption(v, 'budget', def);
  const min = minBudget(particles);
  if (budget < min) {
    throw new UsageError(`--budget: expected at least ${min} candidates with ${particles} particles (one optimiser generation of 10, then ${Math.max(particles + 1, 2 * particles)} for the first ABC generation), got ${budget}`);
  }
  return budget;
}

/** The files a calibration on these events writes. */
export function calibrationFiles(events: string[]): string[] {
  return ['params.json', 'posterior.csv', 'generations.csv', ...events.map((e) => `fit-${e}.csv`), 'manifest.json'];
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

/** Fit tables from the calibration's own runs of posterior draws (no new runs). */
export function ownFitTables(r: CalibrationResult, loaded: ReturnType<typeof loadScenario>[]): FitTable[] {
  return loaded.map((l) => {
    const name = l.scenario.name;
    const p = r.predictive[name];
    return fitTable(
      l,
      p.point,
      {
        params: r.params,
        fitted: r.point.events[name] ?? {},
        paramSource: 'calibration point estimate; band with posterior draws (calibration runs)',
        posterior: p.draws.length > 0,
        seed: r.settings.seeds[0],
        agents: r.settings.agents[name],
      },
      p.draws,
    );
  });
}

/** Fit tables of the point estimate with posterior draws, one per event. */
export async function fitTables(r: CalibrationResult, loaded: ReturnType<typeof loadScenario>[], pool: Pool, replicates: number, agents?: number): Promise<FitTable[]> {
  const draws = resampleDraws(r.posterior, replicates);
  const tables: FitTable[] = [];
  for (const l of loaded) {
    const bar = progressBar(`fit table ${l.scenario.name}`);
    tables.push(
      await compareScenario(l, {
        replicates,
        agents: agents ?? l.scenario.agents,
        useCalibrated: false,
        params: draws.length ? undefined : r.point.params,
        fitted: draws.length ? undefined : r.point.events[l.scenario.name],
        draws,
        pool,
        onProgress: (d) => bar.update(d),
      }),
    );
    bar.done();
  }
  return tables;
}

function manifestOf(r: CalibrationResult, tables: FitTable[], wallMs: number, workers: number) {
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
    fitTables: tables.map((t) => ({ event: t.event, replicates: t.replicates, agents: t.agents, summary: t.summary, summaryHigh: t.summaryHigh })),
  };
}

/** The printed result: parameters, per-event values and losses, fit summaries. */
export function report(r: CalibrationResult, tables: FitTable[]): string {
  const ps = r.dims.filter((d) => !d.event).map((d) => [d.key, String(Number(r.point.params[d.name].toPrecision(4))), `${d.min} .. ${d.max} (${d.scale})`]);
  const ev = r.dims.filter((d) => d.event).map((d) => [d.event!, d.name, String(Number(r.point.events[d.event!][d.name].toPrecision(4))), `${d.min} .. ${d.max}`]);
  const lines = [`Behavioural parameters (shared by all events):`, table(['parameter', 'value', 'range'], ps, ['l', 'r', 'l'])];
  if (ev.length) lines.push('', 'Per-event fitted quantities (reported separately):', table(['event', 'name', 'value', 'range'], ev, ['l', 'l', 'r', 'l']));
  lines.push('', `Loss ${r.loss.toPrecision(4)}: ${Object.entries(r.eventLoss).map(([k, v]) => `${k} ${v.toPrecision(3)}`).join(', ')}`);
  for (const t of tables) lines.push('', `${t.event}:`, `  ${summaryLine(t.summary, 'all figures')}`, `  ${summaryLine(t.summaryHigh, 'high confidence')}`);
  return lines.join('\n');
}

/** A progress bar (TTY) plus one log line per generation on stderr. */
function calibrationProgress(label: string) {
  const bar = progressBar(label);
  const start = performance.now();
  const best = (p: CalibrateProgress) => (Number.isFinite(p.bestLoss) ? p.bestLoss.toPrecision(3) : '-');
  return {
    update(p: CalibrateProgress) {
      if (p.generationDone) {
        const elapsed = (performance.now() - start) / 1000;
        const eta = p.simulated > 0 ? (elapsed / p.simulated) * p.runsLeft : 0;
        bar.done();
        process.stderr.write(`${p.phase} generation ${p.generation}: best loss ${best(p)}, ${p.candidates}/${p.budget} candidates, ${p.simulated} runs, ${elapsed.toFixed(0)} s, ~${eta.toFixed(0)} s left\n`);
        return;
      }
      const inBatch = p.batchSize ? p.batchDone / p.batchSize : 1;
      bar.update((p.candidates + inBatch * p.batchCandidates) / p.budget, `${p.phase} gen ${p.generation}, best loss ${best(p)}`);
    },
    done: () => bar.done(),
  };
}
