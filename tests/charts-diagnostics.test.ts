// Charts of a calibration's diagnostics (diagnostics.json of `exodus diagnose`, the CSV of
// `exodus sensitivity`) and their place in the report. The files are made in the test through the
// commands' own writers, from mechanisms with a known answer (tests/fixtures/charts/diagnostics.ts):
// the charts must carry exactly the input's data, flag a posterior known to be too narrow, keep
// their labels apart at the real size (every built-in figure, every fitted parameter), fit the
// page, and the report must show them when the files exist and say which command makes them when
// they do not.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { binomialDistribution } from 'simple-statistics';
import { compileSpec, renderSvg, validateSpec } from '../src/charts/render.ts';
import { labelProblems } from '../src/charts/labelfit.ts';
import { binomialRange, centralRanks, COVERAGE_STATUS, coverageRows, identifiabilityChart, priorPredictiveChart, rankBinCount, rankBins, sbcCoverageChart, sbcRankChart } from '../src/charts/diagnostics.ts';
import { sensitivityChart } from '../src/charts/sensitivity.ts';
import { diagnosticsCharts, diagnosticsHint, figureNames, readDiagnostics, readSensitivity, shortFigureLabel, FIGURE_LABEL_PX } from '../src/charts/diagnostics-files.ts';
import { overviewCharts } from '../src/charts/assemble.ts';
import { buildReportHtml, PAGE_COLUMN_PX } from '../src/charts/report.ts';
import { textWidth } from '../src/charts/fontmetrics.ts';
import { InputError } from '../src/scenarios/errors.ts';
import { builtinNames, loadScenario } from '../src/scenarios/load.ts';
import { PARAM_SPECS } from '../src/model/params.ts';
import type { DiagnosticsData, SensitivityRow } from '../src/charts/types.ts';
import { diagnosticsJson, sensitivityCsvText, type DiagnosticsFixture } from './fixtures/charts/diagnostics.ts';

const tmp = mkdtempSync(join(tmpdir(), 'exodus-diag-charts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The real size: every compared figure of the calibrated events, every fitted parameter and unknown.
const events = builtinNames().map((n) => loadScenario(n)).filter((l) => !l.scenario.projection);
const full: DiagnosticsFixture = {
  params: [...PARAM_SPECS.filter((p) => p.fit).map((p) => p.name), ...events.flatMap((l) => l.scenario.fitted.map((f) => `${l.scenario.name}/${f.name}`))],
  figures: events.flatMap((l) => l.scenario.figures.filter((f) => f.role === 'compare').map((f) => ({ event: l.scenario.name, id: f.id }))),
  truths: 100,
};
full.overconfident = [full.params[1], full.params[4]];
// A small one: two events, a few figures, one unknown.
const small: DiagnosticsFixture = {
  params: ['betaReach', 'switchCost', 'womRate', 'ev-a/loudness'],
  overconfident: ['switchCost'],
  figures: [
    { event: 'ev-a', id: 'a-signups' },
    { event: 'ev-a', id: 'a-mau' },
    { event: 'ev-b', id: 'b-dau' },
  ],
  truths: 60,
};

/** A calibration folder: params.json (fitting `params`) and the files named. */
function calibrationDir(name: string, o: DiagnosticsFixture, files: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'params.json'), JSON.stringify({ params: {}, fitted: o.params }));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return join(dir, 'params.json');
}

let fullDiag: DiagnosticsData;
let fullSens: SensitivityRow[];
let smallDiag: DiagnosticsData;
let fullParams: string;
beforeAll(async () => {
  fullParams = calibrationDir('full', full, { 'diagnostics.json': await diagnosticsJson(full), 'sensitivity-morris.csv': sensitivityCsvText(full), 'sensitivity-sobol.csv': sensitivityCsvText(full, 'sobol') });
  fullDiag = readDiagnostics(join(tmp, 'full', 'diagnostics.json'));
  fullSens = readSensitivity(join(tmp, 'full', 'sensitivity-morris.csv'));
  calibrationDir('small', small, { 'diagnostics.json': await diagnosticsJson(small) });
  smallDiag = readDiagnostics(join(tmp, 'small', 'diagnostics.json'));
});

/** The rows a chart draws: inline data of its views (the source note's left out). */
function drawn(spec: TopLevelSpec): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  (function walk(n: unknown) {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.name === 'source_note') return;
    const values = (o.data as { values?: unknown[] } | undefined)?.values;
    if (Array.isArray(values)) out.push(...(values as Record<string, unknown>[]));
    Object.values(o).forEach(walk);
  })(spec);
  return out;
}

