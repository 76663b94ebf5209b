// Time series of one metric for every app of an event: model median and 90% band over
// replicates, reported figures as points, shock periods shaded. One chart per metric, because
// metrics (people, sign-ups per day, shares) do not share units.
import type { TopLevelSpec } from 'vega-lite';
import type { LayerSpec } from 'vega-lite/types_unstable/spec/index.js';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { BandRow, ChartSource, FigurePoint, ShockSpan } from './types.ts';
import {
  appColorScale,
  appLabel,
  countExpr,
  logLabelExpr,
  finishChart,
  formatCount,
  formatPercent,
  metricAxisTitle,
  metricInfo,
  noteText,
} from './style.ts';
import { toUtcMs } from './time.ts';

export interface TimeseriesInput {
  /** Event name, used in the default title. */
  event: string;
  metric: string;
  bands: BandRow[];
  figures?: FigurePoint[];
  shocks?: ShockSpan[];
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

const SHOCK_FILL: Record<string, string> = {
  block: '#d62728',
  ban: '#d62728',
  throttle: '#ff7f0e',
  throttling: '#ff7f0e',
  outage: '#7f7f7f',
  privacy: '#9467bd',
  policy: '#9467bd',
  scare: '#9467bd',
};

function shockFill(type: string): string {
  const t = type.toLowerCase();
  for (const [k, v] of Object.entries(SHOCK_FILL)) if (t.includes(k)) return v;
  return '#8c8c8c';
}

/** Stack shock labels in lanes so overlapping shocks do not print over each other. */
function labelLanes(starts: { start: number; chars: number }[], msPerPx: number): number[] {
  const laneEnds: number[] = [];
  return starts.map(({ start, chars }) => {
    const end = start + (chars * 6.2 + 12) * msPerPx;
    let lane = laneEnds.findIndex((e) => e <= start);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = end;
    return lane;
  });
}

export function timeseriesChart(input: TimeseriesInput): TopLevelSpec {
  const width = input.width ?? 760;
  const height = input.height ?? 340;
  const log = input.log ?? false;
  const info = metricInfo(input.metric);
  const fmt = (x: number) => (info.percent ? formatPercent(x, 3) : formatCount(x));
  const wanted = input.platforms ? new Set(input.platforms.map(appLabel)) : null;
  const keepApp = (p: string) => !wanted || wanted.has(appLabel(p));

  const ofMetric = input.bands.filter((b) => b.metric === input.metric && keepApp(b.platform));
  const regions = [...new Set(ofMetric.map((b) => b.region))];
  const region = input.region ?? (regions.includes('all') ? 'all' : regions[0]);
  const bands = ofMetric.filter((b) => b.region === region);
  const figures = (input.figures ?? []).filter(
    (f) =>
      f.metric === input.metric &&
      keepApp(f.platform) &&
      (f.region === region || !regions.includes(f.region)),
  );

  // On a log axis zero cannot be drawn: floor the band at the smallest positive value.
  const positive = bands.flatMap((b) => [b.lo, b.median, b.hi]).filter((v) => v > 0);
  const floor = positive.length ? Math.min(...positive) : 1;
  const clampY = (v: number) => (log ? Math.max(v, floor) : v);

  const bandData = bands
    .map((b) => ({
      t: toUtcMs(b.time),
      app: appLabel(b.platform),
      median: clampY(b.median),
      lo: clampY(b.lo),
      hi: clampY(b.hi),
      tip_date: b.time.slice(0, 10),
      tip_median: fmt(b.median),
      tip_band: `${fmt(b.lo)} – ${fmt(b.hi)}`,
    }))
    .sort((a, b) => a.t - b.t);

  const figureData = figures.map((f) => {
    const t0 = toUtcMs(f.date);
    const t1 = f.dateEnd ? toUtcMs(f.dateEnd) : t0;
    const status = figureStatus(f);
    return {
      id: f.id,
      t: (t0 + t1) / 2, // a window's figure sits at its middle, the rule shows the window
      t0,
      t1,
      app: appLabel(f.platform),
      reported: clampY(f.reported),
      rlo: f.reportedLo !== undefined ? clampY(f.reportedLo) : null,
      rhi: f.reportedHi !== undefined ? clampY(f.reportedHi) : null,
      status: STATUS_LABEL[status],
      hollow: status === 'outside',
      url: f.url,
      tip_label: f.label,
      tip_date: f.dateEnd ? `${f.date} – ${f.dateEnd}` : f.date,
      tip_reported:
        f.reportedLo !== undefined && f.reportedHi !== undefined
          ? `${fmt(f.reported)} (${fmt(f.reportedLo)} – ${fmt(f.reportedHi)})`
          : fmt(f.reported),
      tip_model: f.model ? `${fmt(f.model.median)} [${fmt(f.model.lo)} – ${fmt(f.model.hi)}]` : '–',
      tip_source: f.source,
      tip_geo: f.geography,
      tip_conf: f.confidence,
    };
  });

  const times = [...bandData.map((d) => d.t), ...figureData.flatMap((d) => [d.t0, d.t1])];
  const t0 = times.length ? Math.min(...times) : 0;
  const t1 = times.length ? Math.max(...times) : 1;
  const msPerPx = (t1 - t0 || 1) / width;

  const shocks = (input.shocks ?? [])
    .map((s) => ({
      start: Math.max(toUtcMs(s.start), t0),
      end: Math.min(s.end ? toUtcMs(s.end) : t1, t1),
      // Shocks that last to the end of the run are marked by their onset only: shading them all
      // would tint the rest of the chart in layers.
      open: !s.end,
      label: s.label,
      type: s.type,
      fill: shockFill(s.type),
      tip_when: s.end ? `${s.start.slice(0, 10)} – ${s.end.slice(0, 10)}` : `from ${s.start.slice(0, 10)}`,
      tip_apps: s.platforms.map(appLabel).join(', '),
      tip_regions: s.regions.join(', '),
    }))
    .filter((s) => s.start <= t1 && s.end >= t0)
    .sort((a, b) => a.start - b.start);
  const lanes = labelLanes(
    shocks.map((s) => ({ start: s.start, chars: s.label.length })),
    msPerPx,
  );
  // Labels sit above the plot, in lanes; `ly` is the baseline in pixels.
  const shockData = shocks.map((s, i) => ({ ...s, ly: -4 - lanes[i] * 13 }));

  const apps = [...bandData.map((d) => d.app), ...figureData.map((d) => d.app)];
  const color = { ...appColorScale(apps) };
  // Scale and axis are declared once (first layer, below). No explicit domain: shocks are
  // clipped to [t0, t1] above, so the data already span exactly the simulated period.
  const x = { field: 't', type: 'temporal' as const, title: 'Date (UTC)' };
  // Same definition on every layer, so the legends merge into one (see APP_TITLE).
  const appColorEnc = {
    field: 'app',
    type: 'nominal' as const,
    scale: color,
    title: APP_TITLE,
    legend: { symbolOpacity: 1, symbolType: 'square', symbolStrokeWidth: 0 },
  };
  // Vega's default multi-format labels weekly ticks "Tue 05"; dates read better as "Jan 05",
  // and long runs by month.
  const long = t1 - t0 > 200 * 86_400_000;
  const xScaleAxis = {
    scale: { type: 'utc' as const },
    axis: {
      labelOverlap: true as const,
      grid: false,
      format: long ? '%b %Y' : '%b %d',
      ...(long ? { tickCount: { interval: 'month' as const, step: 1 } } : {}),
    },
  };
  const yTitle = input.yTitle ?? metricAxisTitle(input.metric);
  const yAxis = info.percent
    ? { format: '.0%', title: yTitle }
    : { labelExpr: log ? logLabelExpr() : countExpr(), title: yTitle };
  const yScale = log ? { type: 'log' as const } : { zero: true };

  const layers: LayerSpec<Field>['layer'] = [];
  const closed = shockData.filter((s) => !s.open);
  const SHOCK_TOOLTIP = [
    { field: 'label', title: 'Shock' },
    { field: 'type', title: 'Type' },
    { field: 'tip_when', title: 'When' },
    { field: 'tip_apps', title: 'Apps' },
    { field: 'tip_regions', title: 'Regions' },
  ];
  if (closed.length) {
    layers.push({
      data: { values: closed },
      mark: { type: 'rect', fillOpacity: 0.11 },
      encoding: {
        x: { ...x, field: 'start' },
        x2: { field: 'end' },
        fill: { field: 'fill', type: 'nominal', scale: null },
        tooltip: SHOCK_TOOLTIP,
      },
    });
  }
  if (shockData.length) {
    // Onset line and label above the plot (outside the data area, so it never hides a line).
    layers.push({
      data: { values: shockData },
      mark: { type: 'rule', strokeDash: [3, 3], strokeWidth: 1.5 },
      encoding: {
        x: { ...x, field: 'start' },
        y: { value: 0 },
        y2: { value: 'height' },
        stroke: { field: 'fill', type: 'nominal', scale: null },
        tooltip: SHOCK_TOOLTIP,
      },
    });
    layers.push({
      data: { values: shockData },
      mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, fontSize: 10.5, color: '#333' },
      encoding: {
        x: { ...x, field: 'start' },
        y: { field: 'ly', type: 'quantitative', scale: null },
        text: { field: 'label', type: 'nominal' },
      },
    });
  }
  if (bandData.length) {
    layers.push({
      data: { values: bandData },
      mark: { type: 'area', opacity: 0.2, interpolate: 'monotone' },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative', scale: yScale, axis: yAxis },
        y2: { field: 'hi' },
        color: appColorEnc,
      },
    });
    layers.push({
      data: { values: bandData },
      mark: { type: 'line', strokeWidth: 2, interpolate: 'monotone' },
      encoding: {
        x,
        y: { field: 'median', type: 'quantitative', scale: yScale, axis: yAxis },
        color: appColorEnc,
        tooltip: [
          { field: 'app', title: 'App' },
          { field: 'tip_date', title: 'Date' },
          { field: 'tip_median', title: 'Model median' },
          { field: 'tip_band', title: 'Model 90% band' },
        ],
      },
    });
  }
  if (figureData.length) {
    const windows = figureData.filter((d) => d.t1 > d.t0);
    if (windows.length)
      layers.push({
        data: { values: windows },
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.7 },
        encoding: {
          x: { ...x, field: 't0' },
          x2: { field: 't1' },
          y: { field: 'reported', type: 'quantitative', scale: yScale, axis: yAxis },
          color: appColorEnc,
        },
      });
    const ranged = figureData.filter((d) => d.rlo !== null && d.rhi !== null);
    if (ranged.length)
      layers.push({
        data: { values: ranged },
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'rlo', type: 'quantitative', scale: yScale, axis: yAxis },
          y2: { field: 'rhi' },
          color: appColorEnc,
        },
      });
    // Figures are drawn twice: a fill for those the band did not miss, an outline on top for
    // every figure, so a hollow marker means "outside the 90% band". Only the color channel
    // carries the app (no fill/stroke channels, which would make a second app legend), and
    // only the fill layer carries the shape legend (the outline layer uses raw shape names).
    const shapes = statusShapes(figureData.map((d) => d.status));
    const shapeOf = Object.fromEntries(shapes.domain.map((d, i) => [d, shapes.range[i]]));
    const common = {
      x,
      y: { field: 'reported', type: 'quantitative' as const, scale: yScale, axis: yAxis },
      color: appColorEnc,
      href: { field: 'url' },
      tooltip: [
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
      ],
    };
    layers.push({
      data: { values: figureData.filter((d) => !d.hollow) },
      mark: { type: 'point', filled: true, size: 85, opacity: 1, cursor: 'pointer' },
      encoding: {
        ...common,
        shape: { field: 'status', type: 'nominal', title: 'Reported figure', scale: shapes, legend: STATUS_LEGEND },
      },
    });
    layers.push({
      data: { values: figureData.map((d) => ({ ...d, shape: shapeOf[d.status] })) },
      mark: { type: 'point', filled: false, size: 85, strokeWidth: 2, opacity: 1, cursor: 'pointer' },
      encoding: { ...common, shape: { field: 'shape', type: 'nominal', scale: null } },
    });
  }
  if (!layers.length) throw new Error(`timeseries: no data for metric "${input.metric}"`);
  const first = layers[0] as { encoding: { x: object } };
  first.encoding.x = { ...first.encoding.x, ...xScaleAxis };

  const regionNote = region && region !== 'all' ? `, region ${region}` : '';
  const subtitle =
    input.subtitle ??
    `Lines: model median over replicates; shaded: 90% band${regionNote}. Points: reported figures` +
      (log ? '. Log scale.' : '.');
  return finishChart(
    { width, height, layer: layers },
    {
      title: input.title ?? `${input.event}: ${info.title.toLowerCase()}`,
      subtitle,
      note: noteText(input.source),
      width,
    },
  );
}

/** One time-series chart per metric present in the bands (in order of first appearance). */
export function timeseriesCharts(
  input: Omit<TimeseriesInput, 'metric' | 'title'>,
): { metric: string; spec: TopLevelSpec }[] {
  const metrics = [...new Set(input.bands.map((b) => b.metric))];
  return metrics.map((metric) => ({ metric, spec: timeseriesChart({ ...input, metric }) }));
}
