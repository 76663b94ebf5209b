// Do a chart's labels fit? Lays the chart out with Vega headless (measuring text with the shipped
// font, as the PNG is drawn) and checks every visible text mark: no two overlap, none is cut short
// by a limit (Vega truncates with "…"), and no text of the chart's own marks sits on a rule line.
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compileSpec, useShippedFontMetrics } from './render.ts';
import { textWidth } from './fontmetrics.ts';

type Pt = [number, number];

interface SceneItem {
  x?: number;
  y?: number;
  x2?: number;
  y2?: number;
  text?: string | string[];
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
  opacity?: number;
  angle?: number;
  items?: SceneMark[];
}
interface SceneMark {
  marktype: string;
  role?: string;
  items: SceneItem[];
}

export interface TextBox {
  text: string;
  role: string;
  /** Corners in chart pixels, in order around the box. */
  corners: Pt[];
}

const Marks = (vega as unknown as { Marks: Record<string, { bound: (b: unknown, item: SceneItem, mode: number) => number[] }> }).Marks;
const Bounds = (vega as unknown as { Bounds: new () => unknown }).Bounds;

const lines = (t: SceneItem['text']) => (Array.isArray(t) ? t.map(String) : t == null ? [] : String(t).split('\n'));

/** The chart's scene after layout: visible text boxes and the rule segments of its marks. */
export async function chartScene(spec: TopLevelSpec): Promise<{ texts: (TextBox & { item: SceneItem })[]; rules: [Pt, Pt][] }> {
  useShippedFontMetrics();
  const view = new vega.View(vega.parse(compileSpec(spec).vega), { renderer: 'none' });
  try {
    await view.runAsync();
    const texts: (TextBox & { item: SceneItem })[] = [];
    const rules: [Pt, Pt][] = [];
    const visitMark = (mark: SceneMark, ox: number, oy: number) => {
      for (const item of mark.items ?? []) {
        if (mark.marktype === 'group') {
          const gx = ox + (item.x ?? 0);
          const gy = oy + (item.y ?? 0);
          for (const m of item.items ?? []) visitMark(m, gx, gy);
        } else if (mark.marktype === 'text') {
          const text = lines(item.text).join('\n').trim();
          if (!text || item.opacity === 0 || (item.fontSize ?? 11) <= 0) continue;
          const p = Marks.text.bound(new Bounds(), { ...item, angle: item.angle ?? 0 }, 2);
          const corners: Pt[] = [0, 2, 3, 1].map((k) => [p[2 * k] + ox, p[2 * k + 1] + oy]);
          texts.push({ text, role: mark.role ?? '', corners, item });
        } else if (mark.marktype === 'rule' && mark.role === 'mark' && item.opacity !== 0) {
          const x = (item.x ?? 0) + ox;
          const y = (item.y ?? 0) + oy;
          rules.push([
            [x, y],
            [(item.x2 ?? item.x ?? 0) + ox, (item.y2 ?? item.y ?? 0) + oy],
          ]);
        }
      }
    };
    visitMark((view.scenegraph() as unknown as { root: SceneMark }).root, 0, 0);
    return { texts, rules };
  } finally {
    view.finalize();
  }
}

/** Shrink a box towards its centre by `d` pixels (boxes that merely touch do not overlap). */
function shrink(c: Pt[], d: number): Pt[] {
  const cx = c.reduce((s, p) => s + p[0], 0) / c.length;
  const cy = c.reduce((s, p) => s + p[1], 0) / c.length;
  return c.map(([x, y]) => {
    const dx = x - cx;
    const dy = y - cy;
    const len = Math.hypot(dx, dy) || 1;
    const k = Math.max(0, len - d) / len;
    return [cx + dx * k, cy + dy * k];
  });
}

/** Separating-axis test of two convex polygons. */
function polygonsOverlap(a: Pt[], b: Pt[]): boolean {
  for (const poly of [a, b])
    for (let i = 0; i < poly.length; i++) {
      const [x1, y1] = poly[i];
      const [x2, y2] = poly[(i + 1) % poly.length];
      const nx = y2 - y1;
      const ny = x1 - x2;
      const pa = a.map(([x, y]) => nx * x + ny * y);
      const pb = b.map(([x, y]) => nx * x + ny * y);
      if (Math.max(...pa) <= Math.min(...pb) || Math.max(...pb) <= Math.min(...pa)) return false;
    }
  return true;
}

function segmentHitsPolygon(s: [Pt, Pt], poly: Pt[]): boolean {
  const [p, q] = s;
  const len = Math.hypot(q[0] - p[0], q[1] - p[1]);
  const n = Math.max(2, Math.ceil(len / 2));
  for (let i = 0; i <= n; i++) {
    const x = p[0] + ((q[0] - p[0]) * i) / n;
    const y = p[1] + ((q[1] - p[1]) * i) / n;
    if (polygonsOverlap([[x - 0.5, y - 0.5], [x + 0.5, y - 0.5], [x + 0.5, y + 0.5], [x - 0.5, y + 0.5]], poly)) return true;
  }
  return false;
}

/**
 * Problems with a chart's labels, one readable line each (empty: every label fits): two texts
 * overlapping, a text truncated by its limit, a label of the chart's marks sitting on a rule.
 */
export async function labelProblems(spec: TopLevelSpec): Promise<string[]> {
  const { texts, rules } = await chartScene(spec);
  const out: string[] = [];
  const boxes = texts.map((t) => ({ ...t, inner: shrink(t.corners, 1) }));
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (polygonsOverlap(boxes[i].inner, boxes[j].inner)) out.push(`"${boxes[i].text}" (${boxes[i].role}) overlaps "${boxes[j].text}" (${boxes[j].role})`);
  for (const t of texts) {
    const { limit, fontSize = 11, fontWeight } = t.item;
    if (!limit || limit <= 0) continue;
    const bold = fontWeight === 'bold' || Number(fontWeight) >= 600;
    const widest = Math.max(...lines(t.item.text).map((l) => textWidth(l.trim(), fontSize, bold)));
    if (widest > limit + 0.5) out.push(`"${t.text}" (${t.role}) is cut at ${limit} px (needs ${Math.ceil(widest)} px)`);
  }
  for (const t of boxes.filter((b) => b.role === 'mark'))
    for (const r of rules) if (segmentHitsPolygon(r, t.inner)) out.push(`"${t.text}" sits on a rule line`);
  return out;
}
