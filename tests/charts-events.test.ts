// The report's charts of every built-in event, from small real runs: they validate, name no
// machine path, every label fits, and each fix of the chart layer holds on real data (window
// totals end at the fit table's value, flows start at the onset, nothing before an app's launch,
// net moves in the matrix). Values are never asserted: the model changes, these properties stay.
import { homedir, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { compileSpec, validateSpec } from '../src/charts/index.ts';
import { labelProblems } from '../src/charts/labelfit.ts';
import { flowCells, shockSpans } from '../src/charts/assemble.ts';
import { netFlows } from '../src/charts/flows.ts';
import { reportInput } from './fixtures/charts/report-input.ts';
import { smallReport, type SmallEvent } from './fixtures/charts/events.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');
let events: SmallEvent[] = [];
let charts: { label: string; spec: TopLevelSpec }[] = [];

beforeAll(async () => {
  const r = await smallReport();
  events = r.events;
  const fixture = reportInput();
  charts = [
    ...r.events.flatMap((e) => e.charts.map((c) => ({ label: `${e.loaded.scenario.name}/${c.name}`, spec: c.spec }))),
    ...r.overview.map((c) => ({ label: `overview/${c.name}`, spec: c.spec })),
    ...[...fixture.overview, ...fixture.events.flatMap((e) => e.charts)].map((c) => ({ label: `fixture/${c.name}`, spec: c.spec })),
  ];
}, 240_000);

/** Every string in a spec. */
function* strings(node: unknown): Generator<string> {
  if (typeof node === 'string') yield node;
  else if (Array.isArray(node)) for (const n of node) yield* strings(n);
  else if (node && typeof node === 'object') for (const v of Object.values(node)) yield* strings(v);
}

const spec = (name: string) => {
  const c = charts.find((x) => x.label === name);
  if (!c) throw new Error(`no chart ${name}; have ${charts.map((x) => x.label).join(', ')}`);
  return c.spec as unknown as { datasets?: Record<string, Record<string, unknown>[]> };
};

/** Titles of the views of a chart (panel titles), flattened. */
const viewTitles = (s: unknown) =>
  [...(function* walk(n: unknown): Generator<string> {
    if (Array.isArray(n)) for (const x of n) yield* walk(x);
    else if (n && typeof n === 'object') {
      const t = (n as { title?: { text?: unknown } }).title;
      if (t && typeof t === 'object' && typeof t.text === 'string') yield t.text;
      for (const v of Object.values(n)) yield* walk(v);
    }
  })(s)];

