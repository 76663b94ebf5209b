// Display helpers for the project's notebooks (Deno Jupyter kernel "exodus (Deno, TypeScript)").
//
//   import { showChart, showTable } from './lib/display.ts';
//   await showChart(vegaLiteSpec);          // ALWAYS await: the output must reach Jupyter before the cell ends
//   await showTable(rows, { maxRows: 20 });
//   await print('a line', `another: ${x}`);  // text output; prefer it to console.log (see print)
//
// A chart is sent as one MIME bundle holding
//   - the Vega-Lite spec   (application/vnd.vegalite.v5+json: JupyterLab, Notebook 7, VS Code render it live),
//   - a PNG of it          (image/png, base64: nbconvert's HTML export, GitHub and other static viewers show this),
//   - a one-line text/plain.
// The PNG comes from the project's renderer (src/charts/render.ts: renderSvg + renderPng) when it exists, else
// from a minimal local one (vega headless -> SVG -> @resvg/resvg-js with an explicit TTF, no system fonts).
// A renderer can also be injected with setChartRenderer() or the `renderer` option.
//
// Works outside Jupyter too (Node or `deno run`): chartBundle()/tableBundle() build the bundles without
// displaying; showChart()/showTable() then print the text/plain part.

import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A Vega-Lite (or Vega) specification, as plain JSON. */
export type Spec = Record<string, unknown>;

/** A Jupyter MIME bundle: MIME type -> data (strings, or JSON objects for +json types). */
export type MediaBundle = Record<string, string | object>;

/** What showChart needs to turn a spec into a PNG. Matches src/charts/render.ts. */
export interface ChartRenderer {
  /** SVG text of the chart; receives the spec exactly as passed to showChart (Vega-Lite; or Vega, for an
   * injected renderer). */
  renderSvg(spec: Spec): Promise<string> | string;
  /** PNG bytes of that SVG. */
  renderPng(svg: string, opts?: { scale?: number }): Promise<Uint8Array> | Uint8Array;
}

export interface ShowChartOptions {
  /** Renderer for the PNG fallback; default: setChartRenderer()'s, else src/charts/render.ts, else local. */
  renderer?: ChartRenderer;
  /** Pixel density of the PNG (2 = sharp on high-DPI screens; shown at 1x size via metadata). Default 2. */
  scale?: number;
  /** Which Vega-Lite MIME type to emit. 'v5' (default) is what JupyterLab 4, Notebook 7 and VS Code's
   * renderers know; with 'v5' the spec's $schema is set to the v5 schema so their vega-embed (Vega-Lite 5)
   * does not warn. 'v6' keeps the spec untouched under application/vnd.vegalite.v6+json. */
  vegaLiteMime?: 'v5' | 'v6';
  /** text/plain of the bundle; default "[chart] <title or description>". */
  alt?: string;
  /** Leave out the PNG (interactive frontends only). Default false. */
  noPng?: boolean;
}

export const VEGALITE_V5_MIME = 'application/vnd.vegalite.v5+json';
export const VEGALITE_V6_MIME = 'application/vnd.vegalite.v6+json';
export const VEGA_V5_MIME = 'application/vnd.vega.v5+json';
const VEGALITE_V5_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

// ---------------------------------------------------------------------------------------------------------
// Jupyter plumbing

interface DenoJupyter {
  display(obj: unknown, options?: { raw?: boolean; update?: boolean; display_id?: string }): Promise<void>;
  broadcast(msgType: string, content: Record<string, unknown>): Promise<void> | void;
}

function denoJupyter(): DenoJupyter | undefined {
  // Deno.jupyter exists only inside `deno jupyter`; touching it elsewhere throws.
  try {
    const deno = (globalThis as { Deno?: { jupyter?: DenoJupyter } }).Deno;
    return deno?.jupyter;
  } catch {
    return undefined;
  }
}

/** True when running in the Deno Jupyter kernel. */
export function inJupyter(): boolean {
  return denoJupyter() !== undefined;
}

/**
 * Sends a MIME bundle as a display_data message. With `metadata` (e.g. image sizes) it goes through
 * Deno.jupyter.broadcast, since Deno.jupyter.display always sends empty metadata; otherwise through
 * Deno.jupyter.display(bundle, { raw: true }) (raw is required: without it the object is shown as JSON).
 */
export async function displayBundle(bundle: MediaBundle, metadata?: Record<string, unknown>): Promise<void> {
  const j = denoJupyter();
  if (!j) {
    const text = bundle['text/plain'];
    console.log(typeof text === 'string' ? text : JSON.stringify(bundle, null, 2));
    return;
  }
  if (metadata && Object.keys(metadata).length > 0) {
    await j.broadcast('display_data', { data: bundle, metadata, transient: {} });
  } else {
    await j.display(bundle, { raw: true });
  }
  await settle();
}

