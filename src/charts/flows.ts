// Migration matrix of one event: NET moves of the primary app between apps (a→b minus b→a), the
// gross switches behind each in the tooltip. Gross flips back and forth are a symptom of people
// trying apps, not a finding (docs/DESIGN.md); the net flow is what changed.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSource, FlowCell } from './types.ts';
import { appColor, appLabel, appOrder, countExpr, finishChart, formatCount, logTicks, noteText } from './style.ts';
import { textWidth } from './fontmetrics.ts';

export interface FlowsInput {
  event: string;
  /** Display name of the event for the default title. */
  eventTitle?: string;
  cells: FlowCell[];
  source: ChartSource | string;
  title?: string;
  subtitle?: string;
  /** Width of the matrix in pixels (cells share it). Default 560. */
  width?: number;
}

/** The "from" of people who had no messenger before (engine index K; flowCells names it so). */
export const NO_APP = '(no messenger)';
const NO_APP_LABEL = 'No app before';

export interface NetCell {
  from: string;
  to: string;
  /** People whose primary app went from → to, minus those who went to → from. Positive. */
  net: number;
  /** Gross switches from → to and back. */
  gross: number;
  back: number;
}

/** Net moves between apps from gross cells (display names; one cell per pair, in the net direction). */
export function netFlows(cells: FlowCell[], event: string): NetCell[] {
  const gross = new Map<string, number>();
  const key = (a: string, b: string) => `${a}\u0000${b}`;
  for (const c of cells) {
    if (c.event !== event) continue;
    const from = c.from === NO_APP ? NO_APP_LABEL : appLabel(c.from);
    const to = appLabel(c.to);
    if (from === to) continue;
    gross.set(key(from, to), (gross.get(key(from, to)) ?? 0) + c.value);
  }
  const out: NetCell[] = [];
  for (const [k, g] of gross) {
    const [from, to] = k.split('\u0000');
    const back = gross.get(key(to, from)) ?? 0;
    if (g - back > 0) out.push({ from, to, net: g - back, gross: g, back });
  }
  return out;
}

export function flowsChart(input: FlowsInput): TopLevelSpec {
  const cells = netFlows(input.cells, input.event);
  if (!cells.length) throw new Error(`flows: no flows for event "${input.event}"`);
  const apps = (xs: string[]) => appOrder(xs.filter((x) => x !== NO_APP_LABEL));
  const fromApps = apps(cells.map((c) => c.from));
  const fromOrder = cells.some((c) => c.from === NO_APP_LABEL) ? [...fromApps, NO_APP_LABEL] : fromApps;
  const toOrder = apps(cells.map((c) => c.to));
  const max = Math.max(...cells.map((c) => c.net));
  const min = Math.min(...cells.map((c) => c.net));
  const totalNet = cells.filter((c) => c.from !== NO_APP_LABEL).reduce((s, c) => s + c.net, 0);
  const totalGross = cells.filter((c) => c.from !== NO_APP_LABEL).reduce((s, c) => s + c.gross, 0);
  // Log colour scale: net moves span orders of magnitude. Dark cells get white text.
  const logPos = (v: number) => (max === min ? 1 : Math.log(v / min) / Math.log(max / min));
  const data = cells.map((c) => ({
    from: c.from,
    to: c.to,
    net: Number(c.net.toPrecision(4)),
    label: formatCount(c.net, 2),
    dark: logPos(c.net) > 0.55,
    tip_net: formatCount(c.net),
    tip_gross: c.from === NO_APP_LABEL ? '–' : `${formatCount(c.gross)} this way, ${formatCount(c.back)} back`,
  }));

  // The matrix takes the chart's width (cells share it); rows are a little flatter than columns.
  const width = input.width ?? 560;
  const cellW = width / toOrder.length;
  const cellH = Math.max(30, Math.min(64, cellW * 0.7));
  const height = Math.round(cellH * fromOrder.length);
  // Axis labels in each app's colour tie the matrix to the other charts.
  const labelColor = (order: string[]) =>
    order.map((l) => `datum.value === ${JSON.stringify(l)} ? '${l === NO_APP_LABEL ? '#666' : appColor(l)}' : `).join('') + "'#333'";
  // Column labels slant only when the longest does not fit its column.
  const slant = Math.max(...toOrder.map((l) => textWidth(l, 11, true))) + 6 > cellW;

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
          scale: { domain: toOrder },
          title: 'To: new primary app',
          axis: { orient: 'top', labelAngle: slant ? -30 : 0, labelAlign: slant ? 'left' : 'center', labelFontWeight: 'bold', labelColor: { expr: labelColor(toOrder) }, domain: false, ticks: false, labelLimit: 160 },
        },
        y: {
          field: 'from',
          type: 'nominal',
          sort: fromOrder,
          scale: { domain: fromOrder },
          title: 'From: previous primary app',
          axis: { labelFontWeight: 'bold', labelColor: { expr: labelColor(fromOrder) }, domain: false, ticks: false, labelLimit: 160 },
        },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
          encoding: {
            color: {
              field: 'net',
              type: 'quantitative',
              title: 'Net moves (people)',
              scale: { type: 'log', scheme: 'blues', domain: [min, max] },
              legend: { labelExpr: countExpr(), values: logTicks(min, max), gradientLength: Math.max(120, height - 40) },
            },
            tooltip: [
              { field: 'from', title: 'From' },
              { field: 'to', title: 'To' },
              { field: 'tip_net', title: 'Net moves' },
              { field: 'tip_gross', title: 'Gross switches' },
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
        `Net change of people's primary app over the run (model median): each cell is moves from the row's app to the column's minus those back. ` +
          `${formatCount(totalNet)} net moves between apps out of ${formatCount(totalGross)} gross switches (tooltips)${fromOrder.includes(NO_APP_LABEL) ? `; the last row ("${NO_APP_LABEL}"): people new to messaging` : ''}.`,
      note: noteText(input.source),
      width,
    },
  );
}
