// Shared look of every exodus chart: one colour per app, one font, one number format, and a
// source note under each chart. Builders only describe their marks and call `finishChart`.
import type { Config, TopLevelSpec } from 'vega-lite';
import type { NonNormalizedSpec } from 'vega-lite/types_unstable/spec/index.js';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Family name of the font shipped in assets/fonts (render.ts loads the files). */
export const FONT_FAMILY = 'DejaVu Sans';

/**
 * What charts ask for. resvg finds the shipped DejaVu Sans first; a browser without it (a
 * report opened elsewhere) falls back to a sans-serif instead of its default serif.
 */
export const FONT_STACK = `${FONT_FAMILY}, Verdana, Arial, sans-serif`;

export interface AppStyle {
  id: string;
  label: string;
  color: string;
}

// Brand-inspired where two brands do not collide; where they do, the app that is less often on
// the same chart gives way (LINE is lime, not WhatsApp green; Discord is brick red, not blurple
// next to Max violet and Signal blue). Blues differ in lightness: Telegram light, VK mid-grey
// steel, Signal dark. Order = legend order.
export const APPS: readonly AppStyle[] = [
  { id: 'whatsapp', label: 'WhatsApp', color: '#1FA855' },
  { id: 'telegram', label: 'Telegram', color: '#2AABEE' },
  { id: 'signal', label: 'Signal', color: '#1B3FA0' },
  { id: 'threema', label: 'Threema', color: '#333333' },
  { id: 'viber', label: 'Viber', color: '#B07FE0' },
  { id: 'imo', label: 'imo', color: '#E0B000' },
  { id: 'max', label: 'Max', color: '#6A1FD1' },
  { id: 'vk', label: 'VK Messenger', color: '#4A76A8' },
  { id: 'messenger', label: 'Facebook Messenger', color: '#F28E2B' },
  { id: 'instagram', label: 'Instagram', color: '#C13584' },
  { id: 'discord', label: 'Discord', color: '#D0453A' },
  { id: 'line', label: 'LINE', color: '#8CC63F' },
  { id: 'sms', label: 'SMS', color: '#8C564B' },
  { id: 'other', label: 'Other', color: '#B8B8B8' },
];

// Spellings the engine or the data files may use for the same app.
const ALIASES: Record<string, string> = {
  vkmessenger: 'vk',
  vkontakte: 'vk',
  facebookmessenger: 'messenger',
  fbmessenger: 'messenger',
  fbm: 'messenger',
  ig: 'instagram',
  linemessenger: 'line',
  imomessenger: 'imo',
  maxmessenger: 'max',
  others: 'other',
  none: 'other',
};

const BY_ID = new Map(APPS.map((a) => [a.id, a]));

/** Canonical app id for any spelling ("VK Messenger", "vk_messenger" → "vk"); unknown names pass through lower-cased. */
export function appId(platform: string): string {
  const key = platform.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (BY_ID.has(key)) return key;
  return ALIASES[key] ?? key;
}

/** Display name of an app, e.g. "whatsapp" → "WhatsApp". Unknown apps keep their own name. */
export function appLabel(platform: string): string {
  return BY_ID.get(appId(platform))?.label ?? platform;
}

/** Fixed colour of an app; unknown apps are grey like "Other". */
export function appColor(platform: string): string {
  return BY_ID.get(appId(platform))?.color ?? BY_ID.get('other')!.color;
}

/**
 * Colour scale over app display names. The domain lists only the apps present (short legends,
 * canonical order), but each app keeps its colour whatever else is on the chart.
 */
export function appColorScale(platforms: Iterable<string>): { domain: string[]; range: string[] } {
  const labels = new Set<string>();
  for (const p of platforms) labels.add(appLabel(p));
  const known = APPS.map((a) => a.label).filter((l) => labels.has(l));
  const unknown = [...labels].filter((l) => !known.includes(l)).sort();
  const domain = [...known, ...unknown];
  // Apps without a colour of their own (a user's invented apps) get distinct fallback colours, in
  // name order, so they stay apart on a chart; "other" stays grey.
  let k = 0;
  return { domain, range: domain.map((l) => (BY_ID.has(appId(l)) ? appColor(l) : FALLBACK_COLORS[k++ % FALLBACK_COLORS.length])) };
}

