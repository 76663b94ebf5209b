// Charts the notebooks need beyond src/charts (same style: app colours, count labels, a source note).
//
//   import { variantBandsChart } from './lib/charts.ts';
//   await showChart(variantBandsChart({ rows, variants, apps, marker: '2026-04-01', title, subtitle, note }));

import { appColorScale, countExpr, finishChart } from '../../src/charts/index.ts';
import type { Spec } from './display.ts';

/** One point of a model series of one app in one variant of a scenario: median and 90% band. */
export interface VariantBandRow {
  variant: string;
  app: string;
  /** ISO time. */
  time: string;
  median: number;
  lo: number;
  hi: number;
}

export interface VariantBandsInput {
  rows: VariantBandRow[];
  /** Variants in panel order (left to right). */
  variants: string[];
  /** Apps, for the colour scale (each keeps its project colour). */
  apps: string[];
  /** A date marked with a dashed red rule in every panel (e.g. the start of a shock), "YYYY-MM-DD". */
  marker?: string;
  yTitle?: string;
  title: string;
  subtitle?: string;
  /** Provenance, printed under the chart (required, as for every chart of the project). */
  note: string;
  /** Width of one panel in pixels. Default 340. */
  panelWidth?: number;
  panelHeight?: number;
}

/** Model series of several apps, one panel per variant of a scenario: median lines and 90% bands. */
export function variantBandsChart(input: VariantBandsInput): Spec {
  const panelWidth = input.panelWidth ?? 340;
  const x = { field: 'time', type: 'temporal', title: null, axis: { format: '%b %Y', labelAngle: 0, tickCount: 5 } };
  // The line layer comes first and the legend symbols are opaque squares: otherwise the merged legend
  // takes the faint band's style.
  const color = { field: 'app', type: 'nominal', title: 'App', scale: appColorScale(input.apps), legend: { symbolType: 'square', symbolOpacity: 1 } };
  const layer: Record<string, unknown>[] = [
    {
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { x, y: { field: 'median', type: 'quantitative', title: input.yTitle ?? 'Monthly audience (people)', axis: { labelExpr: countExpr() } }, color },
    },
    { mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
  ];
  if (input.marker) {
    const [year, month, date] = input.marker.slice(0, 10).split('-').map(Number);
    layer.push({ mark: { type: 'rule', strokeDash: [4, 3], color: '#d62728' }, encoding: { x: { datum: { year, month, date, utc: true }, type: 'temporal' } } });
  }
  const body = {
    data: { values: input.rows },
    facet: {
      column: { field: 'variant', type: 'nominal', title: null, sort: input.variants, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
    },
    spec: { width: panelWidth, height: input.panelHeight ?? 260, layer },
  };
  const width = input.variants.length * (panelWidth + 20) - 20;
  return finishChart(body as never, { title: input.title, subtitle: input.subtitle, note: input.note, width }) as unknown as Spec;
}
