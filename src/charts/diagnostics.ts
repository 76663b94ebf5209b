// Whether a calibration can be believed, as charts (inputs: diagnostics.json of `exodus diagnose`):
// - sbcCoverageChart: per parameter, how often the 50% and 90% intervals held the true value in
//   synthetic tests, against the range a calibrated procedure gives with that many tests;
// - sbcRankChart: the rank histograms behind it (Talts et al. 2018), with the expected count and
//   the 99% band of a uniform histogram;
// - identifiabilityChart: posterior sd / prior sd per parameter, sorted, coloured by verdict;
// - priorPredictiveChart: per figure, the prior's 90% range as a multiple of the reported value.
// The sensitivity heatmap (figures x parameters) is in sensitivity.ts.
import type { TopLevelSpec } from 'vega-lite';
import type { NonNormalizedSpec } from 'vega-lite/types_unstable/spec/index.js';
import { binomialDistribution } from 'simple-statistics';
import type { ChartSource, FigureName, IdentifiabilityRow, PriorPredictiveRow, SbcSummary } from './types.ts';
import { finishChart, formatCount, noteText, shortEventTitle } from './style.ts';
import { textWidth } from './fontmetrics.ts';
import { PARAM_SPECS } from '../model/params.ts';

/** Probability of the bands drawn around what a calibrated procedure gives (Talts et al.: 99%). */
export const BAND_LEVEL = 0.99;

/** "facebook-outage-2019/loudness" → ["loudness", "Facebook outage 2019"]; shared parameters: [name]. */
export function paramLines(key: string, eventTitles: Record<string, string> = {}): string[] {
  const i = key.indexOf('/');
  if (i < 0) return [key];
  const event = key.slice(0, i);
  return [key.slice(i + 1), eventTitles[event] ?? shortEventTitle(event)];
}

/** "facebook-outage-2019/loudness" → "loudness (Facebook outage 2019)"; shared parameters as named. */
export function paramTitle(key: string, eventTitles: Record<string, string> = {}): string {
  const [name, event] = paramLines(key, eventTitles);
  return event ? `${name} (${event})` : name;
}

/** Vega expression printing a label on the lines given for it (`lines`: label → lines). */
export function linesExpr(lines: Record<string, string[]>): string {
  return `${JSON.stringify(lines)}[datum.value] || datum.value`;
}

/** Widest of `labels` at 11 px, plus the axis' padding: the room labels take left of a plot. */
export function labelRoom(labels: Iterable<string>): number {
  return Math.max(0, ...[...labels].map((l) => textWidth(l, 11))) + 12;
}

/** One sentence on what a parameter does (shared parameters; per-event unknowns: ''). */
export function paramDoc(key: string): string {
  return (PARAM_SPECS as readonly { name: string; doc: string }[]).find((p) => p.name === key)?.doc ?? '';
}

/**
 * Central `level` range of a Binomial(n, p) count: [lo, hi] with P(X < lo) and P(X > hi) each at
 * most (1 - level) / 2. The distribution's table comes from simple-statistics.
 */
export function binomialRange(n: number, p: number, level = BAND_LEVEL): [number, number] {
  if (n <= 0) return [0, 0];
  if (p <= 0) return [0, 0];
  if (p >= 1) return [n, n];
  const pmf = binomialDistribution(n, p);
  if (!pmf) throw new Error(`binomialRange: no distribution for n = ${n}, p = ${p}`);
  const tail = (1 - level) / 2;
  let cum = 0;
  let lo = -1;
  let hi = n;
  for (let k = 0; k < pmf.length; k++) {
    cum += pmf[k];
    if (lo < 0 && cum > tail) lo = k;
    if (cum >= 1 - tail) {
      hi = k;
      break;
    }
  }
  return [Math.max(0, lo), hi];
}

// ---------------------------------------------------------------------------------------------
// Simulation-based calibration

