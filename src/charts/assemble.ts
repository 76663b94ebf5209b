// From runs to charts: turns replicates of an event (and the calibration outputs on disk) into the
// plain inputs the chart builders take, and the charts into a report. No simulation happens here.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'd3-array';
import type { TopLevelSpec } from 'vega-lite';
import type { LoadedScenario } from '../scenarios/load.ts';
import type { FigureSpec } from '../scenarios/schema.ts';
import { parseCsv } from '../scenarios/csv.ts';
import { compileShocks } from '../scenarios/compile.ts';
import { DAY_MS, isoTime, parseDate } from '../model/time.ts';
import { FLOW_METRICS, platformIndex, regionIndices, type FlowMetric, type RunResult } from '../model/results.ts';
import { observe } from '../model/observe.ts';
import { observation } from '../scenarios/compile.ts';
import { band, bands } from '../calibrate/replicates.ts';
import type { FitTable } from '../calibrate/fittable.ts';
import type { BandRow, CrossvalRow, FigurePoint, FitRow, FlowCell, GenerationRow, PosteriorDraw, ShockSpan, WindowCurve } from './types.ts';
import { appLabel, shortEventTitle } from './style.ts';
import { focusWindow } from './layout.ts';
import { timeseriesChart } from './timeseries.ts';
import { flowsChart } from './flows.ts';
import { fitChart } from './fit.ts';
import { lossChart, posteriorChart } from './calibration.ts';
import { crossvalChart } from './crossval.ts';
import type { ReportChart, ReportEvent } from './report.ts';
import { diagnosticsCharts } from './diagnostics-files.ts';

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
  // On a chart in people, a ratio (relativeTo: "-3% week on week", "x5 a usual day") has no place
  // on the axis: it is shown in the fit tables and the fit overview only.
  return fit.rows.filter((r) => !inPeople || (r.as !== 'share-of-total' && !r.relative)).map((r) => {
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
    short: shortShockLabel(c.spec.type, c.platformIds, c.spec.label),
    start: isoTime(t0 + c.start * DAY_MS),
    end: Number.isFinite(c.end) ? isoTime(Math.min(tEnd, t0 + c.end * DAY_MS)) : undefined,
    platforms: c.platformIds,
    regions: c.spec.regions === 'all' ? ['all'] : c.spec.regions,
  }));
}

const SHOCK_VERBS: Record<string, string> = { outage: 'down', block: 'blocked', throttle: 'throttled', trust: 'trust shock', promotion: 'promoted', announcement: 'announced' };

/**
 * A label short enough for a crowded chart: the scenario's own label when it is short, else the
 * apps and what happened to them ("WhatsApp +2 down", "Telegram blocked").
 */
export function shortShockLabel(type: string, platforms: readonly string[], label?: string): string {
  if (label && label.length <= 24) return label;
  // The label's head, when it says who and what: "Max pre-installed on new devices" → "Max
  // pre-installed", "Telegram blocked (court order ...)" → "Telegram blocked".
  const head = label
    ?.replace(/\s*\([^)]*\)/g, '')
    .split(/ (?:on|as|from|to|by|for) |[;,:]/)[0]
    .trim();
  if (head && head.length <= 24 && head.split(' ').length >= 2) return head;
  const apps = platforms.map(appLabel);
  const who = apps.length <= 2 ? apps.join(' & ') : `${apps[0]} +${apps.length - 1}`;
  return `${who} ${SHOCK_VERBS[type] ?? type}`;
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

const capitalise = (x: string) => x.charAt(0).toUpperCase() + x.slice(1);

/** Interval of the flow bins of a run: a day, or the longest step when steps are longer. */
export function flowBinDays(res: RunResult): number {
  return Math.max(1, ...Array.from(res.stepDt));
}

/**
 * Sign-ups or installs per bin (default a day) over the whole run, median and 90% band over
 * replicates, each row the interval [time, end). Steps cut by a bin edge are shared pro rata.
 */
