// Small helpers shared by the notebooks: where the parameters come from, posterior draws for bands,
// and the fit table of replicates already run (the same steps as `exodus report`, src/cli/report.ts).
//
//   import { parameters, fitOf, human } from './lib/exodus.ts';
//   const p = parameters(8);                     // shipped calibration + posterior draws, or defaults
//   console.log(p.note);
//   const results = await runReplicates(loaded, { replicates: 8, agents: 30_000, workers: 1, draws: p.draws });
//   const fit = fitOf(loaded, results, { draws: p.draws });

import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CALIBRATED_PARAMS, calibratedParamFile } from '../../src/api.ts';
import type { LoadedScenario } from '../../src/scenarios/load.ts';
import type { ParamDraw } from '../../src/calibrate/replicates.ts';
import { fitTableOf, type FitTable } from '../../src/calibrate/fittable.ts';
import { posteriorBeside, readPosterior, resampleDraws } from '../../src/calibrate/posterior.ts';
import { human } from '../../src/cli/table.ts';

export { human };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A path relative to the project root, for printing. */
export function rel(file: string): string {
  return relative(ROOT, file) || '.';
}

export interface ParameterChoice {
  /** True when data/calibrated/params.json exists (runScenario and runReplicates then use it by default). */
  calibrated: boolean;
  /** The shipped posterior sample (data/calibrated/posterior.csv), if there is one. */
  posterior?: string;
  /** n parameter draws from that posterior (replicate k uses draw k), or undefined. */
  draws?: ParamDraw[];
  /** One line saying which parameters the notebook's runs use. */
  note: string;
}

/**
 * The parameters the notebooks run with, as `exodus report` chooses them: the shipped calibration
 * (data/calibrated/params.json) with `n` draws from the posterior beside it when there is one, else
 * the defaults of src/model/params.ts.
 */
export function parameters(n: number): ParameterChoice {
  const shipped = calibratedParamFile();
  if (!shipped) {
    return {
      calibrated: false,
      note: `Parameters: defaults of src/model/params.ts (no shipped calibration: ${rel(CALIBRATED_PARAMS)} does not exist yet).`,
    };
  }
  const particles = posteriorBeside(CALIBRATED_PARAMS);
  const sample = particles ? readPosterior(particles).filter((x) => x.weight > 0) : [];
  const posterior = sample.length > 0 ? particles : undefined;
  const draws = posterior ? resampleDraws(sample, n) : undefined;
  const note = posterior
    ? `Parameters: shipped calibration ${rel(CALIBRATED_PARAMS)}; each replicate draws its parameters from ${rel(posterior)}, so bands include parameter uncertainty.`
    : `Parameters: shipped calibration ${rel(CALIBRATED_PARAMS)} (point estimate; no posterior sample beside it).`;
  return { calibrated: true, posterior, draws, note };
}

/** The shipped calibration folder's files, when they exist (posterior.csv, generations.csv, crossval.csv...). */
export function calibratedFile(name: string): string | undefined {
  const f = fileURLToPath(new URL(name, new URL('../../data/calibrated/', import.meta.url)));
  return existsSync(f) ? f : undefined;
}

/**
 * The fit table of replicates already run with options `o` (as `exodus compare`, without
 * re-running): median and band over the runs given (with posterior draws: the posterior
 * predictive median, as compare gives it).
 */
export const fitOf = fitTableOf;

/** "x2.3" / "x0.41": model median over reported, from a log10 ratio. */
export function ratio(log10: number): string {
  const x = 10 ** log10;
  return `x${x >= 10 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}`;
}

/** The rows of a fit table in a form for showTable (numbers as short text). */
export function fitRows(t: FitTable): Record<string, unknown>[] {
  return t.rows.map((r) => ({
    date: r.date,
    app: r.platform,
    metric: r.as === 'count' ? r.metric : `${r.metric} (${r.as === 'percent' ? '%' : '% of all'})`,
    geography: r.geography,
    confidence: r.confidence,
    reported: r.low !== undefined ? `${human(r.low)}–${human(r.high!)}` : human(r.reported),
    model: human(r.median),
    '90% band': `${human(r.lo)}–${human(r.hi)}`,
    ratio: ratio(r.log10_ratio),
    inside: r.inside ? 'yes' : 'no',
  }));
}

/** A provenance line for charts: model version, replicates, agents, seeds and parameters. */
export function sourceNote(loaded: LoadedScenario, replicates: number, agents: number, p: ParameterChoice, seed = 1): string {
  const params = p.calibrated ? (p.draws ? 'shipped calibration + posterior draws' : 'shipped calibration') : 'default parameters';
  return `Model: exodus, ${replicates} replicates x ${human(agents)} agents, seeds ${seed}..${seed + replicates - 1}, scenario ${loaded.scenario.name} (${loaded.hash}); ${params}.`;
}

/**
 * Parameters for a projection that continues a calibrated event: the calibration fits per-event
 * quantities (e.g. Max's promotion bonus) for `from`, and a what-if built on the same facts (`to`) has
 * none of its own. Returns run options giving `to` the values fitted for `from`: per posterior draw
 * when there are draws, else the point estimate. Unchanged when the calibration has values for `to`.
 */
export function borrowFitted(p: ParameterChoice, from: string, to: string): { draws?: ParamDraw[]; fitted?: Record<string, number>; note: string } {
  const shipped = calibratedParamFile();
  if (!shipped) return { note: 'Per-event quantities: as written in the scenario file (no shipped calibration).' };
  if (shipped.events?.[to]) return { draws: p.draws, note: `Per-event quantities: calibrated for ${to}.` };
  const point = shipped.events?.[from];
  if (!point) return { draws: p.draws, note: `Per-event quantities: as written in the scenario file (the calibration has none for ${from}).` };
  const draws = p.draws?.map((d) => ({ ...d, events: { ...d.events, [to]: d.events?.[from] ?? point } }));
  return { draws, fitted: draws ? undefined : point, note: `Per-event quantities: those calibrated for ${from} (${Object.entries(point).map(([k, v]) => `${k} ${Number(v.toPrecision(3))}`).join(', ')}${draws ? ', per posterior draw' : ''}).` };
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26, error < 2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Share of a region's people who get round a block of this hardness: circumvention skill is
 * logit-normal (centre `mean`, spread `sd` on the logit scale) and a person gets round a block when
 * their skill reaches its hardness (src/model/shocks/block.ts).
 */
export function circumventionShare(trait: { mean: number; sd: number }, hardness: number): number {
  const logit = (p: number) => Math.log(p / (1 - p));
  if (hardness <= 0) return 1;
  if (hardness >= 1) return 0;
  if (trait.sd === 0) return trait.mean >= hardness ? 1 : 0;
  return 1 - normalCdf((logit(hardness) - logit(trait.mean)) / trait.sd);
}

/**
 * Fewer, shorter rows for a chart that is committed inside a notebook: every `every`-th observation
 * time of each series (and always its last), numbers rounded to `digits` significant digits. A daily
 * series over two years is ~600 points per app; weekly is plenty for a chart and keeps the .ipynb small.
 */
export function thinBands<T extends { time: string; median: number; lo: number; hi: number }>(rows: readonly T[], every: number, digits = 4): T[] {
  const times = [...new Set(rows.map((r) => r.time))].sort();
  const keep = new Set(times.filter((_, i) => i % every === 0 || i === times.length - 1));
  const round = (v: number) => (Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(digits)) : v);
  return rows.filter((r) => keep.has(r.time)).map((r) => ({ ...r, median: round(r.median), lo: round(r.lo), hi: round(r.hi) }));
}