export interface SbcInput {
  sbc: SbcSummary;
  source: ChartSource | string;
  eventTitles?: Record<string, string>;
  title?: string;
  subtitle?: string;
}

/** How a parameter's coverage compares with the range of a calibrated method (legend labels). */
export const COVERAGE_STATUS = {
  ok: 'as a calibrated method would',
  low: 'too few: intervals too narrow',
  high: 'too many: intervals too wide',
} as const;
const STATUS_COLORS = { [COVERAGE_STATUS.ok]: '#2F6690', [COVERAGE_STATUS.low]: '#D55E00', [COVERAGE_STATUS.high]: '#E69F00' };

/**
 * Whether a rank (0..L) lies in the central `nominal` share of the L + 1 possible ranks: the true
 * value inside the central interval of the L draws. Counted from the ranks, so a calibrated
 * method's chance is exactly `share` (nominal rounded to whole ranks), whatever L is.
 */
export function centralRanks(L: number, nominal: number): { from: number; to: number; share: number } {
  const m = Math.max(1, Math.min(L + 1, Math.round(nominal * (L + 1))));
  const from = Math.floor((L + 1 - m) / 2);
  return { from, to: from + m - 1, share: m / (L + 1) };
}

/** Per parameter and interval: how many true values it held, and the range of a calibrated method. */
export function coverageRows(sbc: SbcSummary, eventTitles: Record<string, string> = {}) {
  const n = sbc.truths;
  return sbc.parameters.flatMap((p) =>
    ([0.5, 0.9] as const).map((nominal) => {
      const c = centralRanks(sbc.posteriorDraws, nominal);
      const k = p.ranks.filter((r) => r >= c.from && r <= c.to).length;
      const [lo, hi] = binomialRange(n, c.share);
      const status = k < lo ? COVERAGE_STATUS.low : k > hi ? COVERAGE_STATUS.high : COVERAGE_STATUS.ok;
      return {
        param: paramTitle(p.param, eventTitles),
        interval: `${Math.round(nominal * 100)}% intervals`,
        nominal: c.share,
        inside: k,
        observed: k / n,
        lo: lo / n,
        hi: hi / n,
        status,
        tip_observed: `${k} of ${n} (${Math.round((100 * k) / n)}%)`,
        tip_range: `${Math.round((100 * lo) / n)}% – ${Math.round((100 * hi) / n)}%`,
        tip_doc: paramDoc(p.param),
      };
    }),
  );
}

