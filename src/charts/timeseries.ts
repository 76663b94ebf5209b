// Time series of one metric for every app of an event: model median and 90% band over
// replicates, reported figures as points, shocks as dashed onset lines explained in a legend.
// One chart per metric, because metrics (people, sign-ups per day, shares) do not share units.
//
// Layout, derived from the data (layout.ts): when the shocks that matter are short against the
// whole run (an outage in a two-month run, a takeover in a 17-month one), the chart zooms into the
// days around them and shows the whole run below as context. Flows are drawn as steps over the
// interval they count (never smoothed across a shock's onset). Figures that are totals over a
// window ("3M sign-ups in 24 h") get small panels of their own: the model's running total over
// the same window, ending at the value the fit table compares.
import type { TopLevelSpec } from 'vega-lite';
import type { LayerSpec, NonNormalizedSpec } from 'vega-lite/types_unstable/spec/index.js';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { BandRow, ChartSource, FigurePoint, ShockSpan, WindowCurve } from './types.ts';
import {
  appColorScale,
  appLabel,
  countExpr,
  durationText,
  finishChart,
  flowAxisTitle,
  formatCount,
  formatPercent,
  perInterval,
  logLabelExpr,
  metricAxisTitle,
  metricInfo,
  noteText,
  SHOCK_LINE_COLOR,
  shockStyle,
  SHOCK_STYLES,
} from './style.ts';
import { focusWindow, LABEL_FONT_SIZE, logAxisValues, logDomain, placeLabels, type Interval } from './layout.ts';
import { toUtcMs } from './time.ts';

export interface TimeseriesInput {
  /** Event name, used in the default title and subtitle. */
  event: string;
  /** A short name of the event for the title (default: `event`). */
  eventShort?: string;
  metric: string;
  bands: BandRow[];
  figures?: FigurePoint[];
  /** Running totals of the window figures (flows): drawn as small panels beside the series. */
  windowCurves?: WindowCurve[];
  shocks?: ShockSpan[];
  /** Launch dates of apps (any spelling → ISO date): nothing is drawn for an app before it. */
  launches?: Record<string, string>;
  source: ChartSource | string;
  /**
   * Region whose bands are drawn. Default: "all" if present, else the first region found.
   * Figures are drawn on the panel of their own region, or here if their region has no bands.
   */
  region?: string;
  /** Only these apps (any spelling). Default: every app in the bands or figures. */
  platforms?: string[];
  log?: boolean;
  /** Y axis title; default from the metric, e.g. "Daily active users (people)". */
  yTitle?: string;
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
  /** Days to zoom into (ISO start and end); false: never. Default: chosen from shocks and figures. */
  focus?: { start: string; end: string } | false;
}

/** Whether a reported figure falls inside the model's 90% band (ranges: if they overlap). */
export function figureStatus(f: FigurePoint): 'inside' | 'outside' | 'no model value' {
  if (f.inside !== undefined) return f.inside ? 'inside' : 'outside';
  if (!f.model) return 'no model value';
  const lo = f.reportedLo ?? f.reported;
  const hi = f.reportedHi ?? f.reported;
  return hi >= f.model.lo && lo <= f.model.hi ? 'inside' : 'outside';
}

// Every layer's colour encoding carries the same title so Vega-Lite merges them into one
// legend (a `legend: null` on any layer would drop the merged legend altogether).
const APP_TITLE = 'App';

export const STATUS_LABEL = {
  inside: 'inside model 90% band',
  outside: 'outside model 90% band',
  'no model value': 'no model value',
} as const;

const STATUS_SHAPE: Record<string, string> = {
  [STATUS_LABEL.inside]: 'circle',
  [STATUS_LABEL.outside]: 'diamond',
  [STATUS_LABEL['no model value']]: 'square',
};

/**
 * Legend of the figure markers. Symbols are filled grey: the shape names the status; on the
 * chart, "outside" markers are also hollow. The filled point layer must come before the
 * outline layer, and no symbolOpacity may be set here: otherwise Vega-Lite takes the legend's
 * symbol style from the outline layer (transparent fill) and the symbols vanish.
 */
export const STATUS_LEGEND = { symbolFillColor: '#666', symbolStrokeColor: '#333' };

