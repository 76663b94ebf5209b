// Calibration: weighted posterior histograms of the parameters, and the loss by generation.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSource, GenerationRow, PosteriorDraw } from './types.ts';
import { countExpr, finishChart, formatCount, logLabelExpr, noteText, shortEventTitle } from './style.ts';
import { logAxisValues, logDomain, placeLabels } from './layout.ts';

export interface PosteriorInput {
  draws: PosteriorDraw[];
  source: ChartSource | string;
  /** Bins per parameter. Default 20. */
  bins?: number;
  /** Facet columns. Default 4 (the chart stays narrower than a report's page column). */
  columns?: number;
  /** Display names of parameters. */
  paramTitles?: Record<string, string>;
  title?: string;
  subtitle?: string;
}

/** Weighted quantile of draws (weights need not sum to 1). */
export function weightedQuantile(draws: { value: number; weight: number }[], q: number): number {
  const sorted = [...draws].filter((d) => d.weight > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((s, d) => s + d.weight, 0);
  let acc = 0;
  for (const d of sorted) {
    acc += d.weight;
    if (acc >= q * total) return d.value;
  }
  return sorted.length ? sorted[sorted.length - 1].value : NaN;
}

interface HistRow {
  param: string;
  kind: 'bin' | 'stat';
  x0: number;
  x1: number;
  mass: number;
  tip_range: string;
  tip_mass: string;
  stat?: string;
}

/**
 * Histograms are computed here rather than with Vega-Lite's bin transform, because a bin
 * transform before faceting would use one extent for all parameters, whose ranges differ.
 */
function histograms(draws: PosteriorDraw[], bins: number, title: (p: string) => string): HistRow[] {
  const byParam = new Map<string, PosteriorDraw[]>();
  for (const d of draws) if (Number.isFinite(d.value) && d.weight > 0) byParam.set(d.param, [...(byParam.get(d.param) ?? []), d]);
  const rows: HistRow[] = [];
  const fmt = (x: number) => (Math.abs(x) >= 1000 ? formatCount(x) : Number(x.toPrecision(3)).toString());
  for (const [param, ds] of byParam) {
    const name = title(param);
    const lo = Math.min(...ds.map((d) => d.value));
    const hi = Math.max(...ds.map((d) => d.value));
    const step = hi > lo ? (hi - lo) / bins : 1;
    const mass = new Array<number>(bins).fill(0);
    const total = ds.reduce((s, d) => s + d.weight, 0);
    for (const d of ds) mass[Math.min(bins - 1, Math.floor((d.value - lo) / step))] += d.weight / total;
    mass.forEach((m, i) => {
      const x0 = lo + i * step;
      rows.push({ param: name, kind: 'bin', x0, x1: x0 + step, mass: m, tip_range: `${fmt(x0)} – ${fmt(x0 + step)}`, tip_mass: `${(100 * m).toFixed(1)}%` });
    });
    const q05 = weightedQuantile(ds, 0.05);
    const q50 = weightedQuantile(ds, 0.5);
    const q95 = weightedQuantile(ds, 0.95);
    rows.push({ param: name, kind: 'stat', stat: 'median', x0: q50, x1: q50, mass: 0, tip_range: fmt(q50), tip_mass: `90% interval ${fmt(q05)} – ${fmt(q95)}` });
    rows.push({ param: name, kind: 'stat', stat: 'interval', x0: q05, x1: q95, mass: 0, tip_range: `${fmt(q05)} – ${fmt(q95)}`, tip_mass: '' });
  }
  return rows;
}

export function posteriorChart(input: PosteriorInput): TopLevelSpec {
  const bins = input.bins ?? 20;
  const columns = input.columns ?? 4;
  // "event/param" (a per-event unknown) prints on two lines: the parameter, then the event.
  const title = (p: string) => {
    if (input.paramTitles?.[p]) return input.paramTitles[p];
    const i = p.indexOf('/');
    return i < 0 ? p : `${p.slice(i + 1)}|${shortEventTitle(p.slice(0, i))}`;
  };
  const rows = histograms(input.draws, bins, title);
  if (!rows.length) throw new Error('posterior: no draws with positive weight');
  const nParams = new Set(rows.map((r) => r.param)).size;
  const panelW = 180;
  const panelH = 100;
  const cols = Math.min(columns, nParams);

  return finishChart(
    {
      data: { values: rows },
      facet: { field: 'param', type: 'nominal', title: null, sort: [...new Set(rows.map((r) => r.param))], header: { labelFontSize: 12, labelFontWeight: 'bold', labelAnchor: 'start', labelExpr: "split(datum.label, '|')", labelLimit: panelW + 40, labelLineHeight: 14 } },
      columns: cols,
      spec: {
        width: panelW,
        height: panelH,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'stat' && datum.stat === 'interval'" }],
            mark: { type: 'rect', color: '#F2C14E', opacity: 0.35 },
            encoding: {
              x: { field: 'x0', type: 'quantitative' },
              x2: { field: 'x1' },
              tooltip: [{ field: 'tip_range', title: '90% credible interval' }],
            },
          },
          {
            transform: [{ filter: "datum.kind === 'bin'" }],
            mark: { type: 'rect', color: '#2F6690', stroke: 'white', strokeWidth: 0.5 },
            encoding: {
              x: { field: 'x0', type: 'quantitative', title: null, scale: { zero: false, nice: false }, axis: { tickCount: 4, labelExpr: countExpr(), labelOverlap: true } },
              x2: { field: 'x1' },
              y: { field: 'mass', type: 'quantitative', title: null, axis: { format: '.0%', tickCount: 4 } },
              tooltip: [
                { field: 'tip_range', title: 'Bin' },
                { field: 'tip_mass', title: 'Posterior mass' },
              ],
            },
          },
          {
            transform: [{ filter: "datum.kind === 'stat' && datum.stat === 'median'" }],
            mark: { type: 'rule', color: '#C0392B', strokeWidth: 2 },
            encoding: {
              x: { field: 'x0', type: 'quantitative' },
              tooltip: [
                { field: 'tip_range', title: 'Weighted median' },
                { field: 'tip_mass', title: 'Spread' },
              ],
            },
          },
        ],
      },
      resolve: { scale: { x: 'independent', y: 'independent' } },
    },
    {
      title: input.title ?? 'Posterior distributions of the parameters',
      subtitle:
        input.subtitle ??
        `Posterior draws, ${bins} bins per parameter: share of the posterior mass (y) by parameter value (x). Red line: median; yellow: 90% credible interval.`,
      note: noteText(input.source),
      width: cols * (panelW + 50) - 50,
    },
  );
}

