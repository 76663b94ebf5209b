// A sweep's outcome against one setting (x), optionally one line per value of a second setting
// (colour): median over replicates as a line with points, and the 5-95% band over replicates as a
// shaded area. A Latin hypercube's settings are scattered points with whiskers instead of lines.
import type { TopLevelSpec } from 'vega-lite';
import { countExpr, EVENT_COLORS, finishChart, wrapNote } from './style.ts';

export interface SweepChartRow {
  x: number | string;
  color?: number | string;
  median: number;
  lo: number;
  hi: number;
  /** Runs behind the band. */
  n: number;
}

export interface SweepChartInput {
  rows: SweepChartRow[];
  design: 'grid' | 'lhs';
  xTitle: string;
  yTitle: string;
  colorTitle?: string;
  /** The outcome is a percentage. */
  percent?: boolean;
  title: string;
  /** Lines under the title (each wrapped to the chart's width). */
  subtitle?: string[];
  note: string;
  width?: number;
  height?: number;
}

const LINE = '#2F6690';

export function sweepChart(input: SweepChartInput): TopLevelSpec {
  if (!input.rows.length) throw new Error('sweep chart: no rows');
  const width = input.width ?? 560;
  const height = input.height ?? 320;
  const numericX = input.rows.every((r) => typeof r.x === 'number');
  const hasColor = input.colorTitle !== undefined && input.rows.some((r) => r.color !== undefined);
  const lhs = input.design === 'lhs';
  const fmt = (v: number) => (input.percent ? `${Number(v.toPrecision(3))}%` : v >= 1000 ? `${Number(v.toPrecision(3)).toLocaleString('en')}` : String(Number(v.toPrecision(3))));
  // A Latin hypercube's second setting is continuous: a colour gradient, not one colour per value.
  const gradient = hasColor && lhs && input.rows.every((r) => typeof r.color === 'number');
  const rows = input.rows.map((r) => ({
    ...r,
    color: r.color === undefined ? undefined : gradient ? r.color : String(r.color),
    tip_median: fmt(r.median),
    tip_band: `${fmt(r.lo)} – ${fmt(r.hi)}`,
  }));
  const colors = hasColor && !gradient ? [...new Set(rows.map((r) => String(r.color)))] : [];
  const colorScale = { domain: colors, range: colors.map((_, i) => EVENT_COLORS[i % EVENT_COLORS.length]) };
  const x = numericX
    ? { field: 'x', type: 'quantitative' as const, title: input.xTitle, scale: { zero: false, nice: false, padding: 8 } }
    : { field: 'x', type: 'ordinal' as const, title: input.xTitle, sort: [...new Set(input.rows.map((r) => String(r.x)))], axis: { labelAngle: 0 } };
  const yAxis = input.percent ? { labelExpr: "format(datum.value, '.3~r') + '%'" } : { labelExpr: countExpr() };
  const y = { field: 'median', type: 'quantitative' as const, title: input.yTitle, axis: yAxis, scale: { zero: !lhs } };
  // One legend for all layers, drawn solid (the bands are faint).
  const legend = { orient: 'right' as const, titleLimit: 320, symbolType: lhs ? 'circle' : 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 };
  const color = !hasColor
    ? {}
    : gradient
      ? { color: { field: 'color', type: 'quantitative' as const, title: input.colorTitle, scale: { scheme: 'viridis' }, legend: { orient: 'right' as const, titleLimit: 320 } } }
      : { color: { field: 'color', type: 'nominal' as const, title: input.colorTitle, scale: colorScale, sort: colors, legend } };
  const tooltip = [
    { field: 'x', title: input.xTitle },
    ...(hasColor ? [{ field: 'color', title: input.colorTitle! }] : []),
    { field: 'tip_median', title: 'Median' },
    { field: 'tip_band', title: '5–95% of runs' },
    { field: 'n', title: 'Runs' },
  ];
  const fixed = hasColor ? {} : { color: LINE };
  const layer = lhs
    ? [
        { mark: { type: 'rule' as const, opacity: 0.45, ...fixed }, encoding: { x, y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' }, ...color } },
        { mark: { type: 'point' as const, filled: true, size: 42, opacity: 0.9, ...fixed }, encoding: { x, y, ...color, tooltip } },
      ]
    : [
        { mark: { type: 'area' as const, opacity: 0.16, ...fixed }, encoding: { x, y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' }, ...color } },
        { mark: { type: 'line' as const, strokeWidth: 2.2, ...fixed }, encoding: { x, y, ...color } },
        { mark: { type: 'point' as const, filled: true, size: 36, opacity: 1, ...fixed }, encoding: { x, y, ...color, tooltip } },
      ];
  return finishChart(
    { width, height, data: { values: rows }, layer } as never,
    { title: input.title, subtitle: input.subtitle, note: input.note, width },
  );
}
