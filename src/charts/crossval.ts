// Leave-one-event-out cross-validation: the model's error on each left-out event beside the
// Bass-diffusion baseline, against the target.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSource, CrossvalRow } from './types.ts';
import { finishChart, METHOD_COLORS, noteText } from './style.ts';

/** Target median |log10(model / reported)|: 0.30 ≈ within a factor of 2. */
export const CROSSVAL_TARGET = 0.3;

export interface CrossvalInput {
  rows: CrossvalRow[];
  source: ChartSource | string;
  target?: number;
  eventTitles?: Record<string, string>;
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

const METHOD_LABEL: Record<string, string> = { exodus: 'exodus (agent-based)', bass: 'Bass baseline' };

export function crossvalChart(input: CrossvalInput): TopLevelSpec {
  const target = input.target ?? CROSSVAL_TARGET;
  const eventName = (e: string) => input.eventTitles?.[e] ?? e;
  const rows = input.rows.map((r) => ({
    event: eventName(r.event),
    method: METHOD_LABEL[r.method] ?? r.method,
    value: r.median_abs_log10,
    label: r.median_abs_log10.toFixed(2),
    tip_factor: `×${(10 ** r.median_abs_log10).toFixed(2)}`,
    tip_max: r.max_abs_log10.toFixed(2),
    tip_coverage: `${Math.round(100 * r.coverage)}%`,
    figures: r.figures,
  }));
  if (!rows.length) throw new Error('crossval: no rows');
  const events = [...new Set(rows.map((r) => r.event))];
  const methods = Object.keys(METHOD_LABEL)
    .map((m) => METHOD_LABEL[m])
    .filter((m) => rows.some((r) => r.method === m));
  const other = [...new Set(rows.map((r) => r.method))].filter((m) => !methods.includes(m));
  const domain = [...methods, ...other];
  const range = domain.map((m) => {
    const key = Object.keys(METHOD_LABEL).find((k) => METHOD_LABEL[k] === m);
    return (key && METHOD_COLORS[key]) ?? '#6A994E';
  });
  const maxY = Math.max(target * 1.25, ...rows.map((r) => r.value * 1.15));

  const width = input.width ?? Math.max(360, events.length * 130);
  const height = input.height ?? 300;
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: 'Median |log10(model / reported)|',
    scale: { domain: [0, maxY], nice: false },
  };
  const x = { field: 'event', type: 'nominal' as const, title: 'Left-out event', sort: events, axis: { labelAngle: 0, labelLimit: 160 } };
  const tooltip = [
    { field: 'event', title: 'Left-out event' },
    { field: 'method', title: 'Method' },
    { field: 'label', title: 'Median |log10 ratio|' },
    { field: 'tip_factor', title: 'Typical factor off' },
    { field: 'tip_max', title: 'Max |log10 ratio|' },
    { field: 'tip_coverage', title: '90% band coverage' },
    { field: 'figures', title: 'Figures' },
  ];

  return finishChart(
    {
      width,
      height,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'bar', cornerRadiusEnd: 2 },
          encoding: {
            x,
            xOffset: { field: 'method', type: 'nominal', sort: domain },
            y,
            color: { field: 'method', type: 'nominal', title: 'Method', scale: { domain, range } },
            tooltip,
          },
        },
        {
          data: { values: rows },
          mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10.5, color: '#333' },
          encoding: {
            x,
            xOffset: { field: 'method', type: 'nominal', sort: domain },
            y: { field: 'value', type: 'quantitative' },
            text: { field: 'label' },
          },
        },
        {
          data: { values: [{ target }] },
          mark: { type: 'rule', color: '#C0392B', strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: { y: { field: 'target', type: 'quantitative' } },
        },
        {
          // Label outside the plot, right of the line's end, where no bar can hide it.
          data: { values: [{ target, lines: [`target ${target.toFixed(2)}`, `(within ×${Number((10 ** target).toPrecision(2))})`] }] },
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, x: 'width', color: '#C0392B', fontSize: 11, lineHeight: 13 },
          encoding: { y: { field: 'target', type: 'quantitative' }, text: { field: 'lines' } },
        },
      ],
    },
    {
      title: input.title ?? 'Leave-one-event-out predictions',
      subtitle:
        input.subtitle ??
        'Median error on figures of an event left out of calibration; lower is better.',
      note: noteText(input.source),
      width,
    },
  );
}