/** Colours for apps not in APPS (Tableau 10 minus greens/blues close to the messengers' own). */
const FALLBACK_COLORS = ['#F28E2B', '#E15759', '#76B7B2', '#EDC948', '#B07AA1', '#FF9DA7', '#9C755F', '#4E79A7'];

/** Order of app display names for axes (heatmaps), canonical first. */
export function appOrder(platforms: Iterable<string>): string[] {
  return appColorScale(platforms).domain;
}

/** Events are told apart by a categorical palette (Tableau 10); apps keep their own colours. */
export const EVENT_COLORS = ['#4E79A7', '#F28E2B', '#59A14F', '#E15759', '#76B7B2', '#EDC948', '#B07AA1', '#FF9DA7', '#9C755F', '#BAB0AC'];

/** Colour scale over event names in the order given (cycles after ten events). */
export function eventColorScale(events: Iterable<string>): { domain: string[]; range: string[] } {
  const domain = [...new Set(events)];
  return { domain, range: domain.map((_, i) => EVENT_COLORS[i % EVENT_COLORS.length]) };
}

/** 1, 2 and 5 × 10ⁿ inside [lo, hi]: tick values for log axes with a calm grid. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  if (!(lo > 0) || !(hi > lo)) return out;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(Number(v.toPrecision(1)));
    }
  return out;
}

/** Cross-validation methods: the model stands out, the baseline is grey. */
export const METHOD_COLORS: Record<string, string> = { exodus: '#2F6690', bass: '#A5A5A5' };

/** Text of a source note given as a string or as a ChartSource. */
export function noteText(source: { note: string } | string): string {
  return typeof source === 'string' ? source : source.note;
}

// ---------------------------------------------------------------------------------------------
// Numbers

const SI = [
  { exp: 12, suffix: 'T' },
  { exp: 9, suffix: 'B' }, // billions, not Vega's SI "G"
  { exp: 6, suffix: 'M' },
  { exp: 3, suffix: 'k' },
];