/** Shape scale listing only the statuses present, each with its fixed shape. */
export function statusShapes(present: Iterable<string>): { domain: string[]; range: string[] } {
  const have = new Set(present);
  const domain = Object.keys(STATUS_SHAPE).filter((s) => have.has(s));
  return { domain, range: domain.map((s) => STATUS_SHAPE[s]) };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Chart data keep 4 significant digits: more than a chart can show, far less text. */
const r4 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : null);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "13 Mar 2019", with " 16:00" when the time is not midnight (UTC). */
export function dayText(ms: number, withYear = true): string {
  const d = new Date(ms);
  const time = d.getUTCHours() || d.getUTCMinutes() ? ` ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` : '';
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}${withYear ? ` ${d.getUTCFullYear()}` : ''}${time}`;
}

/** "11–20 Mar 2019", "25 Feb – 7 Mar 2014", "Jul 2024 – Mar 2026". */
function rangeText(a: number, b: number): string {
  const A = new Date(a);
  const B = new Date(b - 1); // the end is exclusive
  if (b - a > 120 * DAY) return `${MONTHS[A.getUTCMonth()]} ${A.getUTCFullYear()} – ${MONTHS[B.getUTCMonth()]} ${B.getUTCFullYear()}`;
  if (A.getUTCFullYear() !== B.getUTCFullYear()) return `${dayText(a)} – ${dayText(b - 1)}`.replace(/ \d\d:\d\d/g, '');
  if (A.getUTCMonth() !== B.getUTCMonth()) return `${A.getUTCDate()} ${MONTHS[A.getUTCMonth()]} – ${B.getUTCDate()} ${MONTHS[B.getUTCMonth()]} ${B.getUTCFullYear()}`;
  return `${A.getUTCDate()}–${B.getUTCDate()} ${MONTHS[B.getUTCMonth()]} ${B.getUTCFullYear()}`;
}

interface SeriesRow {
  t: number;
  app: string;
  median: number | null;
  lo: number | null;
  hi: number | null;
}

export function timeseriesChart(input: TimeseriesInput): TopLevelSpec {
  const width = input.width ?? 760;
  const height = input.height ?? 300;
  const info = metricInfo(input.metric);
  const flow = info.flow;
  const wanted = input.platforms ? new Set(input.platforms.map(appLabel)) : null;
  const keepApp = (p: string) => !wanted || wanted.has(appLabel(p));
  const launch = new Map(Object.entries(input.launches ?? {}).map(([app, d]) => [appLabel(app), toUtcMs(d)]));
  const launched = (app: string, t: number) => t >= (launch.get(app) ?? -Infinity);

  const ofMetric = input.bands.filter((b) => b.metric === input.metric && keepApp(b.platform));
  const regions = [...new Set(ofMetric.map((b) => b.region))];
  const region = input.region ?? (regions.includes('all') ? 'all' : regions[0]);
  const bands = ofMetric.filter((b) => b.region === region);
  const figures = (input.figures ?? []).filter(
    (f) => f.metric === input.metric && keepApp(f.platform) && (f.region === region || !regions.includes(f.region)),
  );

  // Flows become intervals [t0, t1): given by `end`, or (rows of `bands()`) since the previous row.
  const intervals: { t0: number; t1: number; app: string; median: number; lo: number; hi: number }[] = [];
  const stocks: { t: number; app: string; median: number; lo: number; hi: number }[] = [];
  const byApp = new Map<string, BandRow[]>();
  for (const b of bands) byApp.set(appLabel(b.platform), [...(byApp.get(appLabel(b.platform)) ?? []), b]);
  for (const [app, rows] of byApp) {
    rows.sort((a, b) => toUtcMs(a.time) - toUtcMs(b.time));
    rows.forEach((b, i) => {
      const t = toUtcMs(b.time);
      if (!flow) return void (launched(app, t) && stocks.push({ t, app, median: b.median, lo: b.lo, hi: b.hi }));
      const [t0, t1] = b.end ? [t, toUtcMs(b.end)] : i > 0 ? [toUtcMs(rows[i - 1].time), t] : [NaN, NaN];
      if (Number.isFinite(t0) && launched(app, t0)) intervals.push({ t0, t1, app, median: b.median, lo: b.lo, hi: b.hi });
    });
  }
  const intervalMs = intervals.length ? median(intervals.map((d) => d.t1 - d.t0)) : DAY;

  const log = (input.log ?? false) && !flow;
  // Series rows: flows as steps (a point at each interval's start, one more at the last end).
  const series: SeriesRow[] = [];
  if (flow) {
    for (const app of byApp.keys()) {
      const rows = intervals.filter((d) => d.app === app);
      for (const d of rows) series.push({ t: d.t0, app, median: r4(d.median), lo: r4(d.lo), hi: r4(d.hi) });
      const last = rows[rows.length - 1];
      if (last) series.push({ t: last.t1, app, median: r4(last.median), lo: r4(last.lo), hi: r4(last.hi) });
    }
  } else for (const d of stocks) series.push({ t: d.t, app: d.app, median: r4(d.median), lo: r4(d.lo), hi: r4(d.hi) });

  const curves = new Map((input.windowCurves ?? []).map((c) => [c.figure, c]));
  // Window totals are only comparable with their own running total; without one they are drawn
  // as before, on the series (a caller that has no runs, e.g. a notebook's table).
  const totals = flow ? figures.filter((f) => curves.has(f.id)) : [];
  const onSeries = figures.filter((f) => !totals.includes(f));

  const status = (f: FigurePoint) => STATUS_LABEL[figureStatus(f)];
  const figureData = onSeries.map((f) => {
    const t0 = toUtcMs(f.date);
    const t1 = f.dateEnd ? toUtcMs(f.dateEnd) : t0;
    return {
      id: f.id,
      t: (t0 + t1) / 2, // a window's figure sits at its middle, the rule shows the window
      t0,
      t1,
      app: appLabel(f.platform),
      reported: r4(f.reported),
      rlo: f.reportedLo !== undefined ? r4(f.reportedLo) : null,
      rhi: f.reportedHi !== undefined ? r4(f.reportedHi) : null,
      status: status(f),
      hollow: figureStatus(f) === 'outside',
      url: f.url,
      ...figureTips(f, info.percent),
    };
  });

  const times = [...series.map((d) => d.t), ...figureData.flatMap((d) => [d.t0, d.t1])];
  const span: Interval = { start: times.length ? Math.min(...times) : 0, end: times.length ? Math.max(...times) : 1 };
  if (span.end <= span.start) span.end = span.start + DAY;

  const shocks = (input.shocks ?? []).map((s) => ({
    start: toUtcMs(s.start),
    end: s.end ? toUtcMs(s.end) : undefined,
    label: s.label,
    short: s.short,
    type: shockStyle(s.type).label,
    tip_when: s.end ? `${dayText(toUtcMs(s.start))} – ${dayText(toUtcMs(s.end))}` : `from ${dayText(toUtcMs(s.start))}`,
    tip_apps: s.platforms.map(appLabel).join(', '),
    tip_regions: s.regions.join(', '),
  }));

  const focus: Interval | null =
    input.focus === false
      ? null
      : input.focus
        ? { start: toUtcMs(input.focus.start), end: toUtcMs(input.focus.end) }
        : focusWindow({
            span,
            shocks,
            figures: figures.map((f) => ({ start: toUtcMs(f.date), end: f.dateEnd ? toUtcMs(f.dateEnd) : toUtcMs(f.date) })),
            flow,
          });

  const apps = [...series.map((d) => d.app), ...figureData.map((d) => d.app), ...totals.map((f) => appLabel(f.platform))];
  if (!apps.length) throw new Error(`timeseries: no data for metric "${input.metric}"`);
  const color = appColorScale(apps);
  const appColorEnc = {
    field: 'app',
    type: 'nominal' as const,
    scale: color,
    title: APP_TITLE,
    legend: { symbolOpacity: 1, symbolType: 'square', symbolStrokeWidth: 0 },
  };
  const shapes = statusShapes([...figureData.map((d) => d.status), ...totals.map(status)]);
  const shockTypes = SHOCK_STYLES.filter((st) => shocks.some((s) => s.type === st.label));
  const otherTypes = [...new Set(shocks.map((s) => s.type))].filter((t) => !shockTypes.some((st) => st.label === t));
  const dashScale = {
    domain: [...shockTypes.map((s) => s.label), ...otherTypes],
    range: [...shockTypes.map((s) => s.dash), ...otherTypes.map((t) => shockStyle(t).dash)],
  };

  const yTitle = input.yTitle ?? (flow ? flowAxisTitle(input.metric, intervalMs) : metricAxisTitle(input.metric));
  const datasets: Record<string, unknown[]> = { series, figures: figureData, shocks };

  // Bands only for the apps the reported figures are about, when the chart has figures: with
  // parameter uncertainty the bands of five apps overlap into one tinted block.
  const figureApps = [...new Set([...figureData.map((d) => d.app), ...totals.map((f) => appLabel(f.platform))])];
  const seriesApps = [...new Set(series.map((d) => d.app))];
  const bandApps = figureApps.length && seriesApps.some((a) => !figureApps.includes(a)) ? figureApps : null;
  const ctx: PanelContext = { color: appColorEnc, shapes, dashScale, flow, log, percent: info.percent, yTitle, cut: false, bandApps };
  const key: string[] = [];
  const views: NonNormalizedSpec[] = [];
  // Flow bins that do not start at midnight start at the shock's onset: say so.
  const firstApp = intervals.filter((d) => d.app === intervals[0]?.app);
  const offset = flow && firstApp.length > 1 ? firstApp[1].t0 % DAY : 0;
  const hhmm = `${String(Math.floor(offset / HOUR)).padStart(2, '0')}:${String(Math.round((offset % HOUR) / 60_000)).padStart(2, '0')}`;
  const binNote = offset ? `; each day counted from ${hhmm} UTC, the onset` : '';
  if (focus) {
    views.push(panel(ctx, { domain: focus, width, height, labels: true, key, title: `Around the shock: ${rangeText(focus.start, focus.end)}${binNote}`, series, figures: figureData, shocks }));
  } else {
    views.push(panel(ctx, { domain: span, width, height, labels: true, key, series, figures: figureData, shocks }));
  }
  if (totals.length) {
    const { view, data } = windowTotals(ctx, totals, curves, width, info.title);
    views.push(view);
    datasets.totals = data;
  }
  if (focus) {
    views.push(
      panel(ctx, {
        domain: span,
        width,
        height: Math.round(height * 0.38),
        labels: false,
        key,
        title: `Whole run: ${rangeText(span.start, span.end)} (shaded: the days above)`,
        series,
        figures: figureData,
        shocks,
        highlight: focus,
        yTitle: flow ? perInterval(intervalMs) : 'people',
      }),
    );
  }
  if (key.length) views.push(keyView(key, width));

  const regionNote = region && region !== 'all' ? `, region ${region}` : '';
  const subtitle =
    (input.subtitle ??
      `${input.event}. Lines: model median over replicates; shaded: 90% band${regionNote}. Points: reported figures` + (log ? '. Log scale.' : '.')) +
    (bandApps ? `${input.subtitle ? '.' : ''} Bands are drawn for the apps with reported figures.` : '') +
    (ctx.cut ? `${input.subtitle && !bandApps ? '.' : ''} Bands reaching above a panel are cut off at its top.` : '');
  const body: NonNormalizedSpec =
    views.length === 1
      ? views[0]
      : ({ vconcat: views, spacing: 18, resolve: { scale: { x: 'independent', y: 'independent', color: 'shared', shape: 'shared', strokeDash: 'shared' } } } as NonNormalizedSpec);
  return finishChart(body, {
    title: input.title ?? `${input.eventShort ?? input.event}: ${info.title.toLowerCase()}`,
    subtitle,
    note: noteText(input.source),
    width,
    datasets,
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function figureTips(f: FigurePoint, percent: boolean) {
  const fmt = (x: number) => (percent ? formatPercent(x, 3) : formatCount(x));
  return {
    tip_label: f.label,
    tip_date: f.dateEnd ? `${dayText(toUtcMs(f.date))} – ${dayText(toUtcMs(f.dateEnd))}` : dayText(toUtcMs(f.date)),
    tip_reported:
      f.reportedLo !== undefined && f.reportedHi !== undefined ? `${fmt(f.reported)} (${fmt(f.reportedLo)} – ${fmt(f.reportedHi)})` : fmt(f.reported),
    tip_model: f.model ? `${fmt(f.model.median)} [${fmt(f.model.lo)} – ${fmt(f.model.hi)}]` : '–',
    tip_source: f.source,
    tip_geo: f.geography,
    tip_conf: f.confidence,
  };
}

const FIGURE_TOOLTIP = [
  { field: 'tip_label', title: 'Figure' },
  { field: 'app', title: 'App' },
  { field: 'tip_date', title: 'Date' },
  { field: 'tip_reported', title: 'Reported' },
  { field: 'tip_model', title: 'Model median [90%]' },
  { field: 'status', title: 'Fit' },
  { field: 'tip_geo', title: 'Geography' },
  { field: 'tip_source', title: 'Source' },
  { field: 'url', title: 'URL' },
  { field: 'tip_conf', title: 'Confidence' },
  { field: 'id', title: 'Figure id' },
];

const SHOCK_TOOLTIP = [
  { field: 'label', title: 'Shock' },
  { field: 'type', title: 'Type' },
  { field: 'tip_when', title: 'When' },
  { field: 'tip_apps', title: 'Apps' },
  { field: 'tip_regions', title: 'Regions' },
];

interface PanelContext {
  color: object;
  shapes: { domain: string[]; range: string[] };
  dashScale: { domain: string[]; range: number[][] };
  flow: boolean;
  log: boolean;
  percent: boolean;
  yTitle: string;
  /** Set when some panel cut a band off at its top (the subtitle says so). */
  cut: boolean;
  /** Apps whose bands are drawn (null: every app's). */
  bandApps: string[] | null;
}

/**
 * Top of a linear y axis: room for the medians and the reported figures, and for the bands up to
 * BAND_ROOM times that. A posterior predictive band can reach orders of magnitude above the
 * median; scaled to it, the lines the chart is about would lie flat on the axis.
 */
const BAND_ROOM = 3;
/**
 * The band's ends as drawn (band_lo, band_hi): on a linear panel cut at `top`, held at twice the
 * top. The panel clips them anyway, but a band far above it (a posterior draw with 100 times the
 * median) gives coordinates that the PNG rasteriser (resvg) fails to fill: the band vanished.
 */
function clampBand(top: number | undefined) {
  const cap = top !== undefined && top > 0 ? 2 * top : undefined;
  return cap === undefined
    ? [{ calculate: 'datum.lo', as: 'band_lo' }, { calculate: 'datum.hi', as: 'band_hi' }]
    : [{ calculate: `min(datum.lo, ${cap})`, as: 'band_lo' }, { calculate: `min(datum.hi, ${cap})`, as: 'band_hi' }];
}

function linearTop(core: readonly number[], bands: readonly number[]): { top: number; cut: boolean } {
  const c = core.length ? Math.max(...core) : 0;
  const b = bands.length ? Math.max(...bands) : 0;
  if (!(c > 0)) return { top: b > 0 ? b : 1, cut: false };
  const top = Math.max(c, Math.min(b, BAND_ROOM * c));
  return { top, cut: b > top * (1 + 1e-9) };
}

interface PanelOptions {
  domain: Interval;
  width: number;
  height: number;
  /** Shock labels above the plot (the context panel has lines only). */
  labels: boolean;
  /** Receives the key lines when shock labels are numbered. */
  key: string[];
  title?: string;
  series: SeriesRow[];
  figures: { t0: number; t1: number; reported: number | null; rlo: number | null; rhi: number | null; hollow: boolean; status: string }[];
  shocks: { start: number; end?: number; label: string; short?: string; type: string }[];
  /** An interval to shade (the focus, on the context panel). */
  highlight?: Interval;
  /** Y axis title of this panel (default the chart's). */
  yTitle?: string;
}

/** One time panel: series, figures and shocks on [domain.start, domain.end]. */
function panel(ctx: PanelContext, o: PanelOptions): NonNormalizedSpec {
  const { start: a, end: b } = o.domain;
  const inView = (t0: number, t1 = t0) => t1 >= a && t0 <= b;
  const span = b - a;
  const xScale = { type: 'utc' as const, domain: [a, b], nice: false };
  const x = { type: 'temporal' as const, title: null };
  const xAxis = {
    labelOverlap: true as const,
    grid: false,
    format: span > 200 * DAY ? '%b %Y' : '%d %b',
    ...(span > 200 * DAY ? { tickCount: { interval: 'month' as const, step: span > 800 * DAY ? 3 : 1 } } : {}),
    ...(span <= 21 * DAY ? { tickCount: { interval: 'day' as const, step: 1 } } : {}),
  };

  // The y domain from what this panel shows, so a zoomed panel is not scaled by the whole run.
  const rows = o.series.filter((d) => inView(d.t));
  const figs = o.figures.filter((f) => inView(f.t0, f.t1));
  const banded = ctx.bandApps ? rows.filter((d) => ctx.bandApps!.includes(d.app)) : rows;
  const values = [...banded.flatMap((d) => [d.lo, d.hi]), ...rows.map((d) => d.median), ...figs.flatMap((f) => [f.reported, f.rlo, f.rhi])].filter(
    (v): v is number => v !== null,
  );
  const domain = ctx.log ? logDomain(values) : undefined;
  const core = [...rows.map((d) => d.median), ...figs.flatMap((f) => [f.reported, f.rhi])].filter((v): v is number => v !== null);
  const lin = linearTop(core, banded.map((d) => d.hi).filter((v): v is number => v !== null));
  if (!ctx.log && !ctx.percent && lin.cut) ctx.cut = true;
  const top = ctx.percent ? (values.length ? Math.max(...values) : 1) : lin.top;
  const yScale = ctx.log ? { type: 'log' as const, domain, nice: false } : { zero: true, nice: true, domain: [0, top > 0 ? top : 1] };
  const yTitle = o.yTitle ?? ctx.yTitle;
  const yAxis = ctx.percent
    ? { format: '.0%', title: yTitle }
    : ctx.log
      ? { labelExpr: logLabelExpr(), values: logAxisValues(domain!, o.height), title: yTitle }
      : { labelExpr: countExpr(), title: yTitle, tickCount: Math.max(3, Math.round(o.height / 45)) };
  // On a log axis nothing at or below zero can be drawn: such points are left out (a gap).
  const yClamp = domain ? domain[0] : 0;
  const positive = ctx.log ? [{ filter: `datum.median > 0` }, { calculate: `max(datum.lo, ${yClamp})`, as: 'lo' }] : [];

  // The first layer carries the x scale and axis, invisibly: an explicit temporal domain on a
  // layer with x2 makes Vega-Lite warn about conflicting domains (and union them).
  const layers: LayerSpec<Field>['layer'] = [
    {
      data: { values: [{ t: a }, { t: b }] },
      mark: { type: 'point', opacity: 0 },
      encoding: { x: { field: 't', ...x, scale: xScale, axis: xAxis } },
    },
  ];
  const shocks = o.shocks.filter((s) => inView(s.start, s.end ?? s.start));
  if (o.highlight) {
    layers.push({
      data: { values: [{ s: o.highlight.start, e: o.highlight.end }] },
      mark: { type: 'rect', color: '#000', opacity: 0.08 },
      encoding: { x: { field: 's', ...x }, x2: { field: 'e' } },
    });
  }
  // Short shocks are shaded over the plot; long ones only as a strip along its top edge, so a
  // two-year block does not tint the whole chart.
  const shaded = shocks
    .filter((s) => s.end !== undefined)
    .map((s) => ({ ...s, s: Math.max(s.start, a), e: Math.min(s.end!, b) }))
    .map((s) => ({ ...s, strip: s.e - s.s > 0.3 * span }));
  for (const strip of [false, true]) {
    const mine = shaded.filter((s) => s.strip === strip);
    if (!mine.length) continue;
    layers.push({
      data: { values: mine },
      mark: { type: 'rect', color: SHOCK_LINE_COLOR, opacity: strip ? 0.35 : 0.1 },
      encoding: {
        x: { field: 's', ...x, ...(layers.length ? {} : { scale: xScale, axis: xAxis }) },
        x2: { field: 'e' },
        y: { value: 0 },
        y2: { value: strip ? 5 : o.height },
        tooltip: SHOCK_TOOLTIP,
      },
    });
  }
  const onsets = shocks.filter((s) => s.start >= a && s.start <= b);
  if (onsets.length) {
    layers.push({
      data: { name: 'shocks' },
      transform: [{ filter: `datum.start >= ${a} && datum.start <= ${b}` }],
      mark: { type: 'rule', strokeWidth: 1.3, color: SHOCK_LINE_COLOR },
      encoding: {
        x: { field: 'start', ...x, ...(layers.length ? {} : { scale: xScale, axis: xAxis }) },
        y: { value: 0 },
        y2: { value: o.height },
        strokeDash: { field: 'type', type: 'nominal', title: 'Shock', scale: ctx.dashScale, legend: { symbolType: 'stroke', symbolStrokeColor: SHOCK_LINE_COLOR, symbolStrokeWidth: 1.5, symbolSize: 500 } },
        tooltip: SHOCK_TOOLTIP,
      },
    });
  }
  let lanes = 0;
  if (o.labels && onsets.length) {
    const px = (t: number) => ((t - a) / span) * o.width;
    // Onsets a few pixels apart share one label ("Telegram throttled · WhatsApp removed").
    const groups: (typeof onsets)[] = [];
    for (const s of [...onsets].sort((p, q) => p.start - q.start)) {
      const last = groups[groups.length - 1];
      if (last && px(s.start) - px(last[0].start) < 6) last.push(s);
      else groups.push([s]);
    }
    const items = groups.map((g) => {
      const full = [...new Set(g.map((s) => s.label))].join(' · ');
      const short = [...new Set(g.map((s) => s.short ?? s.label))].join(' · ');
      return { x: px(g[0].start), texts: short !== full ? [full, short] : [full] };
    });
    let placed = placeLabels(items, o.width);
    if (!placed) {
      // Numbered markers above the plot, and a key under the chart with the full labels.
      const first = o.key.length;
      groups.forEach((g, i) => o.key.push(`${first + i + 1}  ${g.map((s) => `${s.label} (${dayText(s.start)})`).join('; ')}`));
      placed = placeLabels(items.map((it, i) => ({ x: it.x, texts: [String(first + i + 1)] })), o.width, 3);
    }
    if (placed) {
      lanes = Math.max(...placed.map((p) => p.lane)) + 1;
      const labels = groups.map((g, i) => ({ t: g[0].start, text: placed![i].text, ly: -4 - placed![i].lane * 13, align: placed![i].align }));
      for (const align of ['left', 'right'] as const) {
        const mine = labels.filter((l) => l.align === align);
        if (!mine.length) continue;
        layers.push({
          data: { values: mine },
          mark: { type: 'text', align, baseline: 'bottom', dx: align === 'left' ? 3 : -3, fontSize: LABEL_FONT_SIZE, color: '#333' },
          encoding: {
            x: { field: 't', ...x, ...(layers.length ? {} : { scale: xScale, axis: xAxis }) },
            y: { field: 'ly', type: 'quantitative', scale: null },
            text: { field: 'text', type: 'nominal' },
          },
        });
      }
    }
  }
  const interpolate = ctx.flow ? ('step-after' as const) : ('linear' as const);
  if (rows.length) {
    const tip = [
      { calculate: `utcFormat(datum.t, '%d %b %Y')`, as: 'tip_date' },
      { calculate: countExpr('datum.median', '.3~s'), as: 'tip_median' },
      { calculate: `${countExpr('datum.lo', '.3~s')} + ' – ' + ${countExpr('datum.hi', '.3~s')}`, as: 'tip_band' },
    ];
    layers.push({
      data: { name: 'series' },
      transform: [...positive, ...(ctx.bandApps ? [{ filter: { field: 'app', oneOf: ctx.bandApps } }] : []), ...clampBand(ctx.log || ctx.percent ? undefined : top)],
      mark: { type: 'area', opacity: 0.2, interpolate, clip: true },
      encoding: {
        x: { field: 't', ...x, ...(layers.length ? {} : { scale: xScale, axis: xAxis }) },
        y: { field: 'band_lo', type: 'quantitative', scale: yScale, axis: yAxis },
        y2: { field: 'band_hi' },
        color: ctx.color,
      },
    });
    layers.push({
      data: { name: 'series' },
      transform: [...positive, ...(ctx.percent ? [] : tip)],
      mark: { type: 'line', strokeWidth: 2, interpolate, clip: true },
      encoding: {
        x: { field: 't', ...x },
        y: { field: 'median', type: 'quantitative', scale: yScale, axis: yAxis },
        color: ctx.color,
        tooltip: [
          { field: 'app', title: 'App' },
          ...(ctx.percent ? [{ field: 't', type: 'temporal' as const, title: 'Date' }] : [{ field: 'tip_date', title: 'Date' }]),
          { field: ctx.percent ? 'median' : 'tip_median', title: 'Model median' },
          ...(ctx.percent ? [] : [{ field: 'tip_band', title: 'Model 90% band' }]),
        ],
      },
    });
  }
  if (figs.length) {
    const inWindow = `datum.t1 >= ${a} && datum.t0 <= ${b}`;
    if (figs.some((f) => f.t1 > f.t0))
      layers.push({
        data: { name: 'figures' },
        transform: [{ filter: `${inWindow} && datum.t1 > datum.t0` }],
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.7, clip: true },
        encoding: {
          x: { field: 't0', ...x, ...(layers.length ? {} : { scale: xScale, axis: xAxis }) },
          x2: { field: 't1' },
          y: { field: 'reported', type: 'quantitative', scale: yScale, axis: yAxis },
          color: ctx.color,
        },
      });
    if (figs.some((f) => f.rlo !== null && f.rhi !== null))
      layers.push({
        data: { name: 'figures' },
        transform: [{ filter: `${inWindow} && isValid(datum.rlo) && isValid(datum.rhi)` }],
        mark: { type: 'rule', strokeWidth: 1.5, clip: true },
        encoding: {
          x: { field: 't', ...x, ...(layers.length ? {} : { scale: xScale, axis: xAxis }) },
          y: { field: 'rlo', type: 'quantitative', scale: yScale, axis: yAxis },
          y2: { field: 'rhi' },
          color: ctx.color,
        },
      });
    layers.push(...figureMarks(ctx, { field: 't', ...x }, yScale, yAxis, [{ filter: inWindow }], 'figures', figs));
  }
  if (layers.length === 1) throw new Error('timeseries: a panel without data');
  return {
    width: o.width,
    height: o.height,
    ...(o.title ? { title: { text: o.title, fontSize: 12, fontWeight: 'bold', anchor: 'start', offset: 6, color: '#333' } } : {}),
    layer: layers,
  } as NonNormalizedSpec;
}

/**
 * Reported figures drawn twice: a fill for those the band did not miss, an outline on top for
 * every figure, so a hollow marker means "outside the 90% band". Only the color channel carries
 * the app (no fill/stroke channels, which would make a second app legend), and only the fill
 * layer carries the shape legend (the outline layer uses raw shape names).
 */
function figureMarks(
  ctx: PanelContext,
  x: object,
  yScale: object,
  yAxis: object,
  filter: { filter: string }[],
  data: string,
  present: { hollow: boolean }[],
  first?: object,
): LayerSpec<Field>['layer'] {

  const shapeOf = Object.fromEntries(ctx.shapes.domain.map((d, i) => [d, ctx.shapes.range[i]]));
  const common = {
    x: { ...x, ...first },
    y: { field: 'reported', type: 'quantitative' as const, scale: yScale, axis: yAxis },
    color: ctx.color,
    href: { field: 'url' },
    tooltip: FIGURE_TOOLTIP,
  };
  const shapeExpr = Object.entries(shapeOf).map(([k, v]) => `datum.status === ${JSON.stringify(k)} ? '${v}' : `).join('') + "'circle'";
  const layers: LayerSpec<Field>['layer'] = [
    {
      data: { name: data },
      transform: [...filter, { filter: '!datum.hollow' }],
      mark: { type: 'point', filled: true, size: 85, opacity: 1, cursor: 'pointer', clip: true },
      encoding: { ...common, shape: { field: 'status', type: 'nominal', title: 'Reported figure', scale: ctx.shapes, legend: STATUS_LEGEND } },
    },
    {
      data: { name: data },
      transform: [...filter, { calculate: shapeExpr, as: 'shape' }],
      mark: { type: 'point', filled: false, size: 85, strokeWidth: 2, opacity: 1, cursor: 'pointer', clip: true },
      encoding: { ...common, x: { ...x }, shape: { field: 'shape', type: 'nominal', scale: null } },
    },
  ];
  // (The filled layer stays when every figure is hollow: it carries the legend; the y domains are
  // explicit, so an empty layer does not make Vega look for an extent.)
  return present.length ? layers : [];
}

/** Small panels, one per window figure: the model's running total over the window and the figure. */
function windowTotals(ctx: PanelContext, figures: FigurePoint[], curves: Map<string, WindowCurve>, width: number, metricTitle: string) {
  const n = figures.length;
  const cols = Math.min(n, 3);
  const axisW = 48;
  const spacing = 16;
  const panelW = Math.floor((width - cols * axisW - (cols - 1) * spacing) / cols);
  const data: Record<string, unknown>[] = [];
  const views = figures.map((f, i) => {
    const c = curves.get(f.id)!;
    const len = c.points[c.points.length - 1]?.elapsed ?? DAY;
    const unit = len <= 72 * HOUR ? HOUR : DAY;
    const app = appLabel(f.platform);
    for (const p of c.points) data.push({ fig: f.id, app, e: r4(p.elapsed / unit), median: r4(p.median), lo: r4(p.lo), hi: r4(p.hi) });
    const point = {
      fig: f.id,
      id: f.id,
      app,
      e: r4(len / unit),
      reported: r4(f.reported),
      rlo: f.reportedLo !== undefined ? r4(f.reportedLo) : null,
      rhi: f.reportedHi !== undefined ? r4(f.reportedHi) : null,
      status: STATUS_LABEL[figureStatus(f)],
      hollow: figureStatus(f) === 'outside',
      url: f.url,
      point: true,
      ...figureTips(f, false),
    };
    data.push(point);
    const lin = linearTop([...c.points.map((p) => p.median), f.reported, f.reportedHi ?? 0], c.points.map((p) => p.hi));
    if (lin.cut) ctx.cut = true;
    const yScale = { zero: true, nice: true, domain: [0, lin.top * 1.05] };
    const yAxis = { labelExpr: countExpr(), tickCount: 4, title: i % cols === 0 ? `${metricTitle} so far` : null };
    const x = { field: 'e', type: 'quantitative' as const, title: unit === HOUR ? 'hours into the window' : 'days into the window' };
    // A little room right of the window's end, where the figure's marker sits.
    const xScale = { domain: [0, r4((len / unit) * 1.08)!], nice: false };
    const mine = { filter: `datum.fig === ${JSON.stringify(f.id)}` };
    const title = `${app}, ${durationText(len)} from ${dayText(toUtcMs(f.date), false)}`;
    const layers: LayerSpec<Field>['layer'] = [
      {
        data: { name: 'totals' },
        transform: [mine, { filter: '!datum.point' }, ...clampBand(lin.top * 1.05)],
        mark: { type: 'area', opacity: 0.2, clip: true },
        encoding: { x: { ...x, scale: xScale, axis: { tickCount: 4, grid: false } }, y: { field: 'band_lo', type: 'quantitative', scale: yScale, axis: yAxis }, y2: { field: 'band_hi' }, color: ctx.color },
      },
      {
        data: { name: 'totals' },
        transform: [mine, { filter: '!datum.point' }],
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: { x, y: { field: 'median', type: 'quantitative', scale: yScale, axis: yAxis }, color: ctx.color },
      },
    ];
    if (point.rlo !== null && point.rhi !== null)
      layers.push({
        data: { name: 'totals' },
        transform: [mine, { filter: 'datum.point' }],
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'rlo', type: 'quantitative', scale: yScale, axis: yAxis }, y2: { field: 'rhi' }, color: ctx.color },
      });
    layers.push(...figureMarks(ctx, x, yScale, yAxis, [mine, { filter: 'datum.point' }], 'totals', [point]));
    return {
      width: panelW,
      height: 110,
      title: { text: title, fontSize: 11, fontWeight: 'normal', anchor: 'start', color: '#333', limit: panelW + axisW - 4 },
      layer: layers,
    } as NonNormalizedSpec;
  });
  const view = {
    title: { text: 'Totals over each reported window: model running total (line, 90% band) against the figure (point)', fontSize: 12, fontWeight: 'bold', anchor: 'start', color: '#333' },
    concat: views,
    columns: cols,
    spacing,
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as NonNormalizedSpec;
  return { view, data };
}

/** The key of numbered shock markers, as a text block under the panels. */
function keyView(lines: string[], width: number): NonNormalizedSpec {
  return {
    width,
    height: (lines.length + 1) * 14,
    data: { values: [{ lines: ['Shocks:', ...lines] }] },
    mark: { type: 'text', align: 'left', baseline: 'top', fontSize: 10.5, color: '#333', lineHeight: 14, x: 0, y: 0 },
    encoding: { text: { field: 'lines', type: 'nominal' } },
  } as NonNormalizedSpec;
}

/** One time-series chart per metric present in the bands (in order of first appearance). */
export function timeseriesCharts(input: Omit<TimeseriesInput, 'metric' | 'title'>): { metric: string; spec: TopLevelSpec }[] {
  const metrics = [...new Set(input.bands.map((b) => b.metric))];
  return metrics.map((metric) => ({ metric, spec: timeseriesChart({ ...input, metric }) }));
}