const chartsOf = () => diagnosticsCharts(fullParams);

describe('binomial ranges (the grey bands)', () => {
  it('hold at least the level, and lose it when either end is dropped', () => {
    for (const [n, p] of [[100, 0.5], [100, 0.9], [60, 0.1], [10, 0.5], [250, 0.02]] as const) {
      const pmf = binomialDistribution(n, p)!;
      const mass = (a: number, b: number) => pmf.slice(a, b + 1).reduce((s, x) => s + x, 0);
      const [lo, hi] = binomialRange(n, p, 0.99);
      expect(mass(0, lo - 1)).toBeLessThanOrEqual(0.005 + 1e-12);
      expect(mass(hi + 1, n)).toBeLessThanOrEqual(0.005 + 1e-12);
      expect(mass(lo, hi)).toBeGreaterThanOrEqual(0.99 - 1e-9);
      if (lo > 0) expect(mass(0, lo)).toBeGreaterThan(0.005);
      expect(mass(hi, n)).toBeGreaterThan(0.005);
    }
  });

  it('central ranks hold the nominal share of the L + 1 possible ranks, centred', () => {
    expect(centralRanks(99, 0.9)).toEqual({ from: 5, to: 94, share: 0.9 });
    expect(centralRanks(99, 0.5)).toEqual({ from: 25, to: 74, share: 0.5 });
    const c = centralRanks(40, 0.5);
    expect(c.to - c.from + 1).toBe(Math.round(0.5 * 41));
    expect(c.from).toBe(40 - c.to);
  });
});

describe('simulation-based calibration charts', () => {
  it('rank histograms count every test once, in bins that cover 0..L', () => {
    const spec = sbcRankChart({ sbc: fullDiag.sbc, source: 'test' });
    const rows = drawn(spec) as { param: string; count: number; x0: number; x1: number }[];
    const bins = rankBinCount(fullDiag.sbc.truths, fullDiag.sbc.posteriorDraws);
    expect(rows.length).toBe(full.params.length * bins);
    for (const p of new Set(rows.map((r) => r.param))) {
      const rs = rows.filter((r) => r.param === p);
      expect(rs.reduce((s, r) => s + r.count, 0)).toBe(fullDiag.sbc.truths);
      expect(rs[0].x0).toBe(0);
      expect(rs[rs.length - 1].x1).toBe(1);
      rs.slice(1).forEach((r, i) => expect(r.x0).toBeCloseTo(rs[i].x1, 12));
    }
    // Uneven bins (L + 1 = 41 ranks in 4 bins): the expected counts follow the widths.
    const uneven = rankBins([0, 10, 20, 30, 40], 40, 4);
    expect(uneven.reduce((s, b) => s + b.expected, 0)).toBeCloseTo(5, 12);
    expect(uneven.map((b) => b.to - b.from + 1).reduce((a, b) => a + b, 0)).toBe(41);
  });

  it('flags the parameters whose posterior is too narrow: too few true values inside, U-shaped ranks', () => {
    const rows = coverageRows(fullDiag.sbc);
    const narrow = (p: string) => full.overconfident!.includes(p);
    for (const r of rows.filter((x) => narrow(x.param))) expect(r.status).toMatch(/too few/);
    // A calibrated method leaves its range 1% of the time: a few chance excursions at most.
    const calibrated = rows.filter((x) => !narrow(x.param));
    expect(calibrated.filter((r) => r.status !== COVERAGE_STATUS.ok).length).toBeLessThanOrEqual(3);
    for (const p of full.overconfident!) {
      const bins = rankBins(fullDiag.sbc.parameters.find((x) => x.param === p)!.ranks, fullDiag.sbc.posteriorDraws, 10);
      expect(bins[0].count).toBeGreaterThan(bins[0].hi);
      expect(bins[9].count).toBeGreaterThan(bins[9].expected);
    }
  });

  it('counts coverage from the ranks: the shares in the chart are those of the file’s ranks', () => {
    const spec = sbcCoverageChart({ sbc: smallDiag.sbc, source: 'test' });
    const rows = drawn(spec) as { param: string; interval: string; observed: number }[];
    expect(rows.length).toBe(2 * small.params.length);
    for (const p of smallDiag.sbc.parameters) {
      const c = centralRanks(smallDiag.sbc.posteriorDraws, 0.9);
      const k = p.ranks.filter((r) => r >= c.from && r <= c.to).length;
      const name = p.param.includes('/') ? 'loudness (Ev a)' : p.param;
      expect(rows.find((r) => r.param === name && r.interval === '90% intervals')?.observed).toBe(k / smallDiag.sbc.truths);
    }
  });
});

