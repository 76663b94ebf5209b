// From runs to charts: turns replicates of an event (and the calibration outputs on disk) into the
// plain inputs the chart builders take, and the charts into a report. No simulation happens here.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { median } from 'd3-array';
import type { TopLevelSpec } from 'vega-lite';
import type { LoadedScenario } from '../scenarios/load.ts';
import type { FigureSpec } from '../scenarios/schema.ts';
import { parseCsv } from '../scenarios/csv.ts';
import { compileShocks } from '../scenarios/compile.ts';
import { DAY_MS, isoTime, parseDate } from '../model/time.ts';
import type { RunResult } from '../model/results.ts';
import { bands } from '../calibrate/replicates.ts';
import type { FitTable } from '../calibrate/fittable.ts';
import type { BandRow, CrossvalRow, FigurePoint, FitRow, FlowCell, GenerationRow, PosteriorDraw, ShockSpan } from './types.ts';
import { timeseriesChart } from './timeseries.ts';
import { flowsChart } from './flows.ts';
import { fitChart } from './fit.ts';
import { lossChart, posteriorChart } from './calibration.ts';
import { crossvalChart } from './crossval.ts';
import type { ReportChart, ReportEvent } from './report.ts';

/** The region a figure is drawn in: its single region id, or "all". */
function figureRegion(f: FigureSpec): string {
  if (f.region === 'all') return 'all';
  if (typeof f.region === 'string') return f.region;
  return f.region.length === 1 ? f.region[0] : 'all';
}

/**
 * Reported figures of the fit table as chart points (with the model's band), in people: a figure
 * given as percent of a population is converted, so it sits on the same axis as the model's lines.
 * Shares of a total have no such axis and are left to the fit chart.
 */
export function figurePoints(loaded: LoadedScenario, fit: FitTable, inPeople = true): FigurePoint[] {
  const s = loaded.scenario;
  const specs = new Map(s.figures.map((f) => [f.id, f]));
  return fit.rows.filter((r) => !inPeople || r.as !== 'share-of-total').map((r) => {
    const f = specs.get(r.id)!;
    const regions = f.region === 'all' ? s.regions : s.regions.filter((x) => (typeof f.region === 'string' ? [f.region] : f.region).includes(x.id));
    const k = inPeople && r.as === 'percent' ? regions.reduce((sum, x) => sum + x.population, 0) / 100 : 1;
    const scale = (v: number | undefined) => (v === undefined ? undefined : v * k);
    return {
      id: r.id,
      event: r.event,
      date: r.date,
      dateEnd: r.dateEnd,
      platform: r.platform,
      metric: r.metric,
      label: r.label,
      geography: r.geography,
      region: figureRegion(f),
      unit: k !== 1 ? `people (reported as ${r.reported}${r.unit ? ` ${r.unit}` : '%'})` : r.unit,
      reported: r.reported * k,
      reportedLo: scale(r.low),
      reportedHi: scale(r.high),
      source: r.source,
      url: r.url,
      confidence: r.confidence,
      model: { median: r.median * k, lo: r.lo * k, hi: r.hi * k },
      inside: r.inside,
    };
  });
}

/** Shock periods of a scenario, for shading. */
export function shockSpans(loaded: LoadedScenario): ShockSpan[] {
  const s = loaded.scenario;
  const t0 = parseDate(s.time.start);
  const tEnd = parseDate(s.time.end);
  return compileShocks(s).map((c) => ({
    type: c.spec.type,
    label: c.label,
    start: isoTime(t0 + c.start * DAY_MS),
    end: Number.isFinite(c.end) ? isoTime(Math.min(tEnd, t0 + c.end * DAY_MS)) : undefined,
    platforms: c.platformIds,
    regions: c.spec.regions === 'all' ? ['all'] : c.spec.regions,
  }));
}

/** Median over replicates of who moved from which primary app to which. */
export function flowCells(event: string, results: readonly RunResult[]): FlowCell[] {
  const r0 = results[0];
  const K = r0.platforms.length;
  const cells: FlowCell[] = [];
  for (let from = 0; from <= K; from++) {
    for (let to = 0; to < K; to++) {
      if (from === to) continue;
      const v = median(results.map((r) => r.switches[from * K + to])) ?? 0;
      if (v > 0) cells.push({ event, from: from === K ? '(no messenger)' : r0.platforms[from], to: r0.platforms[to], value: v });
    }
  }
  return cells;
}

/** Bands of every metric the figures use (and monthly audience), in "all" and each figure's region. */
export function eventBands(loaded: LoadedScenario, results: readonly RunResult[]): BandRow[] {
  const s = loaded.scenario;
  const metrics = new Set<string>(['mau']);
  const regions = new Set<string>(results[0].regions.length > 1 ? ['all'] : [results[0].regions[0]]);
  for (const f of s.figures) {
    if (f.role !== 'compare' || !f.metric) continue;
    metrics.add(f.metric);
    regions.add(figureRegion(f));
  }
  const rows: BandRow[] = [];
  for (const m of metrics) for (const r of regions) for (const p of s.platforms) rows.push(...bands(results, m as never, r === 'all' && results[0].regions.length === 1 ? results[0].regions[0] : r, p.id));
  return rows;
}

