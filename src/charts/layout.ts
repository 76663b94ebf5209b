// Layout decisions derived from the data: which days a time-series chart zooms into, where shock
// labels go so that none overprints another, and where a log axis stops. Pure functions of the
// inputs (no model numbers are tuned here), measured with the shipped font.
import { textWidth } from './fontmetrics.ts';
import { logTicks } from './style.ts';

const DAY = 86_400_000;

export interface Interval {
  start: number;
  end: number;
}

/** What the focus window is chosen from: the shocks and the figures of one chart, in epoch ms. */
export interface FocusInput {
  span: Interval;
  shocks: { start: number; end?: number }[];
  /** Reported figures of the chart's metric: their windows (a single date: start = end). */
  figures: Interval[];
  /** Flows (sign-ups, installs) are spikes: a lone shock is worth a focus even without figures. */
  flow: boolean;
}

/** Events longer than this are not "short": they are drawn on the whole span. */
const SHORT = 14 * DAY;
/** Keys closer than this belong to one cluster (one story). */
const GAP = 7 * DAY;
/** A focus is drawn only when it is at most this share of the whole run. */
const MAX_SHARE = 0.2;

/**
 * The days around the main short shock, or null when the whole span tells the story (long runs of
 * many shocks, or shocks that last). Keys are shock onsets (and ends of short shocks) and the
 * windows of short figures; keys less than a week apart form a cluster; the cluster with the most
 * figures wins (flows: a single cluster wins without figures). The window is padded before (a
 * third of its length, at least 2 days) and after (its length, at least 5 days: the decay), and
 * snapped to whole UTC days.
 */
export function focusWindow(input: FocusInput): Interval | null {
  const { span } = input;
  type Key = Interval & { figure: boolean };
  const keys: Key[] = [];
  for (const s of input.shocks) {
    if (s.start > span.end || (s.end ?? s.start) < span.start) continue;
    const end = s.end !== undefined && s.end - s.start <= SHORT ? s.end : s.start;
    keys.push({ start: s.start, end, figure: false });
  }
  for (const f of input.figures) if (f.end - f.start <= SHORT) keys.push({ ...f, figure: true });
  if (!keys.length) return null;
  keys.sort((a, b) => a.start - b.start);
  const clusters: { start: number; end: number; figures: number; shocks: number }[] = [];
  for (const k of keys) {
    const last = clusters[clusters.length - 1];
    if (last && k.start - last.end <= GAP) {
      last.end = Math.max(last.end, k.end);
      if (k.figure) last.figures++;
      else last.shocks++;
    } else clusters.push({ start: k.start, end: k.end, figures: k.figure ? 1 : 0, shocks: k.figure ? 0 : 1 });
  }
  const withFigures = clusters.filter((c) => c.figures > 0 && c.shocks > 0);
  const candidates = withFigures.length ? withFigures : input.flow && clusters.length === 1 ? clusters : [];
  if (!candidates.length) return null;
  const best = candidates.reduce((a, b) => (b.figures > a.figures ? b : a));
  const len = best.end - best.start;
  const start = Math.max(span.start, floorDay(best.start - Math.max(2 * DAY, len / 3)));
  const end = Math.min(span.end, ceilDay(best.end + Math.max(5 * DAY, len)));
  if (end - start > MAX_SHARE * (span.end - span.start)) return null;
  return { start, end };
}

const floorDay = (t: number) => Math.floor(t / DAY) * DAY;
const ceilDay = (t: number) => Math.ceil(t / DAY) * DAY;

// ---------------------------------------------------------------------------------------------

export interface LabelItem {
  /** Pixel position of the label's anchor (the shock's onset) along the x axis. */
  x: number;
  /** Texts to try, longest first, e.g. [full label, short label]. */
  texts: string[];
}

export interface PlacedLabel {
  text: string;
  /** 0 = next to the plot, 1 = above it, ... */
  lane: number;
  /** Left or right of the anchor (right-aligned when the text would run past the plot). */
  align: 'left' | 'right';
}