export function sbcCoverageChart(input: SbcInput): TopLevelSpec {
  const { sbc } = input;
  if (!sbc.parameters.length || sbc.truths <= 0) throw new Error('sbc coverage: no parameters or no synthetic draws');
  const rows = coverageRows(sbc, input.eventTitles);
  const params = [...new Set(rows.map((r) => r.param))];
  const panelW = 250;
  const spacing = 24;
  const present = Object.values(COVERAGE_STATUS).filter((s) => rows.some((r) => r.status === s));
  const y = { field: 'param', type: 'nominal' as const, title: null, sort: params, axis: { labelLimit: 0, grid: true, gridColor: '#f0f0f0' } };
  const x = {
    field: 'observed',
    type: 'quantitative' as const,
    title: 'Share of true values inside the interval',
    scale: { domain: [0, 1], nice: false },
    axis: { format: '.0%', values: [0, 0.25, 0.5, 0.75, 1] },
  };
  const band = `Range of a calibrated method (${Math.round(BAND_LEVEL * 100)}% of the time)`;
  const body = {
    data: { values: rows },
    facet: { column: { field: 'interval', type: 'nominal', title: null, sort: ['50% intervals', '90% intervals'], header: { labelFontSize: 12.5, labelFontWeight: 'bold', labelAnchor: 'start' } } },
    spacing,
    spec: {
      width: panelW,
      height: { step: 16 },
      layer: [
        {
          mark: { type: 'bar', color: '#DDE3EA', height: { band: 0.8 } },
          encoding: {
            y,
            x: { field: 'lo', type: 'quantitative', scale: { domain: [0, 1], nice: false } },
            x2: { field: 'hi' },
            tooltip: [
              { field: 'param', title: 'Parameter' },
              { field: 'tip_range', title: band },
            ],
          },
        },
        { mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { x: { field: 'nominal', type: 'quantitative' } } },
        {
          mark: { type: 'point', filled: true, size: 60, opacity: 1 },
          encoding: {
            y,
            x,
            color: { field: 'status', type: 'nominal', title: 'True values inside', scale: { domain: present, range: present.map((s) => STATUS_COLORS[s]) }, legend: { orient: 'right' } },
            tooltip: [
              { field: 'param', title: 'Parameter' },
              { field: 'interval', title: 'Posterior interval' },
              { field: 'tip_observed', title: 'True values inside' },
              { field: 'tip_range', title: band },
              { field: 'tip_doc', title: 'What it does' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { x: 'shared' } },
  } as unknown as NonNormalizedSpec;
  const pooled = (interval: string) => {
    const rs = rows.filter((r) => r.interval === interval);
    return `${Math.round((100 * rs.reduce((a, r) => a + r.inside, 0)) / (rs.length * sbc.truths))}%`;
  };
  const plotW = 2 * panelW + spacing;
  return finishChart(body, {
    title: input.title ?? 'Does the calibration recover known parameters?',
    subtitle:
      input.subtitle ??
        `In ${sbc.truths} tests a parameter set drawn at random played the true world: its simulated figures, with reporting errors added, were calibrated as the real ones are. ` +
          `Dots: how often the true value fell inside the calibration's 50% and 90% intervals (dashed lines); grey: where a well-calibrated method lands ${Math.round(BAND_LEVEL * 100)}% of the time in ${sbc.truths} tests. ` +
          `Over all parameters the 50% intervals held ${pooled('50% intervals')} of the true values, the 90% intervals ${pooled('90% intervals')}.` +
          fewTests(sbc.truths),
    titleWidth: labelRoom(params) + plotW,
    note: noteText(input.source),
    width: plotW,
  });
}

/** Below this many tests the bands are wide: the charts say how to get more. */
export const FEW_TESTS = 50;

const fewTests = (n: number) => (n < FEW_TESTS ? ` Only ${n} tests: the grey range is wide; exodus diagnose --draws 100 (or more) narrows it.` : '');

/** Bins of ranks 0..L: `bins` of (nearly) equal width; expected counts of uniform ranks follow each width. */
export function rankBins(ranks: readonly number[], L: number, bins: number) {
  const edges = Array.from({ length: bins + 1 }, (_, b) => Math.round((b * (L + 1)) / bins));
  const counts = new Array<number>(bins).fill(0);
  for (const r of ranks) {
    let b = bins - 1;
    while (b > 0 && r < edges[b]) b--;
    counts[b]++;
  }
  const n = ranks.length;
  return counts.map((count, b) => {
    const p = (edges[b + 1] - edges[b]) / (L + 1);
    const [lo, hi] = binomialRange(n, p);
    return { from: edges[b], to: edges[b + 1] - 1, count, expected: n * p, lo, hi };
  });
}

/**
 * Bins for N tests: about 10 tests per bin (at least 2 bins, at most 10, as `exodus diagnose`'s
 * uniformity test), a divisor of L + 1 where one is near, so every bin holds as many ranks.
 */
export function rankBinCount(tests: number, L: number): number {
  const want = Math.max(2, Math.min(10, Math.round(tests / 10)));
  for (let b = want; b >= Math.max(2, Math.ceil(want / 2)); b--) if ((L + 1) % b === 0) return b;
  return want;
}

export function sbcRankChart(input: SbcInput & { columns?: number; bins?: number }): TopLevelSpec {
  const { sbc } = input;
  if (!sbc.parameters.length || sbc.truths <= 0) throw new Error('sbc ranks: no parameters or no synthetic draws');
  const L = sbc.posteriorDraws;
  const bins = input.bins ?? rankBinCount(sbc.truths, L);
  const lines: Record<string, string[]> = {};
  const rows = sbc.parameters.flatMap((p) => {
    const name = paramTitle(p.param, input.eventTitles);
    lines[name] = paramLines(p.param, input.eventTitles);
    return rankBins(p.ranks, L, bins).map((b) => ({
      param: name,
      // x: the share of the draws below the true value, a bin as [from, to + 1) / (L + 1).
      x0: b.from / (L + 1),
      x1: (b.to + 1) / (L + 1),
      count: b.count,
      expected: b.expected,
      lo: b.lo,
      hi: b.hi,
      tip_ranks: `${b.from} – ${b.to} of ${L} draws below the true value`,
      tip_count: `${b.count} (expected ${Number(b.expected.toPrecision(3))}; a calibrated method: ${b.lo} – ${b.hi}, ${Math.round(BAND_LEVEL * 100)}% of the time)`,
    }));
  });
  const params = [...new Set(rows.map((r) => r.param))];
  const spacing = 26;
  // A panel is as wide as its longest header line (a long event name would stick out of the
  // chart's last column otherwise), and as many columns as fit the page column (about 1120 px).
  const header = Math.max(...Object.values(lines).flat().map((l) => textWidth(l, 11.5, true)));
  const panelW = Math.max(150, Math.ceil(header) + 4);
  // Each panel also carries its own y axis (about 28 px).
  const fit = Math.max(1, Math.floor(1060 / (panelW + spacing + 28)));
  const columns = Math.min(input.columns ?? 5, fit, params.length);
  const panelH = 60;
  const yMax = Math.max(...rows.map((r) => Math.max(r.count, r.hi)));
  const x = { field: 'x0', type: 'quantitative' as const, title: null, scale: { domain: [0, 1], nice: false }, axis: { values: [0, 0.5, 1], format: '.0%' } };
  const yScale = { domain: [0, yMax], nice: false };
  const twoLines = Object.values(lines).some((l) => l.length > 1);
  const body = {
    data: { values: rows },
    facet: {
      field: 'param',
      type: 'nominal',
      title: null,
      sort: params,
      header: { labelFontSize: 11.5, labelFontWeight: 'bold', labelAnchor: 'start', labelLimit: 0, labelExpr: linesExpr(lines), labelLineHeight: 13, ...(twoLines ? { labelBaseline: 'bottom' } : {}) },
    },
    columns,
    spacing: { column: spacing, row: 14 },
    spec: {
      width: panelW,
      height: panelH,
      layer: [
        { mark: { type: 'rect', color: '#DDE3EA' }, encoding: { x, x2: { field: 'x1' }, y: { field: 'lo', type: 'quantitative', scale: yScale, title: null, axis: { tickCount: 3, format: 'd' } }, y2: { field: 'hi' } } },
        {
          mark: { type: 'rect', color: '#2F6690', stroke: 'white', strokeWidth: 1 },
          encoding: {
            x,
            x2: { field: 'x1' },
            y: { field: 'count', type: 'quantitative' },
            y2: { datum: 0 },
            tooltip: [
              { field: 'param', title: 'Parameter' },
              { field: 'tip_ranks', title: 'Bin' },
              { field: 'tip_count', title: 'Tests' },
            ],
          },
        },
        { mark: { type: 'rule', color: '#333', strokeDash: [3, 2] }, encoding: { x, x2: { field: 'x1' }, y: { field: 'expected', type: 'quantitative' } } },
      ],
    },
    // Every panel its own axes: the last row's empty columns carry no floating axis.
    resolve: { scale: { x: 'shared', y: 'shared' }, axis: { x: 'independent', y: 'independent' } },
  } as unknown as NonNormalizedSpec;
  const plotW = columns * (panelW + spacing) - spacing;
  return finishChart(body, {
    title: input.title ?? 'Where do the true values fall among the calibration’s answers?',
    subtitle:
      input.subtitle ??
        `In each of ${sbc.truths} tests: the share of ${L} draws of the calibrated parameters that lie below the true value (x), counted in ${bins} bins (y: tests). ` +
          `Calibrated: flat, inside the grey band around the expected count (dashed), where a calibrated method stays ${Math.round(BAND_LEVEL * 100)}% of the time. A U shape: answers too sure; a hump: too cautious; a slope: biased.` +
          fewTests(sbc.truths),
    titleWidth: plotW + 30,
    note: noteText(input.source),
    width: plotW,
  });
}

// ---------------------------------------------------------------------------------------------
// Identifiability

export interface IdentifiabilityInput {
  rows: IdentifiabilityRow[];
  source: ChartSource | string;
  eventTitles?: Record<string, string>;
  title?: string;
  subtitle?: string;
  width?: number;
}

const VERDICT_COLORS: Record<string, string> = { identified: '#2F6690', 'weakly identified': '#56B4E9', 'not identified': '#A5A5A5' };
const VERDICT_ORDER = ['identified', 'weakly identified', 'not identified'];

export function identifiabilityChart(input: IdentifiabilityInput): TopLevelSpec {
  const rows = input.rows
    .filter((r) => Number.isFinite(r.ratio))
    .sort((a, b) => a.ratio - b.ratio || a.key.localeCompare(b.key))
    .map((r) => ({
      param: paramTitle(r.key, input.eventTitles),
      ratio: r.ratio,
      verdict: r.verdict,
      zero: 0,
      tip_ratio: r.ratio.toFixed(2),
      tip_sd: `${Number(r.posteriorSd.toPrecision(2))} against ${Number(r.priorSd.toPrecision(2))} (in units of the prior's range)`,
      tip_doc: paramDoc(r.key),
    }));
  if (!rows.length) throw new Error('identifiability: no parameters');
  const verdicts = [...VERDICT_ORDER.filter((v) => rows.some((r) => r.verdict === v)), ...[...new Set(rows.map((r) => r.verdict))].filter((v) => !VERDICT_ORDER.includes(v)).sort()];
  const width = input.width ?? 420;
  const xMax = Math.max(1.2, ...rows.map((r) => r.ratio * 1.05));
  const x = { field: 'ratio', type: 'quantitative' as const, title: 'Spread after calibration ÷ spread before (posterior sd ÷ prior sd)', scale: { domain: [0, xMax], nice: false }, axis: { values: [0, 0.25, 0.5, 0.75, 1].filter((v) => v <= xMax), format: '.2~f' } };
  const y = { field: 'param', type: 'nominal' as const, title: null, sort: rows.map((r) => r.param), axis: { labelLimit: 0 } };
  const body = {
    width,
    height: { step: 16 },
    layer: [
      { data: { values: rows }, mark: { type: 'rule', color: '#c8c8c8' }, encoding: { y, x: { field: 'zero', type: 'quantitative' }, x2: { field: 'ratio' } } },
      {
        data: { values: [{ one: 1, label: 'no narrower than before' }] },
        mark: { type: 'rule', color: '#C0392B', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { x: { field: 'one', type: 'quantitative' } },
      },
      {
        // Above the plot, at the line: no dot can hide it.
        data: { values: [{ one: 1, label: 'no narrower than before' }] },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dx: 4, y: -4, color: '#C0392B', fontSize: 10.5 },
        encoding: { x: { field: 'one', type: 'quantitative' }, text: { field: 'label' } },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        encoding: {
          y,
          x,
          color: { field: 'verdict', type: 'nominal', title: 'Verdict', scale: { domain: verdicts, range: verdicts.map((v, i) => VERDICT_COLORS[v] ?? ['#E69F00', '#009E73', '#CC79A7'][i % 3]) } },
          tooltip: [
            { field: 'param', title: 'Parameter' },
            { field: 'tip_ratio', title: 'Posterior sd ÷ prior sd' },
            { field: 'tip_sd', title: 'Posterior sd' },
            { field: 'verdict', title: 'Verdict' },
            { field: 'tip_doc', title: 'What it does' },
          ],
        },
      },
    ],
  } as unknown as NonNormalizedSpec;
  const identified = rows.filter((r) => r.verdict === 'identified').length;
  return finishChart(body, {
    title: input.title ?? 'Which parameters do the reported figures pin down?',
    subtitle:
      input.subtitle ??
        `How much narrower each parameter's range is after calibration than before it (0: pinned down exactly; 1, the red line: the figures say nothing about it). ${identified} of ${rows.length} identified.`,
    titleWidth: labelRoom(rows.map((r) => r.param)) + width,
    note: noteText(input.source),
    width,
  });
}

// ---------------------------------------------------------------------------------------------
// Prior predictive

export interface PriorPredictiveInput {
  rows: PriorPredictiveRow[];
  /** Short names of the figures (default: the id without the event's prefix). */
  figures?: FigureName[];
  source: ChartSource | string;
  eventTitles?: Record<string, string>;
  title?: string;
  subtitle?: string;
  width?: number;
}

/** "ru24-whatsapp-monthly-audience-2025-04" → "whatsapp-monthly-audience-2025-04" (the event's tag dropped). */
export function defaultFigureLabel(id: string): string {
  return id.replace(/^[a-z]{1,4}\d{2}-/, '');
}

/** Labels of figures on a shared axis, unique within each event. */
export function figureLabeller(figures: FigureName[] = []): (event: string, id: string) => string {
  const byKey = new Map(figures.map((f) => [`${f.event}\u0000${f.id}`, f.short]));
  return (event, id) => byKey.get(`${event}\u0000${id}`) ?? defaultFigureLabel(id);
}

/** "×10", "×1", "÷10": a multiple of the reported value on a log axis. */
const MULTIPLE_EXPR = "datum.value >= 1 ? '×' + format(datum.value, ',~r') : '÷' + format(1 / datum.value, ',~r')";

export function priorPredictiveChart(input: PriorPredictiveInput): TopLevelSpec {
  const label = figureLabeller(input.figures);
  const wording = new Map((input.figures ?? []).map((f) => [`${f.event}\u0000${f.id}`, f.wording ?? '']));
  const eventName = (e: string) => input.eventTitles?.[e] ?? shortEventTitle(e);
  const usable = input.rows.filter((r) => r.reported > 0 && Number.isFinite(r.hi));
  const dropped = input.rows.length - usable.length;
  if (!usable.length) throw new Error('prior predictive: no figures with a positive reported value');
  // The axis: a multiple of the reported value, decades around the data; zero sits at its left end.
  const ratios = usable.flatMap((r) => [r.lo, r.median, r.hi].map((v) => v / r.reported)).filter((v) => v > 0);
  const lo10 = Math.floor(Math.log10(Math.min(1, ...ratios)) - 1e-9);
  const hi10 = Math.ceil(Math.log10(Math.max(1, ...ratios)) + 1e-9);
  const dmin = 10 ** Math.min(-1, lo10);
  const dmax = 10 ** Math.max(1, hi10);
  const clip = (v: number) => Math.min(dmax, Math.max(dmin, v));
  const rows = usable.map((r) => {
    const key = `${r.event}\u0000${r.id}`;
    const x0 = r.lo / r.reported;
    return {
      event: eventName(r.event),
      figure: label(r.event, r.id),
      x0: clip(x0),
      x1: clip(r.hi / r.reported),
      // Every layer draws every row (one data source for the facet's shared y), hidden where
      // there is nothing to show: no median tick at zero, the zero marker only where it applies.
      mid: clip(r.median / r.reported),
      midShown: r.median > 0 ? 1 : 0,
      zeroShown: x0 >= dmin ? 0 : 1,
      status: r.inside ? 'inside the range' : 'outside the range',
      tip_id: r.id,
      tip_wording: wording.get(key) ?? '',
      tip_reported: formatCount(r.reported),
      tip_prior: `${formatCount(r.lo)} – ${formatCount(r.hi)} (median ${formatCount(r.median)})`,
    };
  });
  const events = [...new Set(rows.map((r) => r.event))];
  const width = input.width ?? 460;
  const scale = { type: 'log' as const, domain: [dmin, dmax], nice: false };
  const ticks = Array.from({ length: Math.round(Math.log10(dmax / dmin)) + 1 }, (_, k) => Number((dmin * 10 ** k).toPrecision(1)));
  const x = { field: 'x0', type: 'quantitative' as const, title: 'Prior range as a multiple of the reported value', scale, axis: { values: ticks, labelExpr: MULTIPLE_EXPR, grid: true, labelOverlap: 'greedy' as const } };
  const y = { field: 'figure', type: 'nominal' as const, title: null, axis: { labelLimit: 0 }, sort: null };
  const statuses = (['inside the range', 'outside the range'] as const).filter((s) => rows.some((r) => r.status === s));
  const color = { field: 'status', type: 'nominal' as const, title: 'Reported value', scale: { domain: statuses, range: statuses.map((s) => (s === 'inside the range' ? '#2F6690' : '#D55E00')) }, legend: { symbolStrokeWidth: 5 } };
  const tooltip = [
    { field: 'tip_id', title: 'Figure' },
    { field: 'tip_wording', title: 'Wording' },
    { field: 'event', title: 'Event' },
    { field: 'tip_reported', title: 'Reported' },
    { field: 'tip_prior', title: 'Prior 90% range' },
    { field: 'status', title: 'Reported value' },
  ];
  // One panel per event, stacked (not a facet: layers of a facet with its own y per row make
  // Vega-Lite warn). The x axis is labelled under the last panel only; all share its scale.
  const panel = (event: string, last: boolean) => {
    const xe = last ? x : { ...x, title: null, axis: { ...x.axis, labels: false, ticks: false, domain: false } };
    return {
      title: { text: event, anchor: 'start', frame: 'group', fontSize: 12.5, fontWeight: 'bold', offset: 6 },
      width,
      height: { step: 15 },
      data: { values: rows.filter((r) => r.event === event) },
      layer: [
        { mark: { type: 'rule', strokeWidth: 5, opacity: 0.75 }, encoding: { y, x: xe, x2: { field: 'x1' }, color, tooltip } },
        { mark: { type: 'tick', thickness: 2, size: 11, color: 'black' }, encoding: { y, x: { field: 'mid', type: 'quantitative' }, opacity: { field: 'midShown', type: 'quantitative', scale: null }, tooltip } },
        { mark: { type: 'point', shape: 'triangle-left', filled: true, size: 60 }, encoding: { y, x: { field: 'x0', type: 'quantitative' }, opacity: { field: 'zeroShown', type: 'quantitative', scale: null }, color } },
        { mark: { type: 'rule', color: '#333', strokeDash: [4, 3] }, encoding: { x: { datum: 1, type: 'quantitative' } } },
      ],
    };
  };
  const body = {
    vconcat: events.map((e, i) => panel(e, i === events.length - 1)),
    spacing: 12,
    resolve: { scale: { x: 'shared', color: 'shared' } },
  } as unknown as NonNormalizedSpec;
  const inside = usable.filter((r) => r.inside).length;
  return finishChart(body, {
    title: input.title ?? 'Could the model produce what was reported, before any calibration?',
    subtitle:
      input.subtitle ??
        `For each figure, the range of 90% of the runs with parameters drawn from the prior, as a multiple of the reported value (dashed line); black tick: their median; ◀: the range reaches zero. ` +
          `Reported values inside the range: ${inside} of ${usable.length}.` +
          (dropped ? ` ${dropped} with a reported value of zero not shown.` : ''),
    titleWidth: labelRoom(rows.map((r) => r.figure)) + width,
    note: noteText(input.source),
    width,
  });
}
