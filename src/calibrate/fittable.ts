// The fit table of one event: every compared figure, the reported value, the model median and 90%
// band over replicates, the ratio and whether the figure lies in the band. `exodus compare` prints
// it as a table or as JSON from this one structure; calibration writes it as fit-<event>.csv.
import type { LoadedScenario } from '../scenarios/load.ts';
import type { RunResult } from '../model/results.ts';
import { observe } from '../model/observe.ts';
import type { FitRow } from '../charts/types.ts';
import type { Params } from '../model/params.ts';
import { DAY_MS, isoTime, parseDate } from '../model/time.ts';
import { toCsv } from '../scenarios/csv.ts';
import { human, table } from '../cli/table.ts';
import { comparedFigures, observeReplicates, replicatePlan, type Band, type ReplicateOptions } from './replicates.ts';
import { summarise, type FitSummary } from './loss.ts';
import { log10Error, meetsBand, targetOf, tCdf, type Target } from './errors.ts';
import { floorOf, toLog } from './emulate.ts';
import type { FigureSpec } from '../scenarios/schema.ts';

export interface FitTableRow extends FitRow {
  label: string;
  source: string;
  url: string;
  /** The figure's own unit as reported (e.g. "users/day"). */
  unit: string;
  /** What the compared numbers are: people, percent of a base, percent of all regions, or a ratio. */
  measure: string;
  /** How the figure is expressed: people, percent of the population, or percent of all regions. */
  as: 'count' | 'percent' | 'share-of-total';
  /** The other side of a relative figure (its value is a ratio). */
  relative: boolean;
  low?: number;
  high?: number;
  /** Kind of measurement and scale of its reporting error (log10). */
  kind: string;
  errorSd: number;
  /** ISO end of the figure's window. */
  dateEnd: string;
}

export interface FitTable {
  event: string;
  title: string;
  hash: string;
  projection: boolean;
  params: Params;
  fitted: Record<string, number>;
  paramSource: string;
  /** Whether replicates draw their parameters from a posterior sample (else: one parameter set). */
  posterior: boolean;
  seed: number;
  replicates: number;
  agents: number;
  rows: FitTableRow[];
  summary: FitSummary;
  /** The same summary over the high-confidence figures only. */
  summaryHigh: FitSummary;
}

/** Round to 6 significant digits, or to 4 decimals. */
const r6 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);
const r4 = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(4)) : v);

/**
 * The 90% band of the REPORTED figure: the model's values over the replicates (seeds and
 * posterior draws), each plus the figure's reporting error (errors.ts), as quantiles of that
 * mixture; and the model's median over the replicates (without reporting error).
 */
export function predictiveBand(values: readonly number[], t: Target, level = 0.9): Band {
  const floor = floorOf(t);
  const xs = values.filter((v) => Number.isFinite(v)).map((v) => toLog(v, floor));
  if (xs.length === 0) return { median: NaN, lo: NaN, hi: NaN };
  const cdf = (y: number) => xs.reduce((a, x) => a + tCdf((y - x) / t.sd), 0) / xs.length;
  const q = (p: number) => {
    let lo = Math.min(...xs) - 20 * t.sd;
    let hi = Math.max(...xs) + 20 * t.sd;
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (cdf(mid) < p) lo = mid;
      else hi = mid;
    }
    return 10 ** ((lo + hi) / 2);
  };
  return { median: medianOf(values), lo: q((1 - level) / 2), hi: q((1 + level) / 2) };
}

