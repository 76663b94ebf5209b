// Fit overview across events: every reported figure against the model median, log–log, with
// the y = x line and the "within a factor of 2" band.
import type { TopLevelSpec } from 'vega-lite';
import type { LayerSpec } from 'vega-lite/types_unstable/spec/index.js';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { ChartSource, FigurePoint, FitRow } from './types.ts';
import { appLabel, countExpr, eventColorScale, finishChart, formatCount, logTicks, metricInfo, noteText, shortEventTitle } from './style.ts';
import type { NonNormalizedSpec } from 'vega-lite/types_unstable/spec/index.js';
import { textWidth } from './fontmetrics.ts';
import { STATUS_LABEL, STATUS_LEGEND, statusShapes } from './timeseries.ts';

export interface FitInput {
  rows: FitRow[];
  /** The figures behind the rows, for source, label and url in tooltips (joined on event + id). */
  figures?: FigurePoint[];
  source: ChartSource | string;
  /**
   * Names of events in the legend, e.g. { "russia-max-2025": "Russia 2025" }; keep them short (the
   * legend truncates nothing, but long names crowd the page). Default: the id in words.
   */
  eventTitles?: Record<string, string>;
  title?: string;
  subtitle?: string;
  /** Side of each square plot in pixels. */
  size?: number;
}

/**
 * Percent or people: from the figure's `as` (percent of a population, share of a total), its
 * metric, or a unit column that says "%" (fit tables with or without one).
 */
export function unitKind(r: Pick<FitRow, 'metric' | 'as' | 'unit'>): 'percent' | 'people' {
  if (r.as === 'percent' || r.as === 'share-of-total') return 'percent';
  if (metricInfo(r.metric).percent) return 'percent';
  if (r.unit && /%|percent/i.test(r.unit)) return 'percent';
  return 'people';
}

const KIND_TITLE = { people: 'Counts (people, installs)', percent: 'Percentages (of a population or a total)' } as const;
type Kind = keyof typeof KIND_TITLE;

export function fitChart(input: FitInput): TopLevelSpec {
  const figs = new Map((input.figures ?? []).map((f) => [`${f.event}\u0000${f.id}`, f]));
  const eventName = (e: string) => input.eventTitles?.[e] ?? shortEventTitle(e);
  // Zero or negative values cannot sit on a log axis; such rows are left out (and counted).
  // A relative figure ("x5 a usual day", "-3% week on week") is a ratio, neither people nor a
  // share: it has no place on these axes and stays in the fit tables.
  const ratios = input.rows.filter((r) => r.relative).length;
  const usable = input.rows.filter((r) => !r.relative && r.reported > 0 && r.median > 0);
  const dropped = input.rows.length - ratios - usable.length;

  const points = usable.map((r) => {
    const f = figs.get(`${r.event}\u0000${r.id}`);
    const unit = f?.unit ?? metricInfo(r.metric).unit;
    const ratio = r.median / r.reported;
    const kind: Kind = unitKind({ metric: r.metric, as: r.as, unit: r.unit ?? f?.unit });
    return {
      kind,
      reported: r.reported,
      median: r.median,
      lo: Math.max(r.lo, r.median / 1e6),
      hi: r.hi,
      event: eventName(r.event),
      status: r.inside ? STATUS_LABEL.inside : STATUS_LABEL.outside,
      inside: r.inside,
      url: f?.url ?? null,
      tip_id: r.id,
      tip_app: appLabel(r.platform),
      tip_metric: unit ? `${r.metric} (${unit})` : r.metric,
      tip_label: f?.label ?? '',
      tip_date: r.date,
      tip_geo: r.geography,
      tip_reported: formatCount(r.reported) + (kind === 'percent' ? '%' : ''),
      tip_model: `${formatCount(r.median)} [${formatCount(r.lo)} – ${formatCount(r.hi)}]` + (kind === 'percent' ? ' (%)' : ''),
      tip_ratio: ratio >= 1 ? `×${ratio.toPrecision(3)}` : `×${ratio.toPrecision(2)}`,
      tip_source: f?.source ?? '',
      tip_conf: r.confidence,
    };
  });

  const kinds = (['people', 'percent'] as const).filter((k) => points.some((p) => p.kind === k));
  // Two panels and the legend must fit a report's page column (about 1120 px).
  const size = input.size ?? (kinds.length > 1 ? 360 : 520);
  const eventScale = eventColorScale(usable.map((r) => eventName(r.event)));
  // One shape legend for both panels: every panel's shape scale has the statuses of all points.
  const statuses = points.map((p) => p.status);
  const panels = kinds.map((k) => fitPanel(points.filter((p) => p.kind === k), size, eventScale, kinds.length > 1 ? KIND_TITLE[k] : undefined, k, statuses));
  const body: NonNormalizedSpec = panels.length === 1 ? panels[0] : ({ hconcat: panels, spacing: 30, resolve: { scale: { color: 'shared', shape: 'shared' } } } as NonNormalizedSpec);

  const within2 = points.filter((p) => p.median / p.reported <= 2 && p.median / p.reported >= 0.5).length;
  const inside = points.filter((p) => p.inside).length;
  const subtitle =
    input.subtitle ??
    `${points.length} figures: ${within2} within ×2 of the model median, ${inside} inside its 90% band (bars). Dashed line: model = reported; grey band: within ×2.` +
      (dropped ? ` ${dropped} with zero values not shown.` : '') +
      (ratios ? ` ${ratios} ratio${ratios > 1 ? 's' : ''} (relative figures) in the fit tables.` : '');
  return finishChart(body, {
    title: input.title ?? 'Model against reported figures',
    subtitle: subtitle + (kinds.length > 1 ? ' Counts and percentages on separate panels.' : ''),
    note: noteText(input.source),
    width: kinds.length > 1 ? 2 * size + 60 : size,
  });
}

