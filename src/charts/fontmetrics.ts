// Text widths from the shipped TTF, for Vega's layout in Node.
//
// Without a canvas, Vega guesses every character to be 0.8 em wide, which makes legends and
// concatenated views drift far to the right of the real text that resvg later draws. Vega lets
// a caller replace `textMetrics.width` (vl-convert does the same); we answer with the advance
// widths of the very font resvg renders with, so layout and pixels agree.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shipped font files (DejaVu Sans regular and bold, see assets/fonts/README.md). */
export const FONT_FILES: readonly string[] = [
  fileURLToPath(new URL('../../assets/fonts/DejaVuSans.ttf', import.meta.url)),
  fileURLToPath(new URL('../../assets/fonts/DejaVuSans-Bold.ttf', import.meta.url)),
];

let shipped: { regular: FontMetrics; bold: FontMetrics } | undefined;

/** Width in pixels of `text` in the shipped font: what Vega lays out and resvg draws. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  shipped ??= { regular: loadFontMetrics(FONT_FILES[0]), bold: loadFontMetrics(FONT_FILES[1]) };
  return (bold ? shipped.bold : shipped.regular).width(text, fontSize);
}

export interface FontMetrics {
  /** Advance width of `text` at `fontSize` pixels (no kerning). */
  width(text: string, fontSize: number): number;
}

/** Parse the cmap, head, hhea and hmtx tables of a TrueType font. */
export function loadFontMetrics(path: string): FontMetrics {
  const buf = readFileSync(path);
  const u16 = (o: number) => buf.readUInt16BE(o);
  const u32 = (o: number) => buf.readUInt32BE(o);

  const tables = new Map<string, number>();
  const numTables = u16(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    tables.set(buf.toString('latin1', rec, rec + 4), u32(rec + 8));
  }
  const table = (tag: string) => {
    const off = tables.get(tag);
    if (off === undefined) throw new Error(`${path}: no "${tag}" table`);
    return off;
  };

  const unitsPerEm = u16(table('head') + 18);
  const numberOfHMetrics = u16(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advance = (glyph: number) => u16(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));

  const glyphOf = cmapLookup(buf, table('cmap'));
  const cache = new Map<number, number>();
  const charWidth = (cp: number) => {
    let w = cache.get(cp);
    if (w === undefined) {
      w = advance(glyphOf(cp)) / unitsPerEm;
      cache.set(cp, w);
    }
    return w;
  };

  return {
    width(text: string, fontSize: number): number {
      let em = 0;
      for (const ch of text) em += charWidth(ch.codePointAt(0)!);
      return em * fontSize;
    },
  };
}

/** Code point → glyph id, from a Unicode cmap subtable (format 12 preferred, else 4). */
function cmapLookup(buf: Buffer, cmap: number): (cp: number) => number {
  const u16 = (o: number) => buf.readUInt16BE(o);
  const u32 = (o: number) => buf.readUInt32BE(o);
  let fmt4 = -1;
  let fmt12 = -1;
  for (let i = 0; i < u16(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = u16(rec);
    const encoding = u16(rec + 2);
    const sub = cmap + u32(rec + 4);
    const format = u16(sub);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12 && fmt12 < 0) fmt12 = sub;
    if (format === 4 && fmt4 < 0) fmt4 = sub;
  }

  if (fmt12 >= 0) {
    const n = u32(fmt12 + 12);
    return (cp) => {
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = fmt12 + 16 + 12 * mid;
        if (cp < u32(g)) hi = mid - 1;
        else if (cp > u32(g + 4)) lo = mid + 1;
        else return u32(g + 8) + (cp - u32(g));
      }
      return 0;
    };
  }
  if (fmt4 >= 0) {
    const segX2 = u16(fmt4 + 6);
    const ends = fmt4 + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const ranges = deltas + segX2;
    return (cp) => {
      if (cp > 0xffff) return 0;
      for (let s = 0; s < segX2; s += 2) {
        if (cp > u16(ends + s)) continue;
        const start = u16(starts + s);
        if (cp < start) return 0;
        const delta = u16(deltas + s);
        const rangeOffset = u16(ranges + s);
        if (rangeOffset === 0) return (cp + delta) & 0xffff;
        const g = u16(ranges + s + rangeOffset + 2 * (cp - start));
        return g === 0 ? 0 : (g + delta) & 0xffff;
      }
      return 0;
    };
  }
  throw new Error('no Unicode cmap subtable');
}