/** The median of the finite values (NaN when there are none). */
function medianOf(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/** What a figure's compared numbers are, for the unit column. */
export function measureOf(f: FigureSpec): string {
  if (f.relativeTo) return 'ratio';
  const base = f.universe ? `${f.universe}` : 'population';
  if (f.as === 'percent') return `% of ${base}`;
  if (f.as === 'share-of-total') return '% of all regions';
  return f.universe ? `people (${f.universe})` : 'people';
}

/** Build the table from per-replicate values (values[k][j]: figure j in replicate k). */
export function fitTable(
  loaded: LoadedScenario,
  values: readonly (readonly number[])[],
  meta: Pick<FitTable, 'params' | 'fitted' | 'paramSource' | 'posterior' | 'seed' | 'agents'>,
): FitTable {
  const s = loaded.scenario;
  const figs = comparedFigures(loaded);
  const t0 = parseDate(s.time.start);
  const rows: FitTableRow[] = figs.map(({ figure: f, obs }, j) => {
    const t = targetOf(f);
    const band = predictiveBand(values.map((v) => v[j]), t, 0.9);
    // Rounded once here, so that the table, the JSON and the CSV show the same numbers.
    const b = { median: r6(band.median), lo: r6(band.lo), hi: r6(band.hi) };
    return {
      event: s.name,
      id: f.id,
      date: f.date!,
      dateEnd: isoTime(t0 + obs.to * DAY_MS),
      platform: f.platform,
      metric: f.metric!,
      as: f.as,
      relative: Boolean(f.relativeTo),
      geography: f.geography ?? (Array.isArray(f.region) ? f.region.join('+') : f.region),
      confidence: t.confidence,
      reported: t.value,
      ...(f.low !== undefined ? { low: f.low } : {}),
      ...(f.high !== undefined ? { high: f.high } : {}),
      median: b.median,
      lo: b.lo,
      hi: b.hi,
      log10_ratio: r4(log10Error(b.median, t)),
      inside: meetsBand(b, t),
      label: f.label ?? '',
      source: f.source ?? '',
      url: f.url ?? '',
      unit: f.unit ?? '',
      measure: measureOf(f),
      kind: t.kind,
      errorSd: t.sd,
    };
  });
  return {
    event: s.name,
    title: s.title,
    hash: loaded.hash,
    projection: s.projection,
    ...meta,
    replicates: values.length,
    rows,
    summary: summarise(rows),
    summaryHigh: summarise(rows.filter((r) => r.confidence === 'high')),
  };
}

/**
 * Run the replicates and build the fit table. With posterior draws, replicate k runs draw k: the
 * median is the posterior predictive median, the model's value for the figure. Not the model at
 * the central estimate: the posterior is wide (learning-rate.ts) and the model far from linear in
 * its parameters, so which single draw is central decides much of an event's outcome; the
 * median over draws does not hang on one draw (calibrations of the same model that differ in
 * their central estimates agree far better on it).
 */
export async function compareScenario(loaded: LoadedScenario, o: ReplicateOptions = {}): Promise<FitTable> {
  const obs = comparedFigures(loaded).map((x) => x.obs);
  return fitTable(loaded, await observeReplicates(loaded, obs, o), fitMeta(loaded, o));
}

/** The fit table of replicates already run with options `o` (as compareScenario, without re-running). */
export function fitTableOf(loaded: LoadedScenario, results: readonly RunResult[], o: ReplicateOptions = {}): FitTable {
  const obs = comparedFigures(loaded).map((x) => x.obs);
  return fitTable(loaded, results.map((r) => obs.map((ob) => observe(r, ob))), fitMeta(loaded, o));
}

/** What a fit table records about how its replicates were run. */
function fitMeta(loaded: LoadedScenario, o: ReplicateOptions): Pick<FitTable, 'params' | 'fitted' | 'paramSource' | 'posterior' | 'seed' | 'agents'> {
  const plan = replicatePlan(loaded, { ...o, draws: undefined, replicates: 1 });
  return {
    params: plan.resolved[0].params,
    fitted: plan.resolved[0].fitted,
    paramSource: plan.resolved[0].paramSource + (o.draws?.length ? ' (replicates draw from the posterior)' : ''),
    posterior: Boolean(o.draws?.length),
    seed: o.seed ?? 1,
    agents: o.agents ?? loaded.scenario.agents,
  };
}

function summaryJson(s: FitSummary) {
  return { median_abs_log10: r4(s.median_abs_log10), max_abs_log10: r4(s.max_abs_log10), coverage: r4(s.coverage), figures: s.figures };
}

/** The JSON of `exodus compare --json`. */
export function fitJson(t: FitTable) {
  return {
    event: t.event,
    title: t.title,
    hash: t.hash,
    params: t.params,
    fitted: t.fitted,
    paramSource: t.paramSource,
    posterior: t.posterior,
    seed: t.seed,
    replicates: t.replicates,
    agents: t.agents,
    median: t.posterior
      ? 'model.median: the posterior predictive median: the median over the replicates, replicate k with posterior draw k (exodus run gives one run at the central estimate instead)'
      : 'model.median: the median over the replicates',
    band: t.posterior
      ? 'model.lo/hi: the 90% posterior predictive band of the reported figure: model values over the replicates with posterior draws, plus the figure\'s reporting error'
      : 'model.lo/hi: the 90% band of the reported figure: model values over the replicates plus the figure\'s reporting error',
    figures: t.rows.map((r) => ({
      id: r.id,
      date: r.date,
      platform: r.platform,
      metric: r.metric,
      ...(r.as !== 'count' ? { as: r.as } : {}),
      ...(r.relative ? { relative: true } : {}),
      measure: r.measure,
      geography: r.geography,
      confidence: r.confidence,
      kind: r.kind,
      error_sd_log10: r.errorSd,
      reported: r.reported,
      ...(r.low !== undefined ? { reported_low: r.low } : {}),
      ...(r.high !== undefined ? { reported_high: r.high } : {}),
      model: { median: r6(r.median), lo: r6(r.lo), hi: r6(r.hi) },
      log10_ratio: r4(r.log10_ratio),
      inside: r.inside,
      source: r.source,
    })),
    summary: summaryJson(t.summary),
    summary_high: summaryJson(t.summaryHigh),
  };
}

export const FIT_TABLE_HEADER = ['date', 'app', 'metric', 'unit', 'geography', 'conf', 'reported', 'model', '90% band', 'ratio', 'in', 'source'];

/** A reported value as printed: a number, a range, a bound, or a ratio. */
export function reportedText(r: Pick<FitTableRow, 'low' | 'high' | 'reported' | 'relative'>): string {
  const n = (x: number) => (r.relative ? `x${Number(x.toPrecision(3))}` : human(x));
  if (r.low !== undefined && r.high !== undefined) return `${n(r.low)}-${n(r.high)}`;
  if (r.low !== undefined) return `>=${n(r.low)}`;
  if (r.high !== undefined) return `<=${n(r.high)}`;
  return n(r.reported);
}

/** One printed row; the text of each column is derived from the same row as the JSON. */
export function fitTableCells(r: FitTableRow): string[] {
  const n = (x: number) => (r.relative ? `x${Number(x.toPrecision(3))}` : human(x));
  return [
    r.date,
    r.platform,
    r.metric,
    r.measure,
    r.geography,
    r.confidence,
    reportedText(r),
    n(r.median),
    `${n(r.lo)}-${n(r.hi)}`,
    ratioText(r.log10_ratio),
    r.inside ? 'yes' : 'no',
    r.source.length > 40 ? `${r.source.slice(0, 39)}…` : r.source,
  ];
}

export function ratioText(e: number): string {
  const x = 10 ** e;
  return `x${x >= 10 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}`;
}

export function summaryLine(s: FitSummary, what: string): string {
  if (s.figures === 0) return `${what}: no figures`;
  return `${what} (${s.figures}): median |log10 ratio| ${s.median_abs_log10.toFixed(3)}, max ${s.max_abs_log10.toFixed(3)}, band coverage ${(100 * s.coverage).toFixed(0)}%`;
}

/** The printed table and summary lines of `exodus compare`. */
export function fitText(t: FitTable): string {
  const runs = t.posterior ? `${t.replicates} replicates, each with its own posterior draw` : `${t.replicates} replicates`;
  const head = `${t.title}${t.projection ? '  [PROJECTION]' : ''}\n${runs} (seeds ${t.seed}..${t.seed + t.replicates - 1}), ${t.agents} agents; parameters: ${t.paramSource}`;
  const fitted = Object.keys(t.fitted).length ? `\nper-event values: ${Object.entries(t.fitted).map(([k, v]) => `${k} = ${r6(v)}`).join(', ')}` : '';
  const body = t.rows.length ? table(FIT_TABLE_HEADER, t.rows.map(fitTableCells), ['l', 'l', 'l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'l', 'l']) : '(no figures with role compare)';
  return `${head}${fitted}\n\n${body}\n\n${summaryLine(t.summary, 'all figures')}\n${summaryLine(t.summaryHigh, 'high confidence')}\n(ratio = model median / reported, 1 inside a reported range or bound; model = median over the replicates${t.posterior ? ' with posterior draws' : ''}; band = 90% ${t.posterior ? 'posterior predictive ' : ''}band of the reported figure: the replicates${t.posterior ? ' with posterior draws' : ' (seeds)'} plus the figure's reporting error)`;
}

export const FIT_CSV_COLUMNS = ['event', 'id', 'date', 'platform', 'metric', 'measure', 'geography', 'confidence', 'reported', 'median', 'lo', 'hi', 'log10_ratio', 'inside'] as const;

/** FitRow CSV (the charts' input). */
export function fitCsv(rows: readonly (FitRow & { measure?: string })[]): string {
  return toCsv(FIT_CSV_COLUMNS, rows.map((r) => [r.event, r.id, r.date, r.platform, r.metric, r.measure ?? '', r.geography, r.confidence, r6(r.reported), r6(r.median), r6(r.lo), r6(r.hi), r4(r.log10_ratio), r.inside ? 'true' : 'false']));
}
