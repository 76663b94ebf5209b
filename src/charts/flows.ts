// Migration matrix of one event: how many people changed primary app from one app to another.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSource, FlowCell } from './types.ts';
import { appColor, appLabel, appOrder, countExpr, finishChart, formatCount, logTicks, noteText } from './style.ts';

export interface FlowsInput {
  event: string;
  /** Display name of the event for the default title. */
  eventTitle?: string;
  cells: FlowCell[];
  source: ChartSource | string;
  title?: string;
  subtitle?: string;
  /** Pixel size of one cell. */
  cell?: number;
}

export function flowsChart(input: FlowsInput): TopLevelSpec {
  // Several cells for one pair (e.g. per region) are summed; stayers (from = to) are not a flow.
  const sums = new Map<string, { from: string; to: string; value: number }>();
  for (const c of input.cells) {
    if (c.event !== input.event) continue;
    const from = appLabel(c.from);
    const to = appLabel(c.to);
    if (from === to) continue;
    const key = `${from}\u0000${to}`;
    const cur = sums.get(key) ?? { from, to, value: 0 };
    cur.value += c.value;
    sums.set(key, cur);
  }
  const cells = [...sums.values()].filter((c) => c.value > 0);
  if (!cells.length) throw new Error(`flows: no flows for event "${input.event}"`);

  const fromOrder = appOrder(cells.map((c) => c.from));
  const toOrder = appOrder(cells.map((c) => c.to));
  const max = Math.max(...cells.map((c) => c.value));
  const min = Math.min(...cells.map((c) => c.value));
  const total = cells.reduce((s, c) => s + c.value, 0);
  // Log colour scale: flows span orders of magnitude. Dark cells get white text.
  const logPos = (v: number) => (max === min ? 1 : Math.log(v / min) / Math.log(max / min));
  const data = cells.map((c) => ({
    ...c,
    label: formatCount(c.value, 2),
    dark: logPos(c.value) > 0.55,
    tip_value: formatCount(c.value),
    tip_share: `${((100 * c.value) / total).toPrecision(2)}% of all switches`,
  }));

  // Cells widen when there are few destination apps, so the matrix is at least as wide as the
  // source note below it (in a vconcat the legend sits right of the widest part).
  const cell = input.cell ?? 62;
  const width = Math.max(cell * toOrder.length, 380);
  const height = cell * fromOrder.length;
  // Axis labels in each app's colour tie the matrix to the other charts.
  const labelColor = (order: string[]) =>
    order.map((l) => `datum.value === ${JSON.stringify(l)} ? '${appColor(l)}' : `).join('') + "'#333'";

  return finishChart(
    {
      width,
      height,
      data: { values: data },
      encoding: {
        x: {
          field: 'to',
          type: 'nominal',
          sort: toOrder,
          title: 'To (new primary app)',
          // Labels slant (leftwards, away from the legend) only when they do not fit their column.
          axis: {
            labelAngle: Math.max(...toOrder.map((l) => l.length)) * 7.5 > width / toOrder.length ? -35 : 0,
            labelFontWeight: 'bold',
            labelColor: { expr: labelColor(toOrder) },
            domain: false,
            ticks: false,
          },
        },
        y: {
          field: 'from',
          type: 'nominal',
          sort: fromOrder,
          title: 'From (previous primary app)',
          axis: { labelFontWeight: 'bold', labelColor: { expr: labelColor(fromOrder) }, domain: false, ticks: false },
        },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
          encoding: {
            color: {
              field: 'value',
              type: 'quantitative',
              title: 'People',
              scale: { type: 'log', scheme: 'blues', domain: [min, max] },
              legend: { labelExpr: countExpr(), values: logTicks(min, max), gradientLength: Math.max(120, height - 30) },
            },
            tooltip: [
              { field: 'from', title: 'From' },
              { field: 'to', title: 'To' },
              { field: 'tip_value', title: 'People' },
              { field: 'tip_share', title: 'Share' },
            ],
          },
        },
        {
          mark: { type: 'text', fontSize: 12, fontWeight: 'bold' },
          encoding: {
            text: { field: 'label', type: 'nominal' },
            color: { condition: { test: 'datum.dark', value: 'white' }, value: '#1a1a1a' },
          },
        },
      ],
    },
    {
      title: input.title ?? `${input.eventTitle ?? input.event}: who moved where`,
      subtitle:
        input.subtitle ??
        `People whose primary app changed during the run (model median); ${formatCount(total)} switches in all.`,
      note: noteText(input.source),
      width,
    },
  );
}
