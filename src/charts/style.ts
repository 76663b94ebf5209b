// Shared look of every exodus chart: one colour per app, one font, one number format, and a
// source note under each chart. Builders only describe their marks and call `finishChart`.
import type { Config, TopLevelSpec } from 'vega-lite';
import type { NonNormalizedSpec } from 'vega-lite/types_unstable/spec/index.js';
import { textWidth } from './fontmetrics.ts';

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

// Okabe-Ito's colour-blind-safe set (plus a few of Paul Tol's "muted" colours for apps that never
// share a chart with them), assigned so that the apps of every built-in event stay apart for
// normal vision and under simulated protan-, deutan- and tritanopia (tests/palette.test.ts checks
// CIEDE2000 distances). Brand hues where the palette allows: WhatsApp green, Telegram sky blue,
// Signal blue, Viber purple. Order = legend order.
export const APPS: readonly AppStyle[] = [
  { id: 'whatsapp', label: 'WhatsApp', color: '#009E73' },
  { id: 'telegram', label: 'Telegram', color: '#56B4E9' },
  { id: 'signal', label: 'Signal', color: '#0072B2' },
  { id: 'threema', label: 'Threema', color: '#661100' },
  { id: 'viber', label: 'Viber', color: '#CC79A7' },
  { id: 'imo', label: 'imo', color: '#E69F00' },
  { id: 'max', label: 'Max', color: '#D55E00' },
  { id: 'vk', label: 'VK Messenger', color: '#000000' },
  { id: 'messenger', label: 'Facebook Messenger', color: '#882255' },
  { id: 'instagram', label: 'Instagram', color: '#AA4499' },
  { id: 'discord', label: 'Discord', color: '#332288' },
  { id: 'line', label: 'LINE', color: '#117733' },
  { id: 'sms', label: 'SMS', color: '#999933' },
  { id: 'other', label: 'Other', color: '#BBBBBB' },
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

/**
 * Colours for apps not in APPS (a user's invented apps): Tol's muted colours not used above. An app
 * gets one by a hash of its name, so it keeps its colour on every chart whatever else is drawn.
 */
export const FALLBACK_COLORS = ['#44AA99', '#6699CC', '#CC6677', '#8C564B', '#AA7744', '#117799', '#777777', '#DDAA33'];

function nameHash(s: string): number {
  let h = 2166136261; // FNV-1a
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Fixed colour of an app; unknown apps get a deterministic colour from FALLBACK_COLORS. */
export function appColor(platform: string): string {
  const known = BY_ID.get(appId(platform));
  if (known) return known.color;
  return FALLBACK_COLORS[nameHash(appId(platform)) % FALLBACK_COLORS.length];
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
  return { domain, range: domain.map((l) => appColor(l)) };
}

/** Order of app display names for axes (heatmaps), canonical first. */
export function appOrder(platforms: Iterable<string>): string[] {
  return appColorScale(platforms).domain;
}

/** Events are told apart by Okabe-Ito's colour-blind-safe set (apps keep their own colours). */
export const EVENT_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000', '#999933'];

/** Colour scale over event names in the order given (cycles after eight events). */
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
export const METHOD_COLORS: Record<string, string> = { exodus: '#2F6690', bass: '#A5A5A5', nothing: '#D9C27A' };

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
 * Model metric names (src/model/results.ts) → axis titles with units. Flows (sign-ups, installs)
 * are counted per interval; charts name the interval (flowAxisTitle). Unknown metrics use their name.
 */
export const METRICS: Record<string, { title: string; unit: string; percent?: boolean; flow?: boolean }> = {
  dau: { title: 'Daily active users', unit: 'people' },
  wau: { title: 'Weekly active users', unit: 'people' },
  mau: { title: 'Monthly active users', unit: 'people' },
  active: { title: 'Active users', unit: 'people' },
  installed: { title: 'People with the app installed', unit: 'people' },
  users: { title: 'Registered users', unit: 'people' },
  primary: { title: 'Primary-app users', unit: 'people' },
  signups: { title: 'New sign-ups', unit: 'people', flow: true },
  installs: { title: 'Installs', unit: 'installs', flow: true },
  share: { title: 'Share of population', unit: '%', percent: true },
};

export function metricInfo(metric: string): { title: string; unit: string; percent: boolean; flow: boolean } {
  const m = METRICS[metric];
  if (m) return { title: m.title, unit: m.unit, percent: m.percent ?? false, flow: m.flow ?? false };
  const title = metric.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return { title, unit: '', percent: false, flow: false };
}

/** "Daily active users (people)". */
export function metricAxisTitle(metric: string): string {
  const m = metricInfo(metric);
  return m.unit ? `${m.title} (${m.unit})` : m.title;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A duration in words: "1 h", "6 h", "24 h", "5 days", "1 week", "30 days". */
export function durationText(ms: number): string {
  const h = ms / HOUR_MS;
  if (h < 47.5) return `${Number(h.toPrecision(3))} h`;
  const d = ms / DAY_MS;
  if (Math.abs(d - 7) < 0.01) return '1 week';
  return `${Number(d.toPrecision(3))} days`;
}

/** "per day", "per hour", "per week", "per 2 days": the interval a flow is counted over. */
export function perInterval(ms: number): string {
  if (Math.abs(ms - HOUR_MS) < 1000) return 'per hour';
  if (Math.abs(ms - DAY_MS) < 1000) return 'per day';
  if (Math.abs(ms - 7 * DAY_MS) < 1000) return 'per week';
  return `per ${durationText(ms)}`;
}

/** "New sign-ups per day (people)". */
export function flowAxisTitle(metric: string, intervalMs: number): string {
  const m = metricInfo(metric);
  return `${m.title} ${perInterval(intervalMs)}${m.unit ? ` (${m.unit})` : ''}`;
}

/**
 * A short name of an event for legends and axes where a full title does not fit: its id in
 * words, apps spelled as apps ("whatsapp-acquisition-2014" → "WhatsApp acquisition 2014").
 */
export function shortEventTitle(name: string): string {
  const words = name.replace(/(\d{4})-(\d{4})/g, '$1–$2').split(/[-_\s]+/).filter(Boolean);
  return words
    .map((w, i) => {
      const known = BY_ID.get(appId(w));
      if (known && known.id !== 'other') return known.id === 'vk' ? 'VK' : known.label;
      if (w === 'whatif') return 'what-if';
      return i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w;
    })
    .join(' ');
}

/**
 * How each kind of shock is drawn: a neutral dashed onset line (app colours stay for apps) whose
 * dash pattern is explained in the chart's "Shock" legend.
 */
export const SHOCK_STYLES: readonly { type: string; label: string; dash: number[] }[] = [
  { type: 'outage', label: 'outage', dash: [1.5, 2.5] },
  { type: 'block', label: 'block', dash: [10, 3] },
  { type: 'throttle', label: 'throttling', dash: [7, 3, 1.5, 3] },
  { type: 'trust', label: 'trust / privacy shock', dash: [4, 3] },
  { type: 'promotion', label: 'promotion', dash: [12, 3, 1.5, 3, 1.5, 3] },
  { type: 'announcement', label: 'announcement', dash: [1.5, 6] },
];
export const SHOCK_LINE_COLOR = '#4d4d4d';

/** The style of a shock type (unknown types: a plain dash, their own name). */
export function shockStyle(type: string): { type: string; label: string; dash: number[] } {
  const t = type.toLowerCase();
  return SHOCK_STYLES.find((s) => t.includes(s.type)) ?? { type: t, label: t, dash: [6, 3] };
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
  /**
   * Width the title and subtitle wrap to (default `width`): wider when long axis labels make the
   * chart wider than its plot.
   */
  titleWidth?: number;
  /** Named data sets the body refers to (`data: { name }`): one copy for all its layers. */
  datasets?: Record<string, unknown[]>;
}

/** Break text into lines no wider than `width` pixels in the shipped font (measured, not guessed). */
export function wrapText(text: string, width: number, fontSize: number, bold = false): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (line && textWidth(next, fontSize, bold) > width) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
  }
  return lines;
}

/** Break a note into lines of at most `width` pixels (10.5 px text). */
export function wrapNote(note: string, width: number): string[] {
  return wrapText(note, Math.max(200, width), 10.5);
}

/**
 * Wrap a chart body into a top-level spec: title (and subtitle) above, the source note as a
 * text view below (a vconcat, so it works for layered, faceted and concatenated bodies alike).
 */
export function finishChart(body: NonNormalizedSpec, frame: ChartFrame): TopLevelSpec {
  if (!frame.note.trim()) throw new Error(`chart "${frame.title}": a source note is required`);
  const lines = wrapNote(`Source: ${frame.note.trim()}`, frame.width);
  const wrapWidth = Math.max(frame.titleWidth ?? frame.width, 360);
  const titleLines = wrapText(frame.title, wrapWidth, 17, true);
  const subtitleLines = frame.subtitle ? (Array.isArray(frame.subtitle) ? frame.subtitle : [frame.subtitle]).flatMap((l) => wrapText(l, wrapWidth, 12.5)) : [];
  const one = (l: string[]) => (l.length === 1 ? l[0] : l);
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
    title: subtitleLines.length ? { text: one(titleLines), subtitle: one(subtitleLines) } : { text: one(titleLines) },
    config: { ...BASE_CONFIG, concat: { spacing: 14 } },
    ...(frame.datasets ? { datasets: frame.datasets } : {}),
    vconcat: [body, noteView],
  } as TopLevelSpec;
}