/**
 * Milliseconds to wait after each display. Deno's kernel (2.x) resolves Deno.jupyter.display/broadcast when
 * the message is queued, and sends the cell's final "idle" status on another path: the idle can overtake
 * the queued outputs, and nbconvert (or any client) then drops them, so an executed notebook randomly
 * misses its last outputs. Yielding to the event loop for a moment after each display lets the queue drain
 * first. 0 turns it off.
 */
export let SETTLE_MS = 50;

/** Sets SETTLE_MS (see there). */
export function setSettleMs(ms: number): void {
  SETTLE_MS = ms;
}

/** Waits SETTLE_MS on a timer, so the kernel's pending output messages are sent before the cell ends. */
export function settle(ms = SETTLE_MS): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..', '..');

let injected: ChartRenderer | undefined;
let resolved: Promise<ChartRenderer> | undefined;

/** Sets the renderer used by showChart when no `renderer` option is given (undefined: back to the default). */
export function setChartRenderer(renderer: ChartRenderer | undefined): void {
  injected = renderer;
}

function defaultRenderer(): Promise<ChartRenderer> {
  resolved ??= (async () => {
    const projectRenderer = path.join(projectRoot, 'src', 'charts', 'render.ts');
    if (fs.existsSync(projectRenderer)) {
      const mod = (await import(pathToFileURL(projectRenderer).href)) as Partial<ChartRenderer>;
      if (typeof mod.renderSvg === 'function' && typeof mod.renderPng === 'function') {
        return { renderSvg: mod.renderSvg, renderPng: mod.renderPng } as ChartRenderer;
      }
    }
    return localRenderer();
  })();
  return resolved;
}

/** Fonts for the local renderer: the project's assets/fonts/*.ttf|otf, else DejaVu Sans from Debian. */
function fontFiles(): string[] {
  const dir = path.join(projectRoot, 'assets', 'fonts');
  if (fs.existsSync(dir)) {
    const files = fs
      .readdirSync(dir)
      .filter((f) => /\.(ttf|otf)$/i.test(f))
      .sort()
      .map((f) => path.join(dir, f));
    if (files.length > 0) return files;
  }
  const dejavu = '/usr/share/fonts/truetype/dejavu';
  const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf']
    .map((f) => path.join(dejavu, f))
    .filter((f) => fs.existsSync(f));
  if (files.length === 0) {
    throw new Error('no font for PNG rendering: add assets/fonts/*.ttf or install fonts-dejavu-core');
  }
  return files;
}

/** Minimal renderer: Vega-Lite -> Vega (vega-lite), Vega -> SVG (vega, headless), SVG -> PNG (resvg). */
export function localRenderer(opts: { fontFamily?: string } = {}): ChartRenderer {
  return {
    async renderSvg(spec: Spec): Promise<string> {
      const vega = await import('vega');
      const vegaSpec = isVegaSpec(spec) ? spec : (await import('vega-lite')).compile(spec as never).spec;
      const view = new vega.View(vega.parse(vegaSpec as never), { renderer: 'none' });
      try {
        return await view.toSVG();
      } finally {
        view.finalize();
      }
    },
    async renderPng(svg: string, o: { scale?: number } = {}): Promise<Uint8Array> {
      const { Resvg } = await import('@resvg/resvg-js');
      const files = fontFiles();
      const family = opts.fontFamily ?? (files[0]!.includes('DejaVu') ? 'DejaVu Sans' : undefined);
      const resvg = new Resvg(svg, {
        fitTo: { mode: 'zoom', value: o.scale ?? 2 },
        font: {
          fontFiles: files,
          loadSystemFonts: false, // same PNG on every machine
          ...(family ? { defaultFontFamily: family, sansSerifFamily: family } : {}),
        },
      });
      return resvg.render().asPng();
    },
  };
}

function isVegaSpec(spec: Spec): boolean {
  const schema = typeof spec.$schema === 'string' ? spec.$schema : '';
  if (schema.includes('/schema/vega/')) return true;
  if (schema.includes('/schema/vega-lite/')) return false;
  // No $schema: Vega has top-level marks/scales/signals arrays, Vega-Lite has mark/layer/concat/...
  return Array.isArray(spec.marks) && !('mark' in spec);
}