export function flowBands(results: readonly RunResult[], metric: FlowMetric, region: string, platform: string, binDays = flowBinDays(results[0]), anchorDays = 0): BandRow[] {
  const r0 = results[0];
  const K = r0.platforms.length;
  const RK = r0.regions.length * K;
  const rs = regionIndices(r0, region);
  const a = platformIndex(r0, platform);
  const last = r0.stepTimes.length - 1;
  const end = r0.stepTimes[last] + r0.stepDt[last];
  // Bins start at the anchor (e.g. a shock's onset, so the first day after it is a bin of its own);
  // a partial bin before it opens the run.
  const off = ((anchorDays % binDays) + binDays) % binDays;
  const edges = [0, ...Array.from({ length: Math.ceil((end - off) / binDays) + 1 }, (_, k) => off + k * binDays)].filter((t, i, a) => t < end && (i === 0 || t > a[i - 1]));
  edges.push(end);
  const nBins = edges.length - 1;
  const binOf = (t: number) => Math.max(0, Math.min(nBins - 1, Math.floor((t - off) / binDays) + (off > 0 ? 1 : 0)));
  const perRun = results.map((res) => {
    const out = new Float64Array(nBins);
    const v = res.flows[metric];
    for (let s = 0; s < res.stepTimes.length; s++) {
      let x = 0;
      for (const r of rs) x += v[s * RK + r * K + a];
      if (x === 0) continue;
      const t0 = res.stepTimes[s];
      const t1 = t0 + res.stepDt[s];
      for (let b = binOf(t0); b < nBins && edges[b] < t1; b++) {
        const overlap = Math.min(t1, edges[b + 1]) - Math.max(t0, edges[b]);
        if (overlap > 0) out[b] += (x * overlap) / (t1 - t0);
      }
    }
    return out;
  });
  const rows: BandRow[] = [];
  for (let b = 0; b < nBins; b++) {
    // A partial bin (before the anchor, or at the end) is scaled to a full bin's rate, so it does
    // not look like a dip; its tooltip value is the rate, like every other bin's.
    const k = binDays / (edges[b + 1] - edges[b]);
    const q = band(perRun.map((x) => x[b] * k));
    rows.push({ time: isoTime(r0.startMs + edges[b] * DAY_MS), end: isoTime(r0.startMs + edges[b + 1] * DAY_MS), region, platform, metric, ...q });
  }
  return rows;
}

/**
 * Running totals of the flow figures (sign-ups or installs in a window): at each step boundary
 * inside the window, the observation model's value of the same figure with its window cut there
 * (so the curve ends at exactly what the fit table compares), median and band over replicates.
 */
export function windowCurves(loaded: LoadedScenario, results: readonly RunResult[], maxPoints = 160): WindowCurve[] {
  const s = loaded.scenario;
  const r0 = results[0];
  const curves: WindowCurve[] = [];
  for (const f of s.figures) {
    if (f.role !== 'compare' || !f.metric || !(FLOW_METRICS as readonly string[]).includes(f.metric) || f.as === 'share-of-total') continue;
    const obs = { ...observation(f, s), as: 'count' as const };
    const cuts = [obs.from, ...Array.from(r0.stepTimes).filter((t) => t > obs.from && t < obs.to), obs.to];
    const every = Math.max(1, Math.ceil(cuts.length / maxPoints));
    const ts = cuts.filter((_, i) => i % every === 0 || i === cuts.length - 1);
    const points = ts.map((t) => {
      const b = t === obs.from ? { median: 0, lo: 0, hi: 0 } : band(results.map((res) => observe(res, { ...obs, to: t })));
      return { elapsed: (t - obs.from) * DAY_MS, ...b };
    });
    curves.push({ figure: f.id, platform: f.platform, points });
  }
  return curves;
}