describe('every chart of the report', () => {
  it('covers every built-in event and the overview (time series, matrix, fit, calibration, cross-validation)', () => {
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (const e of events) expect(e.charts.some((c) => c.name === 'flows')).toBe(true);
    for (const n of ['fit-overview', 'posterior', 'loss', 'crossval']) expect(charts.some((c) => c.label === `overview/${n}`)).toBe(true);
  });

  it('validates against the Vega-Lite schema and compiles without warnings', () => {
    for (const c of charts) {
      expect(validateSpec(c.spec).errors, c.label).toEqual([]);
      expect(compileSpec(c.spec).warnings, c.label).toEqual([]);
    }
  });

  it('names no absolute path (not the folder the project was cloned into, the temp or home folder)', () => {
    const roots = [ROOT, process.cwd(), tmpdir(), homedir()].filter((r) => r.length > 1);
    for (const c of charts)
      for (const s of new Set(strings(c.spec))) {
        for (const r of roots) expect(s.includes(r), `${c.label}: "${s.slice(0, 120)}"`).toBe(false);
        expect(s, c.label).not.toMatch(/(^|[\s"'(:=])(\/(home|work|tmp|root|usr|var|Users|mnt|opt|srv)\/|[A-Za-z]:\\)/);
      }
  });

  it('has labels that fit: no two texts overlap, none is truncated, no mark label on a rule', async () => {
    const problems: string[] = [];
    for (const c of charts) for (const p of await labelProblems(c.spec)) problems.push(`${c.label}: ${p}`);
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('time series on real runs', () => {
  it('window figures: the running total ends at exactly the value the fit table compares', () => {
    let checked = 0;
    for (const e of events)
      for (const c of e.charts) {
        const totals = (c.spec as unknown as { datasets?: Record<string, Record<string, number | string | boolean>[]> }).datasets?.totals;
        if (!totals) continue;
        // The figure points carry the fit table's model band, in people (percent figures converted).
        for (const row of e.figures) {
          const curve = totals.filter((d) => d.fig === row.id && !d.point);
          if (!curve.length) continue;
          const end = curve[curve.length - 1].median as number;
          const model = row.model!.median;
          // Chart data keep 4 significant digits, the fit table 6.
          if (model === 0) expect(end, row.id).toBe(0);
          else expect(end / model, `${e.loaded.scenario.name}/${row.id}`).toBeCloseTo(1, 3);
          checked++;
        }
      }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('zooms into the days around a short shock, and not into a long run of many shocks', () => {
    expect(viewTitles(spec('facebook-outage-2019/signups-world')).some((t) => t.startsWith('Around the shock'))).toBe(true);
    expect(viewTitles(spec('whatsapp-acquisition-2014/signups-all')).some((t) => t.startsWith('Around the shock'))).toBe(true);
    expect(viewTitles(spec('russia-blocks-2024-2026/mau-ru')).some((t) => t.startsWith('Around the shock'))).toBe(false);
  });

  it('counts flows in days from the onset: a bin edge at the outage onset, no bin across it', () => {
    const e = events.find((x) => x.loaded.scenario.name === 'facebook-outage-2019')!;
    const onset = Date.parse(shockSpans(e.loaded)[0].start);
    const series = spec('facebook-outage-2019/signups-world').datasets!.series as { t: number; app: string }[];
    const starts = [...new Set(series.map((d) => d.t))].sort((a, b) => a - b);
    expect(starts).toContain(onset);
    // Each drawn step covers [t, next t): none starts before the onset and ends after it.
    const before = starts.filter((t) => t < onset).pop()!;
    expect(starts[starts.indexOf(before) + 1]).toBe(onset);
  });

  it('draws nothing for an app before its launch date', () => {
    const launch = Date.parse('2025-03-01'); // Max, src/scenarios/events/russia-blocks-2024-2026.yaml
    for (const name of ['russia-blocks-2024-2026/mau-ru', 'russia-blocks-2024-2026/installs-ru']) {
      const series = spec(name).datasets!.series as { t: number; app: string }[];
      const max = series.filter((d) => d.app === 'Max');
      expect(max.length, name).toBeGreaterThan(0);
      expect(Math.min(...max.map((d) => d.t)), name).toBeGreaterThanOrEqual(launch);
    }
  });

  it('stops log axes near the data (not at the next power of ten)', () => {
    let checked = 0;
    for (const e of events)
      for (const c of e.charts) {
        const scales = (compileSpec(c.spec).vega.scales ?? []) as { type?: string; domain?: unknown }[];
        const series = (c.spec as unknown as { datasets?: { series?: { hi: number | null; median: number | null }[] } }).datasets?.series ?? [];
        const top = Math.max(...series.map((d) => d.hi ?? 0));
        for (const sc of scales.filter((s) => s.type === 'log' && Array.isArray(s.domain))) {
          const [, hi] = sc.domain as number[];
          expect(hi / top, `${e.loaded.scenario.name}/${c.name}`).toBeLessThanOrEqual(2.5 + 1e-9);
          checked++;
        }
      }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('migration matrix on real runs', () => {
  it('shows net moves: one direction per pair, gross this way minus gross back', () => {
    for (const e of events) {
      const cells = flowCells(e.loaded.scenario.name, e.results);
      const net = netFlows(cells, e.loaded.scenario.name);
      const gross = new Map(cells.map((c) => [`${c.from}|${c.to}`, c.value]));
      for (const n of net) {
        expect(n.net).toBeGreaterThan(0);
        expect(net.some((m) => m.from === n.to && m.to === n.from), `${n.from}→${n.to} both ways`).toBe(false);
        expect(n.net).toBeCloseTo(n.gross - n.back, 6);
      }
      // The matrix draws exactly these cells.
      const drawn = (JSON.stringify(e.charts.find((c) => c.name === 'flows')!.spec).match(/"net":/g) ?? []).length;
      expect(drawn).toBeGreaterThanOrEqual(net.length);
      expect(gross.size).toBeGreaterThanOrEqual(net.length);
    }
  });
});

describe('charts with posterior draws', () => {
  it('draw the lines and bands over the posterior draws\' runs, as the fit table\'s median', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tinyScenarioText } = await import('./calibrate-fixtures.ts');
    const { loadScenario } = await import('../src/scenarios/load.ts');
    const { runReplicates, comparedFigures } = await import('../src/calibrate/replicates.ts');
    const { fitTableOf } = await import('../src/calibrate/fittable.ts');
    const { observe } = await import('../src/model/observe.ts');
    const { eventBands, eventCharts } = await import('../src/charts/assemble.ts');
    const dir = mkdtempSync(join(tmpdir(), 'exodus-posterior-'));
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, tinyScenarioText());
    const loaded = loadScenario(file);
    const o = { replicates: 3, agents: 1500, seed: 1, workers: 1, useCalibrated: false };
    const draws = [{ params: { considerBase: 0.002 } }, { params: { considerBase: 0.05 } }, { params: { considerBase: 0.01 } }];
    const results = await runReplicates(loaded, { ...o, draws });
    const fit = fitTableOf(loaded, results, { ...o, draws });
    const { bands, charts } = eventCharts(loaded, results, fit, 'test');
    expect(bands).toEqual(eventBands(loaded, results));
    expect(bands.every((b) => b.lo <= b.median && b.median <= b.hi)).toBe(true);
    // The fit table's median of each figure is the median of the three draws' values (the middle one).
    comparedFigures(loaded).forEach(({ obs }, j) => {
      const xs = results.map((r) => observe(r, obs)).sort((a, b) => a - b);
      expect(Math.abs(fit.rows[j].median - xs[1])).toBeLessThanOrEqual(1e-5 * Math.max(1, xs[1]));
    });
    expect(JSON.stringify(charts[0].spec)).toMatch(/posterior draws/);
    rmSync(dir, { recursive: true });
  }, 60_000);
});