type Point = { reported: number; median: number; lo: number; hi: number; status: string; inside: boolean };

/**
 * "model = reported" high on the diagonal, "within ×2" low in the band, apart from each other; a
 * label with no free spot (wide bands cross the whole diagonal) is left out: the subtitle says
 * what the line and the band are.
 */
function guideLabels(points: Point[], dmin: number, dmax: number, size: number) {
  const top = guideSpot(points, dmin, dmax, size, 'model = reported', steps(0.9, 0.1));
  const low = guideSpot(points, dmin, dmax, size, 'within ×2', steps(0.1, 0.9), 1.45, top ?? undefined);
  const out: { x: number; y: number; below: boolean; label: string }[] = [];
  if (top) out.push({ x: top.x, y: top.y, below: top.below, label: 'model = reported' });
  if (low) out.push({ x: low.x, y: low.y, below: low.below, label: 'within ×2' });
  return out;
}

/** Shares of the axis from `from` towards `to` in steps of 0.04. */
const steps = (from: number, to: number) => Array.from({ length: Math.round(Math.abs(to - from) / 0.04) + 1 }, (_, i) => from + Math.sign(to - from) * 0.04 * i);

/**
 * A spot on the diagonal (as a share of the log axis) for a guide label, the first of `shares`
 * whose label (45°, measured) no figure's bar or marker crosses; null when none is free.
 */
function guideSpot(points: Point[], dmin: number, dmax: number, size: number, text: string, shares: number[], lift = 1, other?: { x: number; y: number; half: number }): { x: number; y: number; half: number; below: boolean } | null {
  const px = (v: number) => (Math.log(v / dmin) / Math.log(dmax / dmin)) * size; // x right, y up
  const w = textWidth(text, 10.5) + 8;
  const h = 14;
  const half = w / 2;
  const at = (k: number) => dmin * (dmax / dmin) ** k;
  // Is (x, y) under the label, a w × h box along the diagonal centred at (cx, cy)?
  const under = (cx: number, cy: number, x: number, y: number) => Math.abs((x - cx + (y - cy)) / Math.SQRT2) <= w / 2 && Math.abs((x - cx - (y - cy)) / Math.SQRT2) <= h / 2 + 2;
  const hits = (k: number, below: boolean) => {
    // The text's centre sits ~half its height off its anchor, across the line (up-left or down-right).
    const off = ((below ? -1 : 1) * (h / 2 + 3)) / Math.SQRT2;
    const cx = px(at(k)) - off;
    const cy = px(at(k) * lift) + off;
    if (cx - w / 2 < 0 || cx + w / 2 > size || cy - w / 2 < 0 || cy + w / 2 > size) return true;
    return points.some((p) => {
      const x = px(p.reported);
      if (Math.abs(x - cx) > w) return false;
      for (let y = px(p.lo) - 6; y <= px(p.hi) + 6; y += 1) if (under(cx, cy, x, y)) return true;
      return false;
    });
  };
  const clear = (k: number) => !other || Math.hypot(px(at(k)) - px(other.x), px(at(k) * lift) - px(other.y)) > half + other.half + 10;
  for (const k of shares) for (const below of [false, true]) if (clear(k) && !hits(k, below)) return { x: at(k), y: at(k) * lift, half, below };
  return null;
}