/**
 * Where flow bins start (days since the run's start): at the onset of the first shock inside the
 * chart's focus window, so that "the first day after the shock" is one bin and nothing of it is
 * drawn before the onset; 0 (UTC midnight) when the chart has no focus.
 */
function flowAnchor(loaded: LoadedScenario, shocks: ShockSpan[], figures: FigurePoint[]): number {
  const t0 = parseDate(loaded.scenario.time.start);
  const span = { start: t0, end: parseDate(loaded.scenario.time.end) };
  const sh = shocks.map((x) => ({ start: parseDate(x.start), end: x.end ? parseDate(x.end) : undefined }));
  const focus = focusWindow({ span, shocks: sh, figures: figures.map((f) => ({ start: parseDate(f.date), end: parseDate(f.dateEnd ?? f.date) })), flow: true });
  if (!focus) return 0;
  const first = sh.filter((x) => x.start >= focus.start && x.start <= focus.end).sort((a, b) => a.start - b.start)[0];
  return first ? (first.start - t0) / DAY_MS : 0;
}

/**
 * Charts of one event: a time series per metric and region with figures, and the flows matrix.
 * Lines and bands are the median and 90% band over `results` (with posterior draws: the
 * posterior predictive median, as in the fit table, fittable.ts).
 */
export function eventCharts(
  loaded: LoadedScenario,
  results: readonly RunResult[],
  fit: FitTable,
  source: string,
): { charts: ReportChart[]; bands: BandRow[]; figures: FigurePoint[] } {
  const s = loaded.scenario;
  const figures = figurePoints(loaded, fit);
  const rows = eventBands(loaded, results);
  const shocks = shockSpans(loaded);
  const curves = windowCurves(loaded, results);
  const launches = Object.fromEntries(s.platforms.filter((p) => p.launch).map((p) => [p.id, p.launch!]));
  const charts: ReportChart[] = [];
  const combos = new Map<string, { metric: string; region: string }>();
  const defaultRegion = results[0].regions.length > 1 ? 'all' : results[0].regions[0];
  combos.set(`mau|${defaultRegion}`, { metric: 'mau', region: defaultRegion });
  for (const f of figures) combos.set(`${f.metric}|${f.region === 'all' ? defaultRegion : f.region}`, { metric: f.metric, region: f.region === 'all' ? defaultRegion : f.region });
  const regionName = (id: string) => (id === 'all' ? 'all regions' : (s.regions.find((r) => r.id === id)?.name ?? id));
  const runRegion = (r: string) => (r === 'all' && results[0].regions.length === 1 ? results[0].regions[0] : r);
  for (const { metric, region } of combos.values()) {
    const flow = (FLOW_METRICS as readonly string[]).includes(metric);
    const anchor = flow ? flowAnchor(loaded, shocks, figures.filter((f) => f.metric === metric)) : 0;
    const b = flow
      ? s.platforms.flatMap((p) => {
          return flowBands(results, metric as FlowMetric, runRegion(region), p.id, undefined, anchor).map((x) => ({ ...x, region }));
        })
      : rows.filter((x) => x.metric === metric && x.region === region);
    if (!b.length) continue;
    const figs = figures.filter((f) => f.metric === metric && (f.region === region || (f.region === 'all' && region === defaultRegion)));
    const spread = Math.max(...b.map((x) => x.hi)) / Math.max(1, Math.min(...b.filter((x) => x.median > 0).map((x) => x.median)));
    const spec = timeseriesChart({
      event: s.title,
      eventShort: shortEventTitle(s.name),
      metric,
      bands: b,
      figures: figs,
      windowCurves: curves,
      shocks,
      launches,
      source,
      region,
      // A log axis only where apps differ by orders of magnitude (flows are drawn linear: spikes).
      log: spread > 1000 && !flow,
      subtitle: `${s.title}${/[.?!]$/.test(s.title) ? '' : '.'} ${capitalise(regionName(region))}; ${fit.posterior ? 'lines: model median over replicates with posterior draws, shaded: their 90% band' : 'lines: model median over replicates, shaded: 90% band'}; points: reported figures${s.projection ? '. PROJECTION (what-if), not a reconstruction' : ''}`,
    });
    charts.push({ name: `${metric}-${region}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-'), title: `${metric} (${regionName(region)})`, spec });
  }
  const cells = flowCells(s.name, results);
  if (cells.length) {
    charts.push({ name: 'flows', title: 'Who moved where', spec: flowsChart({ event: s.name, eventTitle: shortEventTitle(s.name), cells, source }) });
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

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A file as a chart may print it: relative to the working directory or to the project when it
 * lies inside one of them, else its name alone. Never the folder the project was cloned into.
 */
export function displayPath(file: string): string {
  const abs = resolve(file);
  for (const base of [process.cwd(), PROJECT]) {
    const rel = relative(base, abs);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split('\\').join('/');
  }
  return basename(abs);
}

function readRows(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/**
 * Charts across events: the fit overview, and (with `calibration`, when the files exist beside the
 * parameter file) the calibration's posterior, loss, cross-validation, diagnostics and sensitivity
 * (diagnostics-files.ts). `eventTitles` should be short (legends, axis labels); default: each
 * event's id in words.
 */
export function overviewCharts(fitRows: FitRow[], figures: FigurePoint[], paramsFile: string | undefined, source: string, eventTitles: Record<string, string> = {}, calibration = true): ReportChart[] {
  const charts: ReportChart[] = [];
  if (fitRows.length) charts.push({ name: 'fit-overview', title: 'Model against reported figures, all events', spec: fitChart({ rows: fitRows, figures, source, eventTitles }) });
  const dir = paramsFile && calibration ? dirname(paramsFile) : undefined;
  const file = (n: string) => (dir && existsSync(join(dir, n)) ? join(dir, n) : undefined);
  const posterior = file('posterior.csv');
  if (posterior) {
    const draws: PosteriorDraw[] = readRows(posterior).map((r) => ({ param: r.param, value: Number(r.value), weight: Number(r.weight) }));
    if (draws.length) charts.push({ name: 'posterior', title: 'Calibration: posterior of the parameters', spec: posteriorChart({ draws, source: `Calibration: ${displayPath(posterior)}` }) });
  }
  const gens = file('generations.csv');
  if (gens) {
    const rows: GenerationRow[] = readRows(gens).map((r) => ({ generation: Number(r.generation), phase: r.phase, best_loss: Number(r.best_loss), median_loss: Number(r.median_loss), epsilon: r.epsilon ? Number(r.epsilon) : undefined }));
    if (rows.length) charts.push({ name: 'loss', title: 'Calibration: fit by design wave', spec: lossChart({ generations: rows, source: `Calibration: ${displayPath(gens)}`, xTitle: 'Design wave', lossTitle: "Mean squared log10 error of a run's figures" }) });
  }
  const cv = file('crossval.csv');
  if (cv) {
    const rows: CrossvalRow[] = readRows(cv).map((r) => ({ event: r.event, method: r.method as CrossvalRow['method'], median_abs_log10: Number(r.median_abs_log10), max_abs_log10: Number(r.max_abs_log10), coverage: Number(r.coverage), figures: Number(r.figures), crps: r.crps ? Number(r.crps) : undefined, interval_score: r.interval_score ? Number(r.interval_score) : undefined }));
    if (rows.length) charts.push({ name: 'crossval', title: 'Leave-one-event-out predictions vs a Bass baseline and "nothing happens"', spec: crossvalChart({ rows, source: `Cross-validation: ${displayPath(cv)}`, eventTitles }) });
  }
  if (dir && paramsFile) charts.push(...diagnosticsCharts(paramsFile, { figures, eventTitles, display: displayPath }));
  return charts;
}

export type { TopLevelSpec };