function trimNumber(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** "1.5M", "320k", "2.1B", "12", "0.35": compact count with `digits` significant digits. */
export function formatCount(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  const sign = x < 0 ? '-' : '';
  const a = Math.abs(x);
  if (a < 1000) {
    if (a === 0) return '0';
    // Plain numbers keep their integer part whole (999, not 1e+3).
    const s = a >= 10 ** digits ? a.toFixed(0) : Number(a.toPrecision(digits)).toString();
    return sign + trimNumber(s);
  }
  for (let i = SI.length - 1; i >= 0; i--) {
    const { exp, suffix } = SI[i];
    const next = SI[i - 1];
    const scaled = Number((a / 10 ** exp).toPrecision(digits));
    // Rounding 999,950 gives "1000k": move to the next unit instead.
    if (next && a >= 10 ** next.exp) continue;
    if (scaled >= 1000 && next) continue;
    return sign + trimNumber(scaled.toString()) + suffix;
  }
  return sign + a.toExponential(digits - 1);
}

/** "35%" for shares in [0, 1]. */
export function formatPercent(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '–';
  return `${trimNumber(Number((x * 100).toPrecision(digits)).toString())}%`;
}

/**
 * Vega expression formatting `expr` like formatCount: SI with "B" for billions, plain numbers
 * below 1000 (so log axes show 0.5, not "500m").
 */
export function countExpr(expr = 'datum.value', spec = '.2~s'): string {
  return `abs(${expr}) >= 1000 ? replace(format(${expr}, '${spec}'), 'G', 'B') : format(${expr}, '.2~r')`;
}

/** Like countExpr, but on log axes only 1, 2 and 5 × 10ⁿ are labelled (other ticks stay bare). */
export function logLabelExpr(expr = 'datum.value'): string {
  const mantissa = `round(${expr} / pow(10, floor(log(${expr}) / LN10 + 1e-9)))`;
  return `indexof([1, 2, 5], ${mantissa}) >= 0 ? (${countExpr(expr)}) : ''`;
}

/**
 * Model metric names (src/model/results.ts) → axis titles with units. Flows (signups, installs)
 * are summed over the interval ending at each observation. Unknown metrics use their own name.
 */
export const METRICS: Record<string, { title: string; unit: string; percent?: boolean }> = {
  dau: { title: 'Daily active users', unit: 'people' },
  wau: { title: 'Weekly active users', unit: 'people' },
  mau: { title: 'Monthly active users', unit: 'people' },
  active: { title: 'Active users', unit: 'people' },
  installed: { title: 'People with the app installed', unit: 'people' },
  users: { title: 'Users', unit: 'people' },
  primary: { title: 'Primary-app users', unit: 'people' },
  signups: { title: 'New sign-ups', unit: 'people per observation step' },
  installs: { title: 'Installs', unit: 'installs per observation step' },
  share: { title: 'Share of population', unit: '%', percent: true },
};

export function metricInfo(metric: string): { title: string; unit: string; percent: boolean } {
  const m = METRICS[metric];
  if (m) return { title: m.title, unit: m.unit, percent: m.percent ?? false };
  const title = metric.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return { title, unit: '', percent: false };
}

/** "Daily active users (people)". */
export function metricAxisTitle(metric: string): string {
  const m = metricInfo(metric);
  return m.unit ? `${m.title} (${m.unit})` : m.title;
}

// ---------------------------------------------------------------------------------------------
// Shared config and the source note

export const BASE_CONFIG: Config = {
  font: FONT_STACK,
  background: 'white',
  padding: 12,
  title: { fontSize: 17, subtitleFontSize: 12.5, subtitleColor: '#555', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, symbolSize: 90, labelLimit: 220 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: '#ddd' },
  text: { font: FONT_STACK },
};

export interface ChartFrame {
  title: string;
  subtitle?: string | string[];
  /** Provenance, printed under the chart. Required: every chart says where its numbers come from. */
  note: string;
  /** Width of the note block in pixels, normally the chart's plotting width. */
  width: number;
}

/** Break a note into lines of about `width` pixels (DejaVu Sans 10.5 px ≈ 6.2 px per char). */
export function wrapNote(note: string, width: number, charPx = 6.2): string[] {
  const max = Math.max(30, Math.floor(width / charPx));
  const lines: string[] = [];
  for (const para of note.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > max) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Wrap a chart body into a top-level spec: title (and subtitle) above, the source note as a
 * text view below (a vconcat, so it works for layered, faceted and concatenated bodies alike).
 */
export function finishChart(body: NonNormalizedSpec, frame: ChartFrame): TopLevelSpec {
  if (!frame.note.trim()) throw new Error(`chart "${frame.title}": a source note is required`);
  const lines = wrapNote(`Source: ${frame.note.trim()}`, frame.width);
  const lineHeight = 14;
  const noteView: NonNormalizedSpec = {
    name: 'source_note',
    width: frame.width,
    height: lines.length * lineHeight,
    data: { values: [{ lines }] },
    mark: {
      type: 'text',
      align: 'left',
      baseline: 'top',
      fontSize: 10.5,
      color: '#555',
      lineHeight,
      x: 0,
      y: 0,
    },
    encoding: { text: { field: 'lines', type: 'nominal' } },
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: frame.subtitle ? { text: frame.title, subtitle: frame.subtitle } : { text: frame.title },
    config: { ...BASE_CONFIG, concat: { spacing: 14 } },
    vconcat: [body, noteView],
  } as TopLevelSpec;
}
