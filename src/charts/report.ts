// The HTML report: ONE self-contained file (Vega, Vega-Lite, vega-embed and, by default, the
// font inlined), so it opens offline and can be archived next to the run that produced it.
// Also writeChartFiles, the static twin of a chart: .vl.json, .svg and .png.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { FigurePoint, FitRow } from './types.ts';
import { FONT_FILES, renderPng, renderSvg } from './render.ts';
import { appLabel, durationText, FONT_FAMILY, FONT_STACK, formatCount, metricInfo } from './style.ts';
import { unitKind } from './fit.ts';
import { dayText } from './timeseries.ts';
import { toUtcMs } from './time.ts';
import { createHash } from 'node:crypto';

export interface ReportChart {
  /** Id-safe name, e.g. "russia-dau". */
  name: string;
  title: string;
  spec: TopLevelSpec;
  /** Optional sentence under the chart. */
  caption?: string;
}

export interface ReportEvent {
  name: string;
  title: string;
  /** Plain text; blank lines separate paragraphs. */
  narrative: string;
  fitRows: FitRow[];
  figures: FigurePoint[];
  charts: ReportChart[];
}

export interface ReportInput {
  title: string;
  /** ISO timestamp of the run. */
  generatedAt: string;
  /** The run manifest (versions, seeds, inputs, hashes), shown as JSON. */
  manifest: Record<string, unknown>;
  /** Plain-text introduction above the overview. */
  intro?: string;
  events: ReportEvent[];
  /** Charts across events: fit overview, cross-validation, calibration. */
  overview: ReportChart[];
  /** Plain-text paragraphs under the overview's charts (e.g. which command makes a missing chart). */
  overviewNotes?: string[];
  /** Inline the DejaVu Sans files (≈2 MB) so the browser draws what the PNGs show. Default true. */
  embedFonts?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Escaping

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** JSON safe inside <script>: no "</script>", no "<!--", no raw line separators. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Library code safe inside <script> (the bundles contain no "</script" today; stay safe if they do). */
function scriptCode(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Only http(s) links are made clickable; anything else is shown as text. */
function safeUrl(url: string): string | null {
  return /^https?:\/\//i.test(url) ? url : null;
}

// ---------------------------------------------------------------------------------------------
// Browser bundles, read from node_modules when the report is built

/** The UMD builds, in load order: vega-lite needs the global `vega`, vega-embed both. */
const BUNDLES = [
  { pkg: 'vega', file: 'vega.min.js' },
  { pkg: 'vega-lite', file: 'vega-lite.min.js' },
  // vega-embed's UMD build bundles vega-tooltip, its tooltip handler.
  { pkg: 'vega-embed', file: 'vega-embed.min.js' },
];

let bundleCache: string[] | undefined;

function browserBundles(): string[] {
  if (bundleCache) return bundleCache;
  const require = createRequire(import.meta.url);
  bundleCache = BUNDLES.map(({ pkg, file }) => {
    // Each package's main entry lives in build/, next to its browser bundle (subpaths are not exported).
    const path = join(dirname(require.resolve(pkg)), file);
    if (!existsSync(path)) throw new Error(`report: ${pkg} browser bundle not found at ${path}`);
    return readFileSync(path, 'utf8');
  });
  return bundleCache;
}

function fontFaceCss(): string {
  const faces = [
    { file: FONT_FILES[0], weight: 'normal' },
    { file: FONT_FILES[1], weight: 'bold' },
  ];
  return faces
    .map(
      ({ file, weight }) =>
        `@font-face{font-family:"${FONT_FAMILY}";font-weight:${weight};font-style:normal;` +
        `src:url(data:font/ttf;base64,${readFileSync(file).toString('base64')}) format("truetype");}`,
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Page parts

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('\n');
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

function sourceLink(f: FigurePoint | undefined): string {
  if (!f) return '–';
  const url = safeUrl(f.url);
  return url
    ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${escapeHtml(f.source)}</a>`
    : escapeHtml(f.source);
}

const DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A figure's date as a reader says it: "4 Sep 2025" (a day), "Sep 2025" (a month), "4–10 Sep 2025"
 * (whole days, end inclusive), "13 Mar 2019 16:00 UTC + 24 h" (a window starting at a time).
 */
export function figureDateText(date: string, dateEnd?: string): string {
  const t0 = toUtcMs(date);
  if (!dateEnd) return /^\d{4}-\d{2}$/.test(date) ? `${MONTHS[new Date(t0).getUTCMonth()]} ${date.slice(0, 4)}` : dayText(t0);
  const t1 = toUtcMs(dateEnd);
  const a = new Date(t0);
  const b = new Date(t1);
  const midnight = (d: Date) => d.getUTCHours() === 0 && d.getUTCMinutes() === 0;
  if (!midnight(a) || !midnight(b)) return `${dayText(t0)} UTC + ${durationText(t1 - t0)}`;
  if (a.getUTCDate() === 1 && b.getUTCDate() === 1 && ((b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth()) === 1)
    return `${MONTHS[a.getUTCMonth()]} ${a.getUTCFullYear()}`;
  if (t1 - t0 === DAY) return dayText(t0);
  const last = new Date(t1 - DAY);
  if (a.getUTCFullYear() !== last.getUTCFullYear()) return `${dayText(t0)} – ${dayText(t1 - DAY)}`;
  if (a.getUTCMonth() !== last.getUTCMonth()) return `${a.getUTCDate()} ${MONTHS[a.getUTCMonth()]} – ${dayText(t1 - DAY)}`;
  return `${a.getUTCDate()}–${dayText(t1 - DAY)}`;
}

/** The unit a fit-table row is counted in: "%" for percentages, else the metric's own unit. */
export function fitUnit(r: Pick<FitRow, 'metric' | 'as' | 'unit'>): string {
  if (unitKind(r) === 'percent') return '%';
  return metricInfo(r.metric).unit || 'people';
}

/** The fit table: one row per reported figure, model beside it, with the unit of each row. */
export function fitTableHtml(rows: FitRow[], figures: FigurePoint[]): string {
  const byId = new Map(figures.map((f) => [f.id, f]));
  const seen = new Set(rows.map((r) => r.id));
  const head =
    '<tr><th>Figure</th><th>Date</th><th>App</th><th>Metric</th><th>Geography</th><th>Source</th><th>Unit</th>' +
    '<th class="num">Reported</th><th class="num">Model median [90%]</th><th class="num">Model / reported</th><th>Inside</th></tr>';
  const body = rows.map((r) => {
    const f = byId.get(r.id);
    const unit = fitUnit({ metric: r.metric, as: r.as, unit: r.unit });
    const v = (x: number) => (unit === '%' ? `${Number(x.toPrecision(3))}%` : formatCount(x));
    // The comparison's own ratio (1 inside a reported range), so the table agrees with `compare`.
    const ratio = Number.isFinite(r.log10_ratio) ? 10 ** r.log10_ratio : NaN;
    // Green when the band covers the figure; red only when it misses and is off by more than ×2.
    const cls = r.inside ? 'ok' : Math.abs(r.log10_ratio) > Math.log10(2) ? 'off' : '';
    const reported =
      f?.reportedLo !== undefined && f?.reportedHi !== undefined
        ? `${v(r.reported)}<br><small>${v(f.reportedLo)} – ${v(f.reportedHi)}</small>`
        : v(r.reported);
    return (
      `<tr class="${r.inside ? 'inside' : 'outside'}">` +
      `<td><code>${escapeHtml(r.id)}</code>${f ? `<br><small>${escapeHtml(f.label)}</small>` : ''}</td>` +
      `<td>${escapeHtml(figureDateText(r.date, f?.dateEnd))}</td><td>${escapeHtml(appLabel(r.platform))}</td><td>${escapeHtml(r.metric)}</td>` +
      `<td>${escapeHtml(r.geography)}</td><td>${sourceLink(f)}</td><td>${escapeHtml(unit)}</td>` +
      `<td class="num">${reported}</td>` +
      `<td class="num">${v(r.median)} [${v(r.lo)}–${v(r.hi)}]</td>` +
      `<td class="num${cls ? ` ${cls}` : ''}">${Number.isFinite(ratio) ? `×${ratio.toPrecision(3)}` : '–'}</td>` +
      `<td class="flag">${r.inside ? '✓ yes' : '✗ no'}</td></tr>`
    );
  });
  // Figures the comparison did not cover still belong in the table, visibly without a model value.
  for (const f of figures.filter((f) => !seen.has(f.id)))
    body.push(
      `<tr class="nomodel"><td><code>${escapeHtml(f.id)}</code><br><small>${escapeHtml(f.label)}</small></td>` +
        `<td>${escapeHtml(figureDateText(f.date, f.dateEnd))}</td><td>${escapeHtml(appLabel(f.platform))}</td>` +
        `<td>${escapeHtml(f.metric)}</td><td>${escapeHtml(f.geography)}</td><td>${sourceLink(f)}</td><td>${escapeHtml(f.unit)}</td>` +
        `<td class="num">${formatCount(f.reported)}</td><td class="num">–</td><td class="num">–</td><td class="flag">not compared</td></tr>`,
    );
  const inside = rows.filter((r) => r.inside).length;
  return (
    `<table class="fit"><caption>${rows.length} figures compared, ${inside} inside the model's 90% band. ` +
    `Percentages are of the population or total the figure names; counts are people unless the unit says otherwise.</caption>` +
    `<thead>${head}</thead><tbody>\n${body.join('\n')}\n</tbody></table>`
  );
}

interface Slot {
  id: string;
  chart: ReportChart;
}

function chartHtml(slot: Slot): string {
  // The chart draws its own title; the figure caption only carries an optional extra sentence.
  const cap = slot.chart.caption ? `<figcaption>${escapeHtml(slot.chart.caption)}</figcaption>` : '';
  return (
    `<figure class="chart-box"><div class="chart" id="${slot.id}" role="img" aria-label="${escapeHtml(slot.chart.title)}"></div>` +
    `${cap}</figure>`
  );
}

function sourcesHtml(events: ReportEvent[]): string {
  const bySource = new Map<string, { source: string; url: string; ids: string[] }>();
  for (const e of events)
    for (const f of e.figures) {
      const key = `${f.source}\u0000${f.url}`;
      const entry = bySource.get(key) ?? { source: f.source, url: f.url, ids: [] };
      entry.ids.push(`${e.name}/${f.id}`);
      bySource.set(key, entry);
    }
  const items = [...bySource.values()]
    .sort((a, b) => a.source.localeCompare(b.source))
    .map((s) => {
      const url = safeUrl(s.url);
      const link = url
        ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${escapeHtml(s.source)}</a> <small class="url">${escapeHtml(url)}</small>`
        : `${escapeHtml(s.source)} <small class="url">${escapeHtml(s.url)}</small>`;
      return `<li>${link}<br><small>figures: ${s.ids.map((i) => `<code>${escapeHtml(i)}</code>`).join(', ')}</small></li>`;
    });
  return `<ol class="sources">\n${items.join('\n')}\n</ol>`;
}

const PAGE_MAX_PX = 1180;
const PAGE_PAD_PX = 28;
/** Width of the page column a chart of the report must fit: main's max-width (its padding lies outside). */
export const PAGE_COLUMN_PX = PAGE_MAX_PX;

const CSS = `
:root{--ink:#1d1d1d;--muted:#5b5b5b;--line:#e3e3e3;--ok:#1f7a3a;--off:#b03a2e}
body{font-family:${FONT_STACK};color:var(--ink);margin:0;background:#fafafa;line-height:1.45}
main{max-width:${PAGE_MAX_PX}px;margin:0 auto;padding:24px ${PAGE_PAD_PX}px 60px;background:#fff}
h1{font-size:28px;margin:0 0 4px}h2{font-size:22px;margin:40px 0 8px;border-top:1px solid var(--line);padding-top:24px}
h3{font-size:17px;margin:24px 0 8px}.meta{color:var(--muted);font-size:14px}
nav ul{padding-left:20px;columns:2}
.chart-box{margin:18px 0;overflow-x:auto}.chart-box figcaption{font-size:13px;color:var(--muted);margin-top:4px}
table.fit{border-collapse:collapse;font-size:13px;width:100%;margin:12px 0}
table.fit caption{text-align:left;color:var(--muted);padding:4px 0}
table.fit th,table.fit td{border-bottom:1px solid var(--line);padding:5px 7px;vertical-align:top;text-align:left}
table.fit th{background:#f3f3f3;position:sticky;top:0}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.ok{color:var(--ok)}td.off{color:var(--off);font-weight:bold}
tr.inside td.flag{color:var(--ok)}tr.outside td.flag{color:var(--off)}tr.nomodel{color:var(--muted)}
small{color:var(--muted)}code{font-size:12px}
.sources li{margin-bottom:6px}.url{word-break:break-all}
details pre{background:#f5f5f5;padding:12px;overflow:auto;font-size:12px;max-height:600px}
.chart-error{color:var(--off);font-family:monospace;white-space:pre-wrap}
.overview-note{color:var(--muted);font-size:14px;border-left:3px solid var(--line);padding-left:10px}
#vg-tooltip-element{font-family:${FONT_STACK}}
`;

/**
 * Data shared between the report's charts: every named data set of a spec (and every inline
 * table of more than a few rows) moves into one store, named by a hash of its content, so a
 * table two charts draw is written once. Specs keep `data: { name }` references; the page puts
 * each spec's data sets back (as Vega-Lite's top-level `datasets`) before embedding it.
 */
export function shareData(specs: Record<string, TopLevelSpec>): { specs: Record<string, unknown>; data: Record<string, unknown[]> } {
  const store: Record<string, unknown[]> = {};
  const put = (values: unknown[]) => {
    const json = JSON.stringify(values);
    const name = `d${createHash('sha256').update(json).digest('hex').slice(0, 12)}`;
    store[name] ??= values;
    return name;
  };
  const out: Record<string, unknown> = {};
  for (const [id, spec] of Object.entries(specs)) {
    const { datasets, ...rest } = JSON.parse(JSON.stringify(spec)) as { datasets?: Record<string, unknown[]> };
    const renamed = new Map(Object.entries(datasets ?? {}).map(([n, v]) => [n, put(v)]));
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      const data = o.data as { name?: string; values?: unknown } | undefined;
      if (data && typeof data === 'object' && !Array.isArray(data)) {
        if (typeof data.name === 'string' && renamed.has(data.name)) o.data = { name: renamed.get(data.name) };
        else if (Array.isArray(data.values) && data.values.length > 8 && Object.keys(data).length === 1) o.data = { name: put(data.values) };
      }
      for (const v of Object.values(o)) walk(v);
    };
    walk(rest);
    out[id] = rest;
  }
  return { specs: out, data: store };
}

// Runs in the browser: embed every chart, then mark the body so tests (and people) can tell
// whether all charts were drawn. Errors are shown in place of the chart and logged.
const BOOT = /* js */ `
(function () {
  var specs = JSON.parse(document.getElementById('exodus-specs').textContent);
  var store = JSON.parse(document.getElementById('exodus-data').textContent);
  var ids = Object.keys(specs);
  // Give each spec the shared data sets it names (see shareData).
  ids.forEach(function (id) {
    var used = {};
    (function walk(node) {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      if (node.data && typeof node.data.name === 'string' && store[node.data.name]) used[node.data.name] = store[node.data.name];
      Object.keys(node).forEach(function (k) { walk(node[k]); });
    })(specs[id]);
    if (Object.keys(used).length) specs[id].datasets = used;
  });
  var failed = 0;
  // Vega sizes legends and titles by measuring text: wait for the embedded font first, or
  // it measures the fallback font and clips labels drawn later in DejaVu Sans.
  var fonts = document.fonts && document.fonts.load
    ? Promise.all(['11px "${FONT_FAMILY}"', 'bold 11px "${FONT_FAMILY}"'].map(function (f) {
        return document.fonts.load(f);
      })).catch(function () {})
    : Promise.resolve();
  fonts.then(function () { return Promise.all(ids.map(embed)); }).then(function () {
    document.body.setAttribute('data-charts-total', String(ids.length));
    document.body.setAttribute('data-charts-failed', String(failed));
    document.body.setAttribute('data-charts-done', 'true');
  });
  function embed(id) {
    var el = document.getElementById(id);
    return vegaEmbed(el, specs[id], {
      renderer: 'svg',
      actions: { export: true, source: false, compiled: false, editor: false },
      tooltip: { theme: 'light' }
    }).catch(function (err) {
      failed++;
      el.innerHTML = '<p class="chart-error"></p>';
      el.firstChild.textContent = 'Chart failed to render: ' + (err && err.message ? err.message : err);
      console.error('exodus chart ' + id + ':', err);
    });
  }
})();
`;

/** The complete report as one HTML string (no external scripts, styles, fonts or data). */
export function buildReportHtml(input: ReportInput): string {
  const slots: Slot[] = [];
  const slot = (prefix: string, chart: ReportChart) => {
    const s = { id: `chart-${slug(prefix)}-${slug(chart.name)}-${slots.length}`, chart };
    slots.push(s);
    return chartHtml(s);
  };

  const overview = input.overview.map((c) => slot('overview', c)).join('\n');
  const notes = (input.overviewNotes ?? []).map((n) => `<p class="overview-note">${escapeHtml(n)}</p>`).join('\n');
  const events = input.events
    .map((e) => {
      const charts = e.charts.map((c) => slot(e.name, c)).join('\n');
      return (
        `<section class="event" id="event-${slug(e.name)}"><h2>${escapeHtml(e.title)}</h2>\n` +
        `${paragraphs(e.narrative)}\n${charts}\n<h3>Reported figures against the model</h3>\n${fitTableHtml(e.fitRows, e.figures)}</section>`
      );
    })
    .join('\n');

  const toc = [
    input.overview.length || notes ? '<li><a href="#overview">Overview</a></li>' : '',
    ...input.events.map((e) => `<li><a href="#event-${slug(e.name)}">${escapeHtml(e.title)}</a></li>`),
    '<li><a href="#sources">Sources</a></li>',
    '<li><a href="#manifest">Run manifest</a></li>',
  ].join('');

  const shared = shareData(Object.fromEntries(slots.map((s) => [s.id, s.chart.spec])));
  const fonts = input.embedFonts === false ? '' : fontFaceCss();
  const scripts = browserBundles()
    .map((code, i) => `<script data-lib="${BUNDLES[i].pkg}">${scriptCode(code)}</script>`)
    .join('\n');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="exodus">
<title>${escapeHtml(input.title)}</title>
<style>
${fonts}
${CSS}
</style>
${scripts}
</head>
<body>
<main>
<header><h1>${escapeHtml(input.title)}</h1><p class="meta">Generated ${escapeHtml(input.generatedAt)}</p></header>
${input.intro ? paragraphs(input.intro) : ''}
<nav><ul>${toc}</ul></nav>
${input.overview.length || notes ? `<section id="overview"><h2>Overview</h2>\n${overview}${notes}</section>` : ''}
${events}
<section id="sources"><h2>Sources</h2>\n${sourcesHtml(input.events)}</section>
<section id="manifest"><h2>Run manifest</h2>
<details><summary>Versions, seeds and inputs of this run (JSON)</summary><pre>${escapeHtml(JSON.stringify(input.manifest, null, 2))}</pre></details>
</section>
</main>
<script type="application/json" id="exodus-data">${scriptJson(shared.data)}</script>
<script type="application/json" id="exodus-specs">${scriptJson(shared.specs)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

/** Write the report to `path` (directories created). */
export async function writeReportHtml(path: string, input: ReportInput): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, buildReportHtml(input), 'utf8');
}

/** Write `<name>.vl.json`, `<name>.svg` and `<name>.png` into `dir`; returns their paths. */
export async function writeChartFiles(
  dir: string,
  name: string,
  spec: TopLevelSpec,
  options: { scale?: number } = {},
): Promise<{ json: string; svg: string; png: string }> {
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, `${name}.vl.json`), svg: join(dir, `${name}.svg`), png: join(dir, `${name}.png`) };
  const svg = await renderSvg(spec);
  await writeFile(paths.json, `${JSON.stringify(spec, null, 2)}\n`, 'utf8');
  await writeFile(paths.svg, svg, 'utf8');
  await writeFile(paths.png, renderPng(svg, { scale: options.scale ?? 2 }));
  return paths;
}