/** Charts of one event: a time series per metric and region with figures, and the flows matrix. */
export function eventCharts(loaded: LoadedScenario, results: readonly RunResult[], fit: FitTable, source: string): { charts: ReportChart[]; bands: BandRow[]; figures: FigurePoint[] } {
  const s = loaded.scenario;
  const figures = figurePoints(loaded, fit);
  const rows = eventBands(loaded, results);
  const shocks = shockSpans(loaded);
  const charts: ReportChart[] = [];
  const combos = new Map<string, { metric: string; region: string }>();
  const defaultRegion = results[0].regions.length > 1 ? 'all' : results[0].regions[0];
  combos.set(`mau|${defaultRegion}`, { metric: 'mau', region: defaultRegion });
  for (const f of figures) combos.set(`${f.metric}|${f.region === 'all' ? defaultRegion : f.region}`, { metric: f.metric, region: f.region === 'all' ? defaultRegion : f.region });
  const regionName = (id: string) => (id === 'all' ? 'all regions' : (s.regions.find((r) => r.id === id)?.name ?? id));
  for (const { metric, region } of combos.values()) {
    const b = rows.filter((x) => x.metric === metric && x.region === region);
    if (!b.length) continue;
    const figs = figures.filter((f) => f.metric === metric && (f.region === region || (f.region === 'all' && region === defaultRegion)));
    const spread = Math.max(...b.map((x) => x.hi)) / Math.max(1, Math.min(...b.filter((x) => x.median > 0).map((x) => x.median)));
    const spec = timeseriesChart({
      event: s.title,
      metric,
      bands: b,
      figures: figs,
      shocks,
      source,
      region,
      // A log axis only where apps differ by orders of magnitude (flows per step are often 0).
      log: spread > 1000 && metric !== 'signups' && metric !== 'installs',
      subtitle: `${regionName(region)}; lines: model median over replicates, shaded: 90% band; points: reported figures${s.projection ? '. PROJECTION (what-if), not a reconstruction' : ''}`,
    });
    charts.push({ name: `${metric}-${region}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-'), title: `${metric} (${regionName(region)})`, spec });
  }
  const cells = flowCells(s.name, results);
  if (cells.length) {
    charts.push({ name: 'flows', title: 'Who moved where', spec: flowsChart({ event: s.name, eventTitle: s.title, cells, source }) });
  }
  return { charts, bands: rows, figures };
}

export function reportEvent(loaded: LoadedScenario, fit: FitTable, charts: ReportChart[], figures: FigurePoint[]): ReportEvent {
  const s = loaded.scenario;
  const sm = fit.summary;
  const verdict =
    fit.rows.length === 0
      ? 'This scenario has no reported figures to compare with.'
      : `Over its ${fit.rows.length} compared figures the model is a median factor of ${(10 ** sm.median_abs_log10).toFixed(2)} from what was reported ` +
        `(worst: factor ${(10 ** sm.max_abs_log10).toFixed(1)}); ${Math.round(sm.coverage * 100)}% of the reported values lie inside the model's 90% band.`;
  const narrative = [s.projection ? 'PROJECTION: a what-if scenario, not a reconstruction of what happened.' : '', s.description.trim(), verdict].filter(Boolean).join('\n\n');
  return { name: s.name, title: s.title, narrative, fitRows: fit.rows as FitRow[], figures, charts };
}

function readRows(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** Charts across events: the fit overview, and (when the files exist) calibration and crossval. */
export function overviewCharts(fitRows: FitRow[], figures: FigurePoint[], paramsFile: string | undefined, source: string, eventTitles: Record<string, string>): ReportChart[] {
  const charts: ReportChart[] = [];
  if (fitRows.length) charts.push({ name: 'fit-overview', title: 'Model against reported figures, all events', spec: fitChart({ rows: fitRows, figures, source, eventTitles }) });
  const dir = paramsFile ? dirname(paramsFile) : undefined;
  const file = (n: string) => (dir && existsSync(join(dir, n)) ? join(dir, n) : undefined);
  const posterior = file('posterior.csv');
  if (posterior) {
    const draws: PosteriorDraw[] = readRows(posterior).map((r) => ({ param: r.param, value: Number(r.value), weight: Number(r.weight) }));
    if (draws.length) charts.push({ name: 'posterior', title: 'Calibration: posterior of the parameters', spec: posteriorChart({ draws, source: `Calibration: ${posterior}` }) });
  }
  const gens = file('generations.csv');
  if (gens) {
    const rows: GenerationRow[] = readRows(gens).map((r) => ({ generation: Number(r.generation), phase: r.phase, best_loss: Number(r.best_loss), median_loss: Number(r.median_loss), epsilon: r.epsilon ? Number(r.epsilon) : undefined }));
    if (rows.length) charts.push({ name: 'loss', title: 'Calibration: loss by generation', spec: lossChart({ generations: rows, source: `Calibration: ${gens}` }) });
  }
  const cv = file('crossval.csv');
  if (cv) {
    const rows: CrossvalRow[] = readRows(cv).map((r) => ({ event: r.event, method: r.method as CrossvalRow['method'], median_abs_log10: Number(r.median_abs_log10), max_abs_log10: Number(r.max_abs_log10), coverage: Number(r.coverage), figures: Number(r.figures) }));
    if (rows.length) charts.push({ name: 'crossval', title: 'Leave-one-event-out predictions vs a Bass baseline', spec: crossvalChart({ rows, source: `Cross-validation: ${cv}`, eventTitles }) });
  }
  return charts;
}

export type { TopLevelSpec };