describe('identifiability and prior predictive', () => {
  it('identifiability: one dot per parameter, sorted from best pinned down, the reference at 1', () => {
    const spec = identifiabilityChart({ rows: smallDiag.identifiability, source: 'test' });
    const dots = drawn(spec).filter((r) => 'verdict' in r) as { ratio: number }[];
    expect(dots.length).toBe(2 * small.params.length); // the stems and the dots
    const ratios = dots.slice(0, small.params.length).map((d) => d.ratio);
    expect(ratios).toEqual([...smallDiag.identifiability.map((x) => x.ratio)].sort((a, b) => a - b));
    expect(drawn(spec).some((r) => r.one === 1)).toBe(true);
  });

  it('prior predictive: every figure with a reported value, as multiples of it; zeros at the axis end', () => {
    const spec = priorPredictiveChart({ rows: smallDiag.priorPredictive, source: 'test' });
    const rows = drawn(spec) as { tip_id: string; x0: number; x1: number; zeroShown: number; status: string }[];
    expect(rows.map((r) => r.tip_id).sort()).toEqual(small.figures.map((f) => f.id).sort());
    for (const r of rows) {
      const p = smallDiag.priorPredictive.find((x) => x.id === r.tip_id)!;
      expect(r.status).toBe(p.inside ? 'inside the range' : 'outside the range');
      if (p.lo > 0) expect(r.x0).toBeCloseTo(p.lo / p.reported, 9);
      expect(r.zeroShown).toBe(p.lo > 0 ? 0 : 1);
      expect(r.x1).toBeGreaterThanOrEqual(r.x0);
    }
    const withZero = { ...smallDiag.priorPredictive[0], id: 'zero', reported: 0 };
    const subtitle = (priorPredictiveChart({ rows: [...smallDiag.priorPredictive, withZero], source: 'test' }).title as { subtitle: string[] }).subtitle.join(' ');
    expect(subtitle).toContain('1 with a reported value of zero not shown');
  });
});

describe('sensitivity heatmap', () => {
  it('has one cell per figure x parameter of the file, none for another event’s unknown', () => {
    const spec = sensitivityChart({ rows: fullSens, source: 'test' });
    const cells = drawn(spec) as { tip_id: string; param: string; score: number }[];
    expect(cells.length).toBe(fullSens.length);
    expect(new Set(cells.map((c) => `${c.tip_id}|${c.param}`)).size).toBe(cells.length);
    const shared = full.params.filter((p) => !p.includes('/'));
    for (const f of full.figures) {
      const own = full.params.filter((p) => p.startsWith(`${f.event}/`));
      expect(cells.filter((c) => c.tip_id === f.id).length).toBe(shared.length + own.length);
    }
    // Columns: the shared parameters first, the most influential leftmost, then the unknowns.
    const x = (function find(n: unknown): { scale: { domain: string[] } } | undefined {
      if (!n || typeof n !== 'object') return undefined;
      const o = n as Record<string, unknown>;
      if ((o.axis as { orient?: string } | undefined)?.orient === 'top') return o as never;
      for (const v of Object.values(o)) {
        const hit = find(v);
        if (hit) return hit;
      }
      return undefined;
    })(spec)!;
    const domain = x.scale.domain;
    expect(domain).toHaveLength(full.params.length);
    expect(domain.slice(0, shared.length).sort()).toEqual([...shared].sort());
    const best = (p: string) => Math.max(...fullSens.filter((r) => r.param === p).map((r) => r.muStar!));
    for (let i = 1; i < shared.length; i++) expect(best(domain[i - 1])).toBeGreaterThanOrEqual(best(domain[i]));
  });

  it('Sobol files: colour by the total index, first-order and total with intervals in tooltips', () => {
    const rows = readSensitivity(join(tmp, 'full', 'sensitivity-sobol.csv'));
    const spec = sensitivityChart({ rows, source: 'test' });
    const cells = drawn(spec) as { score: number; tip_total: string }[];
    expect(cells.map((c) => c.score)).toEqual(rows.map((r) => Number(r.total!.toPrecision(4))));
    expect(cells[0].tip_total).toMatch(/^\d\.\d\d \[\d\.\d\d – \d\.\d\d\]$/);
    // The subtitle is wrapped into lines by the chart's width: read it as one text.
    expect(JSON.stringify(spec).replace(/",\s*"/g, ' ')).toContain('total Sobol index');
  });
});