/** Width and height of a PNG from its IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } | undefined {
  if (png.length < 24 || png[0] !== 0x89 || png[1] !== 0x50) return undefined;
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

function chartTitle(spec: Spec): string | undefined {
  const t = spec.title;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.join(' ');
  if (t && typeof t === 'object' && 'text' in t) {
    const text = (t as { text: unknown }).text;
    return Array.isArray(text) ? text.join(' ') : String(text);
  }
  return typeof spec.description === 'string' ? spec.description : undefined;
}

/** Builds a chart's MIME bundle (and display metadata) without displaying it. */
export async function chartBundle(
  spec: Spec,
  opts: ShowChartOptions = {},
): Promise<{ data: MediaBundle; metadata: Record<string, unknown> }> {
  const data: MediaBundle = {};
  const metadata: Record<string, unknown> = {};
  const title = chartTitle(spec);
  if (isVegaSpec(spec)) {
    data[VEGA_V5_MIME] = spec;
  } else if (opts.vegaLiteMime === 'v6') {
    data[VEGALITE_V6_MIME] = spec;
  } else {
    data[VEGALITE_V5_MIME] = { ...spec, $schema: VEGALITE_V5_SCHEMA };
  }
  if (!opts.noPng) {
    // The project's renderSvg takes Vega-Lite only: a Vega spec goes to the local renderer.
    const renderer = opts.renderer ?? injected ?? (isVegaSpec(spec) ? localRenderer() : await defaultRenderer());
    const scale = opts.scale ?? 2;
    const svg = await renderer.renderSvg(spec);
    const png = await renderer.renderPng(svg, { scale });
    data['image/png'] = Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64');
    const size = pngSize(png);
    if (size && scale !== 1) {
      metadata['image/png'] = { width: Math.round(size.width / scale), height: Math.round(size.height / scale) };
    }
  }
  data['text/plain'] = opts.alt ?? `[chart]${title ? ` ${title}` : ''}`;
  return { data, metadata };
}

/** Displays a Vega-Lite (or Vega) chart: live spec + PNG fallback. Await it. */
export async function showChart(spec: Spec, opts: ShowChartOptions = {}): Promise<void> {
  const { data, metadata } = await chartBundle(spec, opts);
  await displayBundle(data, metadata);
}

// ---------------------------------------------------------------------------------------------------------
// Text

/**
 * Prints lines as one output of the cell (text/plain). Await it. Unlike console.log, whose output the
 * Deno kernel forwards asynchronously (so under nbconvert the last lines of a cell are sometimes lost
 * or land in the next cell), an awaited display always arrives, in order. Non-strings are formatted
 * with Deno.inspect / util.inspect style JSON.
 */
export async function print(...lines: unknown[]): Promise<void> {
  const text = lines.map((l) => (typeof l === 'string' ? l : formatValue(l))).join('\n');
  await displayBundle({ 'text/plain': text });
}

function formatValue(v: unknown): string {
  const deno = (globalThis as { Deno?: { inspect?: (v: unknown, o?: object) => string } }).Deno;
  if (deno?.inspect) return deno.inspect(v, { colors: false, depth: 4 });
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tables

export interface ShowTableOptions {
  /** Columns to show, in order; default: keys of the rows, in first-seen order. */
  columns?: string[];
  /** Rows shown; the rest are counted in a footer. Default 50. */
  maxRows?: number;
  /** Significant digits for non-integer numbers. Default 4. */
  digits?: number;
  caption?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function formatCell(v: unknown, digits: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    if (!Number.isFinite(v)) return String(v);
    return Number(v.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 12 });
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Builds a table's MIME bundle (text/html + text/plain) without displaying it. */
export function tableBundle(rows: readonly Record<string, unknown>[], opts: ShowTableOptions = {}): MediaBundle {
  const digits = opts.digits ?? 4;
  const maxRows = opts.maxRows ?? 50;
  const columns = opts.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const shown = rows.slice(0, maxRows);
  const cells = shown.map((r) => columns.map((c) => formatCell(r[c], digits)));
  const numeric = columns.map((c) => shown.length > 0 && shown.every((r) => r[c] == null || typeof r[c] === 'number'));
  const more = rows.length - shown.length;
  const footer = more > 0 ? `… ${more} more row${more === 1 ? '' : 's'} (${rows.length} in all)` : '';

  const align = (i: number) => (numeric[i] ? ' style="text-align:right"' : ' style="text-align:left"');
  const html = [
    '<table>',
    opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : '',
    `<thead><tr>${columns.map((c, i) => `<th${align(i)}>${escapeHtml(c)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...cells.map((row) => `<tr>${row.map((v, i) => `<td${align(i)}>${escapeHtml(v)}</td>`).join('')}</tr>`),
    '</tbody>',
    '</table>',
    footer ? `<p><em>${escapeHtml(footer)}</em></p>` : '',
  ]
    .filter(Boolean)
    .join('\n');

  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const text = [
    opts.caption ?? '',
    columns.map(pad).join('  ').trimEnd(),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((r) => r.map(pad).join('  ').trimEnd()),
    footer,
  ]
    .filter(Boolean)
    .join('\n');

  return { 'text/html': html, 'text/plain': text };
}

/** Displays rows of records as a table (HTML for notebooks, aligned text for plain viewers). Await it. */
export async function showTable(rows: readonly Record<string, unknown>[], opts: ShowTableOptions = {}): Promise<void> {
  await displayBundle(tableBundle(rows, opts));
}
