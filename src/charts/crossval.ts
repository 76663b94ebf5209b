// Leave-one-event-out cross-validation: the model's error on each left-out event beside the
// Bass-diffusion baseline, against the target.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSource, CrossvalRow } from './types.ts';
import { finishChart, METHOD_COLORS, noteText, shortEventTitle, wrapText } from './style.ts';

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

const METHOD_LABEL: Record<string, string> = { exodus: 'exodus (agent-based)', bass: 'Bass baseline', nothing: 'nothing happens' };

export function crossvalChart(input: CrossvalInput): TopLevelSpec {
  const target = input.target ?? CROSSVAL_TARGET;
  // Short names (the id in words unless given): a full title does not fit under a pair of bars.
  const eventName = (e: string) => input.eventTitles?.[e] ?? shortEventTitle(e);
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
  // A value label sits above its bar, unless it would touch the target line there: then it goes
  // inside the bar (white). Decided in pixels, from the y scale below.
  const px = (v: number) => height - (v / maxY) * height;
  const labelled = rows.map((r) => {
    const top = px(r.value) - 3; // baseline of a label above the bar
    const touches = top >= px(target) - 3 && top - 12 <= px(target) + 3;
    const inside = touches && px(0) - px(r.value) > 18;
    return { ...r, inside, dyLabel: inside ? 14 : touches ? px(target) - 4 - px(r.value) : -3 };
  });
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: 'Median |log10(model / reported)|',
    scale: { domain: [0, maxY], nice: false },
  };
  // Each label wraps to its column (measured): labels of neighbouring columns never meet.
  const column = width / events.length;
  const wrapped = Object.fromEntries(events.map((e) => [e, wrapText(e, column - 12, 11)]));
  const x = {
    field: 'event',
    type: 'nominal' as const,
    title: 'Left-out event',
    sort: events,
    axis: { labelAngle: 0, labelLimit: 0, labelExpr: `${JSON.stringify(wrapped)}[datum.value]`, labelLineHeight: 13 },
  };
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
        // One layer per label: each has its own pixel offset (above the bar, or inside it).
        ...labelled.map((r) => ({
          data: { values: [r] },
          mark: { type: 'text' as const, baseline: 'bottom' as const, dy: r.dyLabel, fontSize: 10.5, color: r.inside ? 'white' : '#333' },
          encoding: {
            x,
            xOffset: { field: 'method', type: 'nominal' as const, sort: domain },
            y: { field: 'value', type: 'quantitative' as const },
            text: { field: 'label' },
          },
        })),
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