describe('every diagnostics chart at the real size', () => {
  it('validates against the Vega-Lite schema and compiles without warnings', () => {
    const charts = chartsOf();
    expect(charts.map((c) => c.name)).toEqual(['sbc-coverage', 'sbc-ranks', 'identifiability', 'prior-predictive', 'sensitivity-morris', 'sensitivity-sobol']);
    for (const c of charts) {
      expect(validateSpec(c.spec).errors, c.name).toEqual([]);
      expect(compileSpec(c.spec).warnings, c.name).toEqual([]);
    }
  });

  it('fits the report’s page column and keeps every label apart and whole', { timeout: 120_000 }, async () => {
    const problems: string[] = [];
    for (const c of chartsOf()) {
      const width = Number((await renderSvg(c.spec)).match(/<svg[^>]* width="([\d.]+)"/)![1]);
      if (width > PAGE_COLUMN_PX) problems.push(`${c.name}: ${width} px wide, the page column is ${PAGE_COLUMN_PX}`);
      for (const p of await labelProblems(c.spec)) problems.push(`${c.name}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('names figures briefly, uniquely within an event, and no wider than the room for them', () => {
    const names = figureNames(full.figures.map((f) => f.event));
    for (const e of new Set(names.map((n) => n.event))) {
      const own = names.filter((n) => n.event === e).map((n) => n.short);
      expect(new Set(own).size, e).toBe(own.length);
    }
    for (const n of names) expect(textWidth(n.short, 11), n.short).toBeLessThanOrEqual(FIGURE_LABEL_PX + 12);
    expect(shortFigureLabel({ platform: 'telegram', label: 'monthly reach', date: '2020-04' })).toBe('Telegram monthly reach, Apr 2020');
    expect(shortFigureLabel({ platform: 'whatsapp', label: 'users in Russia ("over 100 million")', date: '2026-02-12' })).toBe('WhatsApp users in Russia, 12 Feb 2026');
  });
});

describe('diagnostics files', () => {
  const write = (name: string, text: string) => {
    const f = join(tmp, name);
    writeFileSync(f, text);
    return f;
  };
  const error = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('a bad diagnostics.json is one line naming the file, the field and what was expected', async () => {
    const good = JSON.parse(await diagnosticsJson(small));
    expect(error(() => readDiagnostics(write('a.json', '{"sbc": ')))).toMatch(/a\.json: not valid JSON .*exodus diagnose/);
    const noRanks = structuredClone(good);
    delete noRanks.sbc.parameters[1].ranks;
    expect(error(() => readDiagnostics(write('b.json', JSON.stringify(noRanks))))).toMatch(/b\.json: sbc\.parameters\[1\]\.ranks: /);
    const short = structuredClone(good);
    short.sbc.parameters[0].ranks.pop();
    expect(error(() => readDiagnostics(write('c.json', JSON.stringify(short))))).toMatch(/c\.json: sbc\.parameters\[0\]\.ranks: expected 60 ranks \(sbc\.truths\), got 59/);
    const high = structuredClone(good);
    high.sbc.parameters[2].ranks[3] = 500;
    expect(error(() => readDiagnostics(write('d.json', JSON.stringify(high))))).toMatch(/d\.json: sbc\.parameters\[2\]\.ranks\[3\]: expected a rank from 0 to 99/);
    const share = structuredClone(good);
    share.sbc.coverage90 = 1.5;
    expect(error(() => readDiagnostics(write('e.json', JSON.stringify(share))))).toMatch(/e\.json: sbc\.coverage90: expected a share between 0 and 1/);
    for (const m of [error(() => readDiagnostics(write('f.json', '[]')))]) expect(m.split('\n')).toHaveLength(1);
  });

  it('a bad sensitivity CSV names the file, the row or header and what was expected', () => {
    expect(error(() => readSensitivity(write('s1.csv', 'event,param,mu_star\na,b,1\n')))).toMatch(/s1\.csv: header: expected a column "figure"/);
    expect(error(() => readSensitivity(write('s2.csv', 'event,figure,param\na,f,b\n')))).toMatch(/s2\.csv: header: expected mu_star \(Morris\) or total \(Sobol\)/);
    expect(error(() => readSensitivity(write('s3.csv', 'event,figure,param,mu_star\na,f,b,1\na,g,b,lots\n')))).toMatch(/s3\.csv: row 3\.mu_star: expected a number, got "lots"/);
    expect(error(() => readSensitivity(write('s4.csv', 'event,figure,param,mu_star\na,,b,1\n')))).toMatch(/s4\.csv: row 2\.figure: expected a name/);
  });
});

describe('the report', () => {
  it('adds the charts, each with a caption naming the command, when the files lie beside params.json', () => {
    const charts = overviewCharts([], [], fullParams, 'test', {}, true);
    const diag = charts.filter((c) => c.name.startsWith('sbc') || ['identifiability', 'prior-predictive'].includes(c.name));
    expect(diag).toHaveLength(4);
    for (const c of diag) expect(c.caption).toMatch(/Reproduce: exodus diagnose --params \S*params\.json\./);
    for (const c of charts.filter((x) => x.name.startsWith('sensitivity'))) expect(c.caption).toMatch(/Reproduce: exodus sensitivity --params \S*params\.json/);
    expect(diagnosticsHint(fullParams)).toBeUndefined();
    // Not for a report without the calibration's charts.
    expect(overviewCharts([], [], fullParams, 'test', {}, false)).toEqual([]);
  });

  it('without the files: no charts, and the page says which commands make them', () => {
    const bare = calibrationDir('bare', small, {});
    expect(overviewCharts([], [], bare, 'test', {}, true)).toEqual([]);
    const hint = diagnosticsHint(bare)!;
    expect(hint).toContain(`exodus diagnose --params ${bare}`);
    expect(hint).toContain(`exodus sensitivity --params ${bare}`);
    const html = buildReportHtml({ title: 't', generatedAt: 'now', manifest: {}, events: [], overview: [], overviewNotes: [hint], embedFonts: false });
    expect(html).toContain('<section id="overview">');
    expect(html).toContain(`exodus diagnose --params ${bare}`);
  });

  it('leaves out diagnostics of another calibration (other parameters), and says so', async () => {
    const other = calibrationDir('other', { ...small, params: ['betaReach', 'habit'] }, { 'diagnostics.json': await diagnosticsJson(small), 'sensitivity-morris.csv': sensitivityCsvText(small) });
    expect(diagnosticsCharts(other)).toEqual([]);
    expect(diagnosticsHint(other)).toMatch(/diagnostics\.json is of a calibration with other parameters.*sensitivity-morris\.csv names parameters this calibration does not fit/);
  });
});

describe('exodus report with a calibration’s diagnostics', () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'exodus.mjs');
  const tiny = ['--agents', '800', '--replicates', '2', '--workers', '2'];

  it('charts the sensitivity file it finds and names the command for the missing diagnostics', { timeout: 120_000 }, () => {
    // The demo's own figure and a parameter set of defaults (the runs do not depend on the files).
    const demo: DiagnosticsFixture = { params: ['betaReach', 'switchCost'], figures: [{ event: 'demo', id: loadScenario('demo').scenario.figures[0].id }] };
    const params = calibrationDir('cli', demo, { 'sensitivity-morris.csv': sensitivityCsvText(demo) });
    const out = join(tmp, 'cli-out');
    const r = spawnSync(process.execPath, [bin, 'report', 'demo', '--params', params, '--with-calibration', ...tiny, '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('exodus diagnose --params');
    const files = readdirSync(join(out, 'overview'));
    expect(files).toContain('sensitivity-morris.png');
    expect(files.some((f) => f.startsWith('sbc-'))).toBe(false);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('class="overview-note"');
    expect(html).toContain('Reproduce: exodus sensitivity --params');
  });

  it('stops on a bad diagnostics file before any run: one line, exit 2, nothing written', () => {
    const params = calibrationDir('cli-bad', small, { 'diagnostics.json': '{"sbc": {"truths": "many"}}' });
    const out = join(tmp, 'cli-bad-out');
    const r = spawnSync(process.execPath, [bin, 'report', 'demo', '--params', params, '--with-calibration', ...tiny, '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/diagnostics\.json: sbc\.truths: .*exodus diagnose/);
    expect(existsSync(out)).toBe(false);
  });

  it('documents the diagnostics under --with-calibration', () => {
    expect(execFileSync(process.execPath, [bin, 'report', '--help'], { encoding: 'utf8' })).toMatch(/--with-calibration\s+also chart the calibration[\s\S]*diagnostics\.json and sensitivity-\*\.csv/);
  });
});
