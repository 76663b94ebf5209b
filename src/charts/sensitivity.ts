// How much each compared figure depends on each parameter (`exodus sensitivity`): a heatmap of
// figures (rows, grouped by event) x parameters (columns, most influential first), coloured by
// Morris mu* (as the factor a step moves the figure by) or by the total Sobol index.
import type { TopLevelSpec } from 'vega-lite';
import type { NonNormalizedSpec } from 'vega-lite/types_unstable/spec/index.js';
import type { ChartSource, FigureName, SensitivityRow } from './types.ts';
import { finishChart, noteText, shortEventTitle } from './style.ts';
import { figureLabeller, labelRoom, paramDoc, paramTitle } from './diagnostics.ts';

export type SensitivityMethod = 'morris' | 'sobol';

export interface SensitivityInput {
  rows: SensitivityRow[];
  /** Default: morris when the rows have mu*, else sobol. */
  method?: SensitivityMethod;
  figures?: FigureName[];
  source: ChartSource | string;
  eventTitles?: Record<string, string>;
  title?: string;
  subtitle?: string;
  /** Width of one column (parameter) and height of one row (figure) in pixels. */
  cell?: { width: number; height: number };
}

/** The method the rows were made with: Morris rows carry mu*, Sobol rows total indices. */
export function sensitivityMethod(rows: readonly SensitivityRow[]): SensitivityMethod {
  return rows.some((r) => r.muStar !== undefined) ? 'morris' : 'sobol';
}

const num = (v: number | undefined, digits = 2) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

export function sensitivityChart(input: SensitivityInput): TopLevelSpec {
  const method = input.method ?? sensitivityMethod(input.rows);
  const score = (r: SensitivityRow) => (method === 'morris' ? r.muStar : r.total);
  const usable = input.rows.filter((r) => Number.isFinite(score(r)));
  if (!usable.length) throw new Error(`sensitivity: no ${method === 'morris' ? 'mu*' : 'total index'} values`);
  const label = figureLabeller(input.figures);
  const wording = new Map((input.figures ?? []).map((f) => [`${f.event}\u0000${f.id}`, f.wording ?? '']));
  const eventName = (e: string) => input.eventTitles?.[e] ?? shortEventTitle(e);

  // Columns: the shared parameters, the one that moves some figure most first; then each event's
  // own unknowns, in the order of the events (their cells form blocks beside their event's rows).
  const best = new Map<string, number>();
  for (const r of usable) best.set(r.param, Math.max(best.get(r.param) ?? 0, score(r)!));
  const byInfluence = (a: string, b: string) => best.get(b)! - best.get(a)! || a.localeCompare(b);
  const eventOrder = [...new Set(usable.map((r) => r.event))];
  const ownEvent = (p: string) => (p.includes('/') ? eventOrder.indexOf(p.slice(0, p.indexOf('/'))) : -1);
  const params = [...best.keys()].sort((a, b) => ownEvent(a) - ownEvent(b) || byInfluence(a, b));
  const title = (p: string) => paramTitle(p, input.eventTitles);
  const cells = usable.map((r) => ({
    event: eventName(r.event),
    figure: label(r.event, r.figure),
    param: title(r.param),
    score: Number(score(r)!.toPrecision(4)),
    tip_id: r.figure,
    tip_wording: wording.get(`${r.event}\u0000${r.figure}`) ?? '',
    tip_doc: paramDoc(r.param),
    ...(method === 'morris'
      ? { tip_mu: `${num(r.muStar)} (about ×${(10 ** (r.muStar ?? 0)).toPrecision(2)})`, tip_sigma: num(r.sigma) }
      : { tip_first: `${num(r.first)} [${num(r.firstLo)} – ${num(r.firstHi)}]`, tip_total: `${num(r.total)} [${num(r.totalLo)} – ${num(r.totalHi)}]` }),
  }));
  const events = [...new Set(cells.map((c) => c.event))];
  const cell = input.cell ?? { width: 20, height: 14 };
  const max = Math.max(...cells.map((c) => c.score));
  const legendValues = method === 'morris' ? [0, 0.3, 0.7, 1, 1.3, 2].filter((v) => v <= max + 1e-9) : [0, 0.25, 0.5, 0.75, 1].filter((v) => v <= max + 1e-9);
  const color = {
    field: 'score',
    type: 'quantitative' as const,
    title: method === 'morris' ? ['Typical factor a step', 'moves the figure by'] : ['Share of the figure’s', 'variance (total index)'],
    scale: { scheme: { name: 'blues', extent: [0.06, 1] }, domain: [0, method === 'morris' ? Math.max(max, 0.3) : Math.min(1, Math.max(max, 0.25))], nice: false },
    legend: {
      // Above the chart (under the subtitle): the columns keep the page's width.
      orient: 'top' as const,
      direction: 'horizontal' as const,
      gradientLength: 240,
      titleOrient: 'left' as const,
      values: legendValues,
      // mu* is in log10 units: 0.3 moves a figure by about x2, 1 by x10.
      labelExpr: method === 'morris' ? "'×' + format(pow(10, datum.value), '.2~r')" : "format(datum.value, '.0%')",
    },
  };
  const tooltip = [
    { field: 'figure', title: 'Figure' },
    { field: 'tip_wording', title: 'Wording' },
    { field: 'event', title: 'Event' },
    { field: 'param', title: 'Parameter' },
    { field: 'tip_doc', title: 'What it does' },
    ...(method === 'morris'
      ? [
          { field: 'tip_mu', title: 'mu* (mean |change of log10 figure| per step)' },
          { field: 'tip_sigma', title: 'sigma (spread: interactions, non-linearity)' },
        ]
      : [
          { field: 'tip_first', title: 'First-order index [95%]' },
          { field: 'tip_total', title: 'Total index [95%]' },
        ]),
    { field: 'tip_id', title: 'Figure id' },
  ];
  const body = {
    data: { values: cells },
    facet: { row: { field: 'event', type: 'nominal', title: null, sort: events, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelAlign: 'left', labelFontSize: 12.5, labelFontWeight: 'bold', labelPadding: 4 } } },
    spacing: 12,
    spec: {
      width: { step: cell.width },
      height: { step: cell.height },
      mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
      encoding: {
        x: { field: 'param', type: 'nominal', title: null, sort: params, scale: { domain: params.map(title) }, axis: { orient: 'top', labelAngle: -90, labelAlign: 'left', labelBaseline: 'middle', labelLimit: 0, labelPadding: 4, offset: 8, domain: false, ticks: false } },
        y: { field: 'figure', type: 'nominal', title: null, sort: null, axis: { labelLimit: 0, domain: false, ticks: false } },
        color,
        tooltip,
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as NonNormalizedSpec;
  const what =
    method === 'morris'
      ? 'Colour: how much a figure moves when one parameter changes by ⅔ of its prior range, as a factor (mean over the steps of the Morris screening: mu*).'
      : 'Colour: the share of the variance of log10(figure) over the prior that goes with the parameter, alone or with others (total Sobol index, on the calibration’s emulators).';
  return finishChart(body, {
    title: input.title ?? 'Which parameters move which figures?',
    subtitle:
      input.subtitle ?? `${what} Columns: the shared parameters, the most influential first, then each event’s own unknowns; rows: figures, by event. A blank cell: the unknown of another event, which cannot move that figure.`,
    titleWidth: labelRoom(cells.map((c) => c.figure)) + params.length * cell.width,
    note: noteText(input.source),
    width: params.length * cell.width,
  });
}
