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
import { bandsOf, comparedFigures, observeReplicates, replicatePlan, type ReplicateOptions } from './replicates.ts';
import { compareFigure, reportedOf, summarise, type FitSummary } from './loss.ts';

export interface FitTableRow extends FitRow {
  label: string;
  source: string;
  url: string;
  unit: string;
  /** How the figure is expressed: people, percent of the population, or percent of all regions. */
  as: 'count' | 'percent' | 'share-of-total';
  low?: number;
  high?: number;
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
  /** Whether the band also spans replicates with parameters drawn from a posterior sample. */
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
 * Build the table from per-replicate values (values[k][j]: figure j in replicate k). With
 * `bandValues` (replicates with posterior draws), the median is that of `values` (the point
 * estimate) and the band spans both sets: chance and parameter uncertainty.
 */
export function fitTable(
  loaded: LoadedScenario,
  values: readonly (readonly number[])[],
  meta: Pick<FitTable, 'params' | 'fitted' | 'paramSource' | 'posterior' | 'seed' | 'agents'>,
  bandValues?: readonly (readonly number[])[],
): FitTable {
  const s = loaded.scenario;
  const figs = comparedFigures(loaded);
  const point = bandsOf(values.length ? values : [figs.map(() => NaN)]);
  const wide = bandValues?.length ? bandsOf([...values, ...bandValues]) : point;
  const bs = point.map((b, j) => ({ median: b.median, lo: wide[j].lo, hi: wide[j].hi }));
  const t0 = parseDate(s.time.start);
  const rows: FitTableRow[] = figs.map(({ figure: f, obs }, j) => {
    const rep = reportedOf(f);
    // Rounded once here, so that the table, the JSON and the CSV show the same numbers.
    const b = { median: r6(bs[j].median), lo: r6(bs[j].lo), hi: r6(bs[j].hi) };
    const c = compareFigure(b, rep);
    c.log10_ratio = r4(c.log10_ratio);
    return {
      event: s.name,
      id: f.id,
      date: f.date!,
      dateEnd: isoTime(t0 + obs.to * DAY_MS),
      platform: f.platform,
      metric: f.metric!,
      as: f.as,
      geography: f.geography ?? (Array.isArray(f.region) ? f.region.join('+') : f.region),
      confidence: rep.confidence,
      reported: rep.value,
      ...(rep.low !== undefined ? { low: rep.low, high: rep.high } : {}),
      median: b.median,
      lo: b.lo,
      hi: b.hi,
      log10_ratio: c.log10_ratio,
      inside: c.inside,
      label: f.label ?? '',
      source: f.source ?? '',
      url: f.url ?? '',
      unit: f.unit ?? '',
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
 * Run the replicates and build the fit table. With posterior draws, N replicates at the point
 * estimate give the median and N more with the draws (same seeds) widen the band.
 */
export async function compareScenario(loaded: LoadedScenario, o: ReplicateOptions = {}): Promise<FitTable> {
  const figs = comparedFigures(loaded);
  const obs = figs.map((x) => x.obs);
  const withDraws = Boolean(o.draws?.length);
  const half = (k: number) => (d: number) => o.onProgress?.(withDraws ? (k + d) / 2 : d);
  const values = await observeReplicates(loaded, obs, { ...o, draws: undefined, onProgress: half(0) });
  const bandValues = withDraws ? await observeReplicates(loaded, obs, { ...o, onProgress: half(1) }) : undefined;
  return fitTable(loaded, values, fitMeta(loaded, o));
}

/** The fit table of replicates already run with options `o` (as compareScenario, without re-running). */
export function fitTableOf(loaded: LoadedScenario, results: readonly RunResult[], o: ReplicateOptions = {}): FitTable {
  const obs = comparedFigures(loaded).map((x) => x.obs);
  return fitTable(loaded, results.map((r) => obs.map((ob) => observe(r, ob))), fitMeta(loaded, o));
}

/** What a fit table records about how its replicates were run. */
function fitMeta(loaded: LoadedScenario, o: ReplicateOptions): Pick<FitTable, 'params' | 'fitted' | 'paramSource' | 'posterior' | 'seed' | 'agents'> {
  const plan = replicatePlan(loaded, { ...o, replicates: 1 });
  return {
    params: plan.resolved[0].params,
    fitted: plan.resolved[0].fitted,
    paramSource: plan.resolved[0].paramSource + (o.draws?.length ? ' (+ posterior draws)' : ''),
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
    figures: t.rows.map((r) => ({
      id: r.id,
      date: r.date,
      platform: r.platform,
      metric: r.metric,
      ...(r.as !== 'count' ? { as: r.as } : {}),
      geography: r.geography,
      confidence: r.confidence,
      reported: r.reported,
      ...(r.low !== undefined ? { reported_low: r.low, reported_high: r.high } : {}),
      model: { median: r6(r.median), lo: r6(r.lo), hi: r6(r.hi) },
      log10_ratio: r4(r.log10_ratio),
      inside: r.inside,
      source: r.source,
    })),
    summary: summaryJson(t.summary),
    summary_high: summaryJson(t.summaryHigh),
  };
}

export const FIT_TABLE_HEADER = ['date', 'app', 'metric', 'geography', 'conf', 'reported', 'model', '90% band', 'ratio', 'in', 'source'];

/** One printed row; the text of each column is derived from the same row as the JSON. */
export function fitTableCells(r: FitTableRow): string[] {
  const reported = r.low !== undefined ? `${human(r.low)}-${human(r.high!)}` : human(r.reported);
  const bandText = `${human(r.lo)}-${human(r.hi)}`;
  return [
    r.date,
    r.platform,
    r.as === 'count' ? r.metric : `${r.metric} ${r.as === 'percent' ? '%' : '% of all'}`,
    r.geography,
    r.confidence,
    reported,
    human(r.median),
    bandText,
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
  const runs = t.posterior ? `${t.replicates} replicates at the point estimate + ${t.replicates} with posterior draws` : `${t.replicates} replicates`;
  const head = `${t.title}${t.projection ? '  [PROJECTION]' : ''}\n${runs} (seeds ${t.seed}..${t.seed + t.replicates - 1}), ${t.agents} agents; parameters: ${t.paramSource}`;
  const fitted = Object.keys(t.fitted).length ? `\nper-event fitted: ${Object.entries(t.fitted).map(([k, v]) => `${k} = ${r6(v)}`).join(', ')}` : '';
  const body = t.rows.length ? table(FIT_TABLE_HEADER, t.rows.map(fitTableCells), ['l', 'l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'l', 'l']) : '(no figures with role compare)';
  return `${head}${fitted}\n\n${body}\n\n${summaryLine(t.summary, 'all figures')}\n${summaryLine(t.summaryHigh, 'high confidence')}\n(ratio = model median / reported, 1 inside a reported range; band = 5%..95% over replicates${t.posterior ? ', with and without posterior draws' : ''})`;
}

export const FIT_CSV_COLUMNS = ['event', 'id', 'date', 'platform', 'metric', 'geography', 'confidence', 'reported', 'median', 'lo', 'hi', 'log10_ratio', 'inside'] as const;

/** FitRow CSV (the charts' input). */
export function fitCsv(rows: readonly FitRow[]): string {
  return toCsv(FIT_CSV_COLUMNS, rows.map((r) => [r.event, r.id, r.date, r.platform, r.metric, r.geography, r.confidence, r6(r.reported), r6(r.median), r6(r.lo), r6(r.hi), r4(r.log10_ratio), r.inside ? 'true' : 'false']));
}