// ---------------------------------------------------------------------------------------------

export interface LossInput {
  generations: GenerationRow[];
  source: ChartSource | string;
  /** Y axis title, naming the loss. */
  lossTitle?: string;
  /** X axis title (default "Generation"). */
  xTitle?: string;
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

const SERIES = [
  { key: 'best_loss', label: 'best loss', color: '#2F6690' },
  { key: 'median_loss', label: 'median loss', color: '#E07A5F' },
  { key: 'epsilon', label: 'ABC tolerance ε', color: '#8C8C8C' },
] as const;

export function lossChart(input: LossInput): TopLevelSpec {
  const width = input.width ?? 560;
  const height = input.height ?? 300;
  const gens = [...input.generations].sort((a, b) => a.generation - b.generation);
  const rows = gens.flatMap((g) =>
    SERIES.flatMap((s) => {
      const v = g[s.key];
      return v !== undefined && v > 0
        ? [{ generation: g.generation, phase: g.phase, series: s.label, value: v, tip_value: Number(v.toPrecision(4)).toString() }]
        : [];
    }),
  );
  if (!rows.length) throw new Error('loss: no generations with positive loss');
  const present = SERIES.filter((s) => rows.some((r) => r.series === s.label));

  // Shade each phase (optimiser, abc) behind the lines, labelled above the plot at its start.
  const phases: { phase: string; x0: number; x1: number }[] = [];
  for (const g of gens) {
    const last = phases[phases.length - 1];
    if (last && last.phase === g.phase) last.x1 = g.generation + 0.5;
    else phases.push({ phase: g.phase, x0: g.generation - 0.5, x1: g.generation + 0.5 });
  }
  // Phase labels above the plot, measured: the full name where it fits, else shorter forms in
  // lanes ("warmup facebook-outage-2019" → "Facebook outage 2019" → "warm-up 1"), else numbers.
  const x0 = phases[0].x0;
  const x1 = phases[phases.length - 1].x1;
  const px = (g: number) => ((g - x0) / (x1 - x0)) * width;
  let warm = 0;
  const texts = phases.map((p) => {
    if (p.phase === 'abc') return ['ABC-SMC'];
    const m = p.phase.match(/^warm-?up\s+(.+)$/i);
    if (m) {
      warm++;
      return [`warm-up: ${shortEventTitle(m[1])}`, shortEventTitle(m[1]), `warm-up ${warm}`];
    }
    return [p.phase];
  });
  const placed = placeLabels(phases.map((p, i) => ({ x: px(p.x0), texts: texts[i] })), width, 3) ??
    phases.map((_, i) => ({ text: String(i + 1), lane: 0, align: 'left' as const }));
  const phaseData = phases.map((p, i) => ({ ...p, shade: i % 2 === 0 ? '#EDF1F5' : '#FFFFFF', label: placed[i].text, ly: -4 - placed[i].lane * 13, align: placed[i].align }));
  const domain = logDomain(rows.map((r) => r.value));
  const x = {
    field: 'generation',
    type: 'quantitative' as const,
    title: input.xTitle ?? 'Generation',
    scale: { domain: [phases[0].x0, phases[phases.length - 1].x1], nice: false, zero: false },
    axis: { tickMinStep: 1, format: 'd', grid: false },
  };

  return finishChart(
    {
      width,
      height,
      layer: [
        {
          data: { values: phaseData },
          mark: { type: 'rect' },
          encoding: { x, x2: { field: 'x1' }, fill: { field: 'shade', type: 'nominal', scale: null } },
        },
        ...(['left', 'right'] as const)
          .map((align) => ({
            data: { values: phaseData.filter((p) => p.align === align) },
            mark: { type: 'text' as const, align, baseline: 'bottom' as const, dx: align === 'left' ? 3 : -3, fontSize: 10.5, color: '#555' },
            encoding: { x: { field: 'x0', type: 'quantitative' as const }, y: { field: 'ly', type: 'quantitative' as const, scale: null }, text: { field: 'label' } },
          }))
          .filter((l) => l.data.values.length),
        {
          data: { values: rows },
          mark: { type: 'line', point: { filled: true, size: 45 }, strokeWidth: 2 },
          encoding: {
            x: { field: 'generation', type: 'quantitative' },
            y: {
              field: 'value',
              type: 'quantitative',
              title: input.lossTitle ?? 'Loss (weighted mean squared log10 error)',
              scale: { type: 'log', domain, nice: false },
              axis: { labelExpr: logLabelExpr(), values: logAxisValues(domain, height) },
            },
            color: {
              field: 'series',
              type: 'nominal',
              title: null,
              scale: { domain: present.map((s) => s.label), range: present.map((s) => s.color) },
            },
            strokeDash: {
              field: 'series',
              type: 'nominal',
              title: null,
              scale: { domain: present.map((s) => s.label), range: present.map((s) => (s.key === 'epsilon' ? [4, 3] : [1, 0])) },
            },
            tooltip: [
              { field: 'generation', title: 'Generation' },
              { field: 'phase', title: 'Phase' },
              { field: 'series', title: 'Series' },
              { field: 'tip_value', title: 'Value' },
            ],
          },
        },
      ],
    },
    {
      title: input.title ?? 'Calibration progress',
      subtitle: input.subtitle ?? 'Loss of the best and the median run of each design wave (log scale).',
      note: noteText(input.source),
      width,
    },
  );
}
