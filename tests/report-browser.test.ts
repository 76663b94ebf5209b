// Opens the HTML report in headless Chromium, offline, and checks that vega-embed drew every
// chart without console errors. Skipped (with a message) only when no Chromium is installed;
// CI installs Debian's `chromium`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { buildReportHtml, type ReportInput } from '../src/charts/report.ts';
import { reportInput } from './fixtures/charts/report-input.ts';
import * as fx from './fixtures/charts/fixtures.ts';
import { crossvalChart } from '../src/charts/crossval.ts';
import { overviewCharts } from '../src/charts/assemble.ts';
import { CALIBRATED_PARAMS } from '../src/api.ts';
import type { FitRow } from '../src/charts/types.ts';
import { parseCsv } from '../src/scenarios/csv.ts';
import { loadScenario } from '../src/scenarios/load.ts';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const chromium = CANDIDATES.find((p): p is string => !!p && existsSync(p));
if (!chromium)
  console.warn('report-browser.test.ts: SKIPPED — no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH).');

const TIMEOUT_MS = 60_000;
const tmp = mkdtempSync(join(tmpdir(), 'exodus-report-browser-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface BrowserRun {
  dom: string;
  stderr: string;
  /** Console messages Chromium logged ("INFO:CONSOLE" lines). */
  console: string[];
}

function openInChromium(html: string, name: string, extra: string[]): BrowserRun {
  const file = join(tmp, `${name}.html`);
  writeFileSync(file, html);
  const res = spawnSync(
    chromium!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${join(tmp, `profile-${name}`)}`,
      '--enable-logging=stderr',
      '--v=0',
      // Lets the page's promises (font loading, vega-embed) settle before dumping/screenshotting.
      '--virtual-time-budget=20000',
      ...extra,
      pathToFileURL(file).href,
    ],
    { encoding: 'utf8', timeout: TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
  );
  if (res.error) throw res.error;
  const stderr = res.stderr ?? '';
  return { dom: res.stdout ?? '', stderr, console: stderr.split('\n').filter((l) => l.includes(':CONSOLE')) };
}

// Test-only probe: once the charts are drawn, hover the first point mark and record what the
// tooltip element (vega-tooltip, bundled in vega-embed) shows.
const TOOLTIP_PROBE = `<script>
(function poll() {
  if (document.body.getAttribute('data-charts-done') !== 'true') return setTimeout(poll, 50);
  var el = document.querySelector('g.mark-symbol path');
  if (!el) return document.body.setAttribute('data-tooltip', 'no point mark');
  var r = el.getBoundingClientRect();
  var at = { bubbles: true, clientX: r.x + r.width / 2, clientY: r.y + r.height / 2, pointerType: 'mouse' };
  el.dispatchEvent(new PointerEvent('pointermove', at));
  el.dispatchEvent(new MouseEvent('mousemove', at));
  setTimeout(function () {
    var tt = document.getElementById('vg-tooltip-element');
    document.body.setAttribute('data-tooltip', tt ? tt.className + '|' + tt.textContent.slice(0, 300) : 'none');
  }, 300);
})();
</script>`;

function withProbe(html: string): string {
  const i = html.lastIndexOf('</body>');
  return html.slice(0, i) + TOOLTIP_PROBE + html.slice(i);
}

// Test-only probe: once the charts are drawn, record how wide the page and the widest chart are
// against the window (a horizontal scrollbar, on the page or inside a chart's box).
const WIDTH_PROBE = `<script>
(function poll() {
  if (document.body.getAttribute('data-charts-done') !== 'true') return setTimeout(poll, 50);
  var doc = document.documentElement;
  var worst = 0, which = '';
  document.querySelectorAll('.chart-box').forEach(function (box) {
    var over = box.scrollWidth - box.clientWidth;
    if (over > worst) { worst = over; which = box.querySelector('.chart').getAttribute('aria-label'); }
  });
  document.body.setAttribute('data-page-overflow', String(doc.scrollWidth - doc.clientWidth));
  document.body.setAttribute('data-window-width', String(window.innerWidth));
  document.body.setAttribute('data-chart-overflow', String(worst) + '|' + which);
})();
</script>`;

/** The overview charts of the shipped calibration (data/calibrated): the widest the report draws. */
function shippedOverview() {
  const dir = dirname(CALIBRATED_PARAMS);
  const rows: FitRow[] = readdirSync(dir)
    .filter((f) => /^fit-.*\.csv$/.test(f))
    .flatMap((f) => {
      // How each figure is given (counts or percent) comes from its scenario, as in a fit table.
      const as = new Map(loadScenario(f.slice(4, -4)).scenario.figures.map((x) => [x.id, x.as]));
      const [h, ...rs] = parseCsv(readFileSync(join(dir, f), 'utf8'));
      return rs.map((r) => {
        const o = Object.fromEntries(h.map((k, i) => [k, r[i]])) as Record<string, string>;
        return { ...o, as: as.get(o.id), reported: +o.reported, median: +o.median, lo: +o.lo, hi: +o.hi, log10_ratio: +o.log10_ratio, inside: o.inside === 'true' } as unknown as FitRow;
      });
    });
  // Both panels of the fit overview (counts and percentages) are on the page.
  expect(new Set(rows.map((r) => r.as))).toContain('percent');
  return overviewCharts(rows, [], CALIBRATED_PARAMS, 'Model: shipped calibration (test).', {}, true);
}

const attr = (dom: string, name: string) => dom.match(new RegExp(`<body[^>]*\\s${name}="([^"]*)"`))?.[1];
const consoleProblems = (run: BrowserRun) => run.console.filter((l) => /uncaught|error|warn|failed/i.test(l));

describe.skipIf(!chromium)('HTML report in headless Chromium', () => {
  const input = reportInput();
  const total = input.overview.length + input.events.reduce((n, e) => n + e.charts.length, 0);

  it('draws every chart as SVG, with working tooltips and no console errors', { timeout: TIMEOUT_MS + 5_000 }, () => {
    const run = openInChromium(withProbe(buildReportHtml(input)), 'report', ['--dump-dom']);
    expect(attr(run.dom, 'data-charts-done'), `DOM dump did not finish; stderr:\n${run.stderr.slice(-2000)}`).toBe('true');
    expect(attr(run.dom, 'data-charts-total')).toBe(String(total));
    expect(attr(run.dom, 'data-charts-failed')).toBe('0');
    // vega-embed's SVG renderer: one <svg class="marks"> per chart, with drawn marks inside.
    expect(run.dom.match(/<svg[^>]*class="marks"/g)?.length ?? 0).toBeGreaterThanOrEqual(total);
    expect(run.dom).toContain('role-legend');
    expect(run.dom).toContain('Calls restricted in WhatsApp and Telegram');
    const tooltip = attr(run.dom, 'data-tooltip') ?? '';
    expect(tooltip).toMatch(/visible/);
    expect(tooltip).toMatch(/Figure.*Source/);
    expect(consoleProblems(run)).toEqual([]);
  });

  it('takes a screenshot of the rendered page', { timeout: TIMEOUT_MS + 5_000 }, () => {
    const shot = join(tmp, 'report.png');
    openInChromium(buildReportHtml(input), 'shot', [`--screenshot=${shot}`, '--window-size=1200,3000']);
    expect(existsSync(shot)).toBe(true);
    expect(readFileSync(shot).subarray(1, 4).toString('latin1')).toBe('PNG');
    // A page of charts compresses far worse than a blank page (~10 kB).
    expect(statSync(shot).size).toBeGreaterThan(60_000);
  });

  it('opens at 1280 px wide without a horizontal scrollbar, on the page or in any chart', { timeout: TIMEOUT_MS + 5_000 }, () => {
    const wide: ReportInput = { ...input, overview: [...shippedOverview(), ...input.overview] };
    expect(wide.overview.map((c) => c.name)).toEqual(expect.arrayContaining(['fit-overview', 'posterior', 'loss', 'crossval']));
    const html = buildReportHtml(wide);
    const i = html.lastIndexOf('</body>');
    const run = openInChromium(html.slice(0, i) + WIDTH_PROBE + html.slice(i), 'width', ['--dump-dom', '--window-size=1280,900']);
    expect(attr(run.dom, 'data-charts-failed')).toBe('0');
    expect(attr(run.dom, 'data-window-width')).toBe('1280');
    expect(Number(attr(run.dom, 'data-page-overflow'))).toBeLessThanOrEqual(0);
    expect(attr(run.dom, 'data-chart-overflow')).toMatch(/^0\|/);
  });

  it('control: the width probe sees a chart wider than the page', { timeout: TIMEOUT_MS + 5_000 }, () => {
    const tooWide = { name: 'too-wide', title: 'Too wide', spec: crossvalChart({ rows: fx.crossval, source: 'fixture data', width: 1500 }) };
    const html = buildReportHtml({ ...input, events: [], overview: [tooWide] });
    const i = html.lastIndexOf('</body>');
    const run = openInChromium(html.slice(0, i) + WIDTH_PROBE + html.slice(i), 'width-control', ['--dump-dom', '--window-size=1280,900']);
    expect(attr(run.dom, 'data-charts-failed')).toBe('0');
    expect(Number(attr(run.dom, 'data-chart-overflow')?.split('|')[0])).toBeGreaterThan(0);
  });

  it('control: a broken chart is reported as failed and logged (so the checks above can fail)', { timeout: TIMEOUT_MS + 5_000 }, () => {
    const broken: ReportInput = {
      ...input,
      embedFonts: false,
      events: [],
      overview: [
        input.overview[1],
        { name: 'broken', title: 'Broken', spec: { mark: 'point', data: { url: 'missing-file.json' }, encoding: { x: { field: 'a', type: 'quantitative' } } } as TopLevelSpec },
        { name: 'invalid', title: 'Invalid', spec: { layer: 'not a list' } as unknown as TopLevelSpec },
      ],
    };
    const run = openInChromium(buildReportHtml(broken), 'broken', ['--dump-dom']);
    expect(attr(run.dom, 'data-charts-done')).toBe('true');
    expect(Number(attr(run.dom, 'data-charts-failed'))).toBeGreaterThanOrEqual(1);
    expect(consoleProblems(run).length).toBeGreaterThan(0);
  });
});