/** One log–log panel of figures in one unit. */
function fitPanel(points: Point[], size: number, eventScale: { domain: string[]; range: string[] }, title: string | undefined, kind: Kind, statuses: string[]): NonNormalizedSpec {
  const values = points.flatMap((p) => [p.reported, p.median, p.lo, p.hi]);
  const dmin = values.length ? Math.min(...values) / 2.5 : 1;
  const dmax = values.length ? Math.max(...values) * 2.5 : 10;
  const guide = [
    { x: dmin, y: dmin, half: dmin / 2, double: dmin * 2 },
    { x: dmax, y: dmax, half: dmax / 2, double: dmax * 2 },
  ];

  const ticks = logTicks(dmin, dmax);
  const labelExpr = kind === 'percent' ? `(${countExpr()}) + '%'` : countExpr();
  const unitTitle = { people: '(people)', percent: '(%)' }[kind];
  // Over many decades the 1-2-5 ticks crowd: the x axis drops labels that would overlap.
  const axisX = { title: `Reported figure ${unitTitle}`, labelExpr, values: ticks, grid: true, labelOverlap: 'greedy' as const, labelSeparation: 4 };
  const axisY = { title: `Model median ${unitTitle}`, labelExpr, values: ticks, grid: true };
  const scale = { type: 'log' as const, domain: [dmin, dmax], nice: false };
  const xq = { field: 'x', type: 'quantitative' as const, scale, axis: axisX };
  const color = {
    field: 'event',
    type: 'nominal' as const,
    title: 'Event',
    scale: eventScale,
    legend: { symbolOpacity: 1 },
  };

  // Fill for figures inside the band, outline on top for all: hollow = missed. Only
  // the color channel carries the event (one legend); only the fill layer has a shape legend.
  const shapes = statusShapes(statuses);
  const shapeOf = Object.fromEntries(shapes.domain.map((d, i) => [d, shapes.range[i]]));
  const common = {
    x: { field: 'reported', type: 'quantitative' as const },
    y: { field: 'median', type: 'quantitative' as const },
    color,
    href: { field: 'url' },
    tooltip: [
      { field: 'tip_id', title: 'Figure' },
      { field: 'event', title: 'Event' },
      { field: 'tip_app', title: 'App' },
      { field: 'tip_metric', title: 'Metric' },
      { field: 'tip_label', title: 'Wording' },
      { field: 'tip_date', title: 'Date' },
      { field: 'tip_geo', title: 'Geography' },
      { field: 'tip_reported', title: 'Reported' },
      { field: 'tip_model', title: 'Model median [90%]' },
      { field: 'tip_ratio', title: 'Model / reported' },
      { field: 'tip_source', title: 'Source' },
      { field: 'tip_conf', title: 'Confidence' },
    ],
  };

  const layers: LayerSpec<Field>['layer'] = [
    {
      data: { values: guide },
      mark: { type: 'area', color: '#999', opacity: 0.15, clip: true },
      encoding: {
        x: xq,
        y: { field: 'half', type: 'quantitative', scale, axis: axisY },
        y2: { field: 'double' },
      },
    },
    {
      data: { values: guide },
      mark: { type: 'line', color: '#555', strokeDash: [5, 4], strokeWidth: 1.2, clip: true },
      encoding: { x: xq, y: { field: 'y', type: 'quantitative' } },
    },
    // Guide labels run along the diagonal (both axes share one log domain on a square plot, so
    // y = x is at 45°): "model = reported" high, "within ×2" low in the band, each where no
    // figure's bar or marker crosses it, above its line or else below it.
    ...guideLabels(points, dmin, dmax, size).map((g) => ({
      data: { values: [g] },
      mark: { type: 'text' as const, baseline: g.below ? ('top' as const) : ('bottom' as const), align: 'center' as const, angle: 315, dy: g.below ? 3 : -3, fontSize: 10.5, color: '#444' },
      encoding: { x: { field: 'x', type: 'quantitative' as const }, y: { field: 'y', type: 'quantitative' as const }, text: { field: 'label' } },
    })),
    {
      data: { values: points },
      mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.8 },
      encoding: {
        x: { field: 'reported', type: 'quantitative' },
        y: { field: 'lo', type: 'quantitative' },
        y2: { field: 'hi' },
        color,
      },
    },
    {
      data: { values: points.filter((p) => p.inside) },
      mark: { type: 'point', filled: true, size: 80, opacity: 0.9, cursor: 'pointer' },
      encoding: {
        ...common,
        shape: { field: 'status', type: 'nominal', title: 'Reported figure', scale: shapes, legend: STATUS_LEGEND },
      },
    },
    {
      data: { values: points.map((p) => ({ ...p, shape: shapeOf[p.status] })) },
      mark: { type: 'point', filled: false, size: 80, strokeWidth: 2, opacity: 0.9, cursor: 'pointer' },
      encoding: { ...common, shape: { field: 'shape', type: 'nominal', scale: null } },
    },
  ];

  return {
    width: size,
    height: size,
    ...(title ? { title: { text: title, fontSize: 12.5, anchor: 'start', offset: 8 } } : {}),
    layer: layers,
  } as NonNormalizedSpec;
}