export const LABEL_FONT_SIZE = 10.5;
const LABEL_PAD = 3; // dx from the onset line
const LABEL_GAP = 8; // between two labels in one lane

/**
 * Put labels above a plot in at most `maxLanes` lanes, so that no two overlap and none runs past
 * [0, width]. Left to right, each label takes the first of its texts (longest first) that fits in
 * the lowest lane, right of its anchor or else left of it; returns null when some label fits
 * nowhere (the caller then numbers the shocks and prints a key).
 */
export function placeLabels(items: LabelItem[], width: number, maxLanes = 4, fontSize = LABEL_FONT_SIZE): PlacedLabel[] | null {
  // All full texts; then the shorter ones only where the full one does not fit; then all short.
  const attempts = [items.map((i) => ({ ...i, texts: i.texts.slice(0, 1) })), items, items.map((i) => ({ ...i, texts: i.texts.slice(-1) }))];
  for (const attempt of attempts) {
    const placed = greedy(attempt, width, maxLanes, fontSize);
    if (placed) return placed;
  }
  return null;
}

function greedy(items: LabelItem[], width: number, maxLanes: number, fontSize: number): PlacedLabel[] | null {
  const order = items.map((_, i) => i).sort((a, b) => items[a].x - items[b].x);
  const lanes: { x0: number; x1: number }[][] = Array.from({ length: maxLanes }, () => []);
  const out: PlacedLabel[] = new Array(items.length);
  for (const i of order) {
    const { x, texts } = items[i];
    let placed = false;
    for (const text of texts) {
      const w = textWidth(text, fontSize);
      const options = [
        { x0: x + LABEL_PAD, x1: x + LABEL_PAD + w, align: 'left' as const },
        { x0: x - LABEL_PAD - w, x1: x - LABEL_PAD, align: 'right' as const },
      ].filter((o) => o.x0 >= 0 && o.x1 <= width);
      for (let lane = 0; lane < maxLanes && !placed; lane++)
        for (const o of options)
          if (lanes[lane].every((b) => o.x1 + LABEL_GAP <= b.x0 || o.x0 >= b.x1 + LABEL_GAP)) {
            lanes[lane].push(o);
            out[i] = { text, lane, align: o.align };
            placed = true;
            break;
          }
      if (placed) break;
    }
    if (!placed) return null;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/**
 * Domain of a log axis that stops near the data: from the largest 1-2-5 step at or below the
 * smallest positive value to the smallest at or above the largest (not the next power of ten).
 */
export function logDomain(values: number[]): [number, number] {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!pos.length) return [1, 10];
  const lo = Math.min(...pos);
  const hi = Math.max(...pos);
  const below = (v: number) => {
    const e = Math.floor(Math.log10(v) + 1e-9);
    const m = [5, 2, 1].find((k) => k * 10 ** e <= v * (1 + 1e-9)) ?? 1;
    return m * 10 ** e;
  };
  const above = (v: number) => {
    const e = Math.floor(Math.log10(v) + 1e-9);
    const m = [1, 2, 5, 10].find((k) => k * 10 ** e >= v * (1 - 1e-9)) ?? 10;
    return m * 10 ** e;
  };
  const d0 = below(lo);
  let d1 = above(hi);
  if (d1 <= d0) d1 = d0 * 2;
  return [Number(d0.toPrecision(2)), Number(d1.toPrecision(2))];
}

/** Tick values of a log axis on `domain`: 1-2-5 steps, thinned to 1 per decade over many decades. */
export function logAxisValues(domain: [number, number], heightPx: number): number[] {
  const all = logTicks(domain[0], domain[1]);
  const decades = Math.log10(domain[1] / domain[0]);
  // About 18 px per label keeps them apart; fall back to powers of ten (and then every other).
  if (all.length * 18 <= heightPx) return all;
  const tens = all.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
  if (tens.length * 18 <= heightPx || decades < 2) return tens;
  return tens.filter((_, i) => i % 2 === 0);
}
