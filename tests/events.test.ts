// The built-in events (src/scenarios/events/*.yaml): they validate, run at small scale, and every
// reported figure is tied to data/reported-figures.csv and, when scored, to a model metric.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinNames, loadScenario, getPath, pathsOf, EVENTS_DIR } from '../src/scenarios/load.ts';
import { readFigures } from '../src/scenarios/figures.ts';
import { runScenario } from '../src/api.ts';
import { observe } from '../src/model/observe.ts';
import { observation } from '../src/scenarios/compile.ts';
import { STOCK_METRICS, FLOW_METRICS, stockAtObs } from '../src/model/results.ts';
import { parseDate, DAY_MS } from '../src/model/time.ts';
import { PARAM_NAMES } from '../src/model/params.ts';
import { allocateAgents } from '../src/model/population.ts';
import type { RunResult } from '../src/model/results.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The four seed events of issue 3 and the what-if. */
const EVENTS = ['whatsapp-acquisition-2014', 'facebook-outage-2019', 'russia-telegram-block-2018', 'russia-blocks-2024-2026'];
const WHATIF = 'russia-telegram-block-2026-whatif';
const BUILTINS = [...EVENTS, WHATIF];

/** Every app named in the events: each is a platform (id or name) of some built-in scenario. */
const APPS = ['WhatsApp', 'Telegram', 'Threema', 'Signal', 'Viber', 'imo', 'Max', 'VK Messenger', 'Facebook Messenger', 'Instagram', 'Discord', 'LINE', 'SMS'];

const AGENTS = 3000;
const runs = new Map<string, RunResult>();
function run(name: string): RunResult {
  let r = runs.get(name);
  if (!r) {
    r = runScenario(name, { seed: 7, agents: AGENTS, useCalibrated: false });
    runs.set(name, r);
  }
  return r;
}

const csv = readFigures();
const csvById = new Map(csv.map((f) => [f.id, f]));

describe('built-in events: files', () => {
  it('are all found by name', () => {
    expect(builtinNames()).toEqual(expect.arrayContaining(BUILTINS));
  });

  it.each(BUILTINS)('%s validates and points at the published JSON Schema', (name) => {
    const { scenario } = loadScenario(name);
    expect(scenario.name).toBe(name);
    expect(scenario.title.length).toBeGreaterThan(10);
    expect(scenario.description.trim().length).toBeGreaterThan(50);
    const text = readFileSync(join(EVENTS_DIR, `${name}.yaml`), 'utf8');
    expect(text.startsWith('$schema: ../../../data/scenario.schema.json\n')).toBe(true);
  });

  it.each(BUILTINS)('%s sets no behavioural parameters and keeps its fitted quantities few, bounded and with priors', (name) => {
    const { scenario } = loadScenario(name);
    expect(scenario.params).toBeUndefined();
    expect(scenario.fitted.length).toBeLessThanOrEqual(4);
    for (const q of scenario.fitted) {
      // Every per-event unknown has a prior from the facts of its event, and says which.
      if (!scenario.fittedFrom) expect(q.prior, `${name}: ${q.name} needs a prior`).toBeDefined();
      expect(q.doc?.length ?? 0, `${name}: ${q.name} needs a doc with the facts of its prior`).toBeGreaterThan(40);
      expect(PARAM_NAMES).not.toContain(q.name);
      const v = getPath(scenario, pathsOf(q)[0]);
      expect(typeof v).toBe('number');
      expect(v as number).toBeGreaterThanOrEqual(q.min);
      expect(v as number).toBeLessThanOrEqual(q.max);
    }
  });

  it.each(BUILTINS)('%s has an event script src/scenarios/%s.ts', (name) => {
    const file = join(ROOT, 'src', 'scenarios', `${name}.ts`);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain(`runEventScript('${name}')`);
  });

  it('marks the what-if, and only it, as a projection', () => {
    for (const name of EVENTS) expect(loadScenario(name).scenario.projection).toBe(false);
    expect(loadScenario(WHATIF).scenario.projection).toBe(true);
  });

  it('the what-if continues russia-blocks-2024-2026 unchanged and only adds later shocks', () => {
    const base = loadScenario('russia-blocks-2024-2026').scenario;
    const w = loadScenario(WHATIF).scenario;
    expect(w.regions).toEqual(base.regions);
    expect(w.platforms).toEqual(base.platforms);
    expect(w.network).toEqual(base.network);
    expect(w.fitted).toEqual(base.fitted);
    expect(w.agents).toBe(base.agents);
    expect({ ...w.time, end: base.time.end }).toEqual(base.time);
    expect(parseDate(w.time.end)).toBeGreaterThan(parseDate(base.time.end));
    expect(w.shocks.slice(0, base.shocks.length)).toEqual(base.shocks);
    const extra = w.shocks.slice(base.shocks.length);
    expect(extra.length).toBeGreaterThan(0);
    for (const s of extra) expect(parseDate(s.start)).toBeGreaterThanOrEqual(parseDate(base.time.end));
    // A projection is not scored against anything.
    for (const f of w.figures) expect(f.role).toBe('context');
  });

  it('every app named in the events is a platform of some built-in scenario', () => {
    const names = new Set<string>();
    for (const name of BUILTINS) {
      for (const p of loadScenario(name).scenario.platforms) {
        names.add(p.id);
        if (p.name) names.add(p.name);
      }
    }
    for (const app of APPS) expect(names, app).toContain(app);
  });
});

describe('built-in events: reported figures', () => {
  it.each(BUILTINS)('%s refers to figures of data/reported-figures.csv, each with a reading', (name) => {
    const { scenario } = loadScenario(name);
    const own = [name === WHATIF ? 'russia-blocks-2024-2026' : name, 'baseline-germany', 'baseline-global'];
    for (const f of scenario.figures) {
      expect(f.reading?.trim().length ?? 0, `${f.id} needs a reading`).toBeGreaterThan(10);
      if (!f.ref) {
        // A figure restated from a row's notes (a bound, a ratio): it names its source and url, and
        // its reading or the comment names the row; no invented figure.
        expect(f.source?.length ?? 0, f.id).toBeGreaterThan(5);
        expect(f.url ?? '', f.id).toMatch(/^https?:\/\//);
        expect(f.low !== undefined || f.high !== undefined || f.relativeTo !== undefined, `${f.id}: only bounds and ratios may be restated`).toBe(true);
        continue;
      }
      const row = csvById.get(f.id);
      expect(row, f.id).toBeDefined();
      // The event's own rows, or the baselines; never another event's.
      expect(own, f.id).toContain(row!.event_id);
      // Completed from the CSV: source, url, confidence, value (a relative figure states its ratio).
      expect(f.source).toBe(row!.source);
      expect(f.confidence).toBe(row!.confidence);
      if (f.relativeTo && row!.unit.startsWith('%')) expect(f.value as number).toBeCloseTo(1 + row!.value / 100, 9);
      else if (f.relativeTo) expect(f.value as number).toBeGreaterThan(0);
      else expect(f.value).toBe(row!.value);
    }
  });

  it.each(EVENTS)('%s lists every CSV row of its event, as compare or context', (name) => {
    const ids = new Set(loadScenario(name).scenario.figures.map((f) => f.id));
    const rows = csv.filter((r) => r.event_id === name);
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) expect(ids, `${r.id} missing from ${name}.yaml`).toContain(r.id);
  });

  it('keeps every figure with its source, url, date, metric, window, geography and confidence', () => {
    const shared = join(ROOT, '..', 'shared', 'data', 'reported-figures.csv');
    for (const r of csv) {
      for (const k of ['source', 'date', 'metric', 'window', 'geography', 'confidence'] as const) expect(r[k], `${r.id}.${k}`).not.toBe('');
    }
    if (existsSync(shared)) {
      // The project's copy has the same rows as the shared one, plus ids (and possibly extra columns).
      const n = readFileSync(shared, 'utf8').trim().split('\n').length - 1;
      expect(csv.length).toBe(n);
    }
  });

  it.each(EVENTS)('%s scores at least a few figures, each with a metric and a window inside the run', (name) => {
    const { scenario } = loadScenario(name);
    const compare = scenario.figures.filter((f) => f.role === 'compare');
    expect(compare.length).toBeGreaterThanOrEqual(2);
    const T = (parseDate(scenario.time.end) - parseDate(scenario.time.start)) / DAY_MS;
    for (const f of compare) {
      expect(f.metric, f.id).toBeDefined();
      const o = observation(f, scenario);
      expect(o.from, f.id).toBeGreaterThanOrEqual(0);
      expect(o.to, f.id).toBeLessThanOrEqual(T + 1e-9);
      expect(o.to, f.id).toBeGreaterThanOrEqual(o.from);
    }
  });
});

describe('built-in events: runs at small scale', () => {
  it.each(BUILTINS)('%s runs without NaN, negative or impossible values, and conserves people', (name) => {
    const { scenario } = loadScenario(name);
    const res = run(name);
    const K = res.platforms.length;
    const R = res.regions.length;
    const O = res.obsTimes.length;
    expect(res.agents).toBeGreaterThanOrEqual(AGENTS * 0.9);
    // Violations are collected and compared once (an expect per value costs more than the run).
    const bad: string[] = [];
    for (const m of FLOW_METRICS) {
      res.flows[m].forEach((v, i) => {
        if (!(Number.isFinite(v) && v >= 0)) bad.push(`${m}[${i}] = ${v}`);
      });
    }
    for (const m of STOCK_METRICS) {
      for (let o = 0; o < O; o++) {
        for (let r = 0; r < R; r++) {
          let primarySum = 0;
          for (let a = 0; a < K; a++) {
            const v = stockAtObs(res, m, [r], a, o);
            if (!(Number.isFinite(v) && v >= 0 && v <= res.population[r] * (1 + 1e-9))) bad.push(`${m} ${res.platforms[a]} region ${r} obs ${o} = ${v}`);
            if (m === 'primary') primarySum += v;
          }
          // Everyone has at most one main app.
          if (primarySum > res.population[r] * (1 + 1e-9)) bad.push(`primary sum region ${r} obs ${o} = ${primarySum}`);
        }
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    // People are conserved: the change of each app's main users equals the switches into it minus
    // those out of it (newcomers come from "no app").
    const all = res.regions.map((_, r) => r);
    for (let a = 0; a < K; a++) {
      let inflow = 0;
      let outflow = 0;
      for (let from = 0; from <= K; from++) if (from !== a) inflow += res.switches[from * K + a];
      for (let to = 0; to < K; to++) if (to !== a) outflow += res.switches[a * K + to];
      const change = stockAtObs(res, 'primary', all, a, O - 1) - stockAtObs(res, 'primary', all, a, 0);
      expect(change, res.platforms[a]).toBeCloseTo(inflow - outflow, -1);
    }
    // Every app that had users at the start still has someone who ever signed up.
    const counts = allocateAgents(scenario, AGENTS);
    for (const [r, spec] of scenario.regions.entries()) {
      for (const [app, share] of Object.entries(spec.apps)) {
        const active = typeof share === 'number' ? share : share.active;
        if (active * counts[r] < 20) continue; // too few agents to say
        expect(stockAtObs(res, 'users', [r], res.platforms.indexOf(app), O - 1), `${app} in ${spec.id}`).toBeGreaterThan(0);
      }
    }
  });

  it.each(BUILTINS)('%s: observe() gives a finite, non-negative model value for every scored figure', (name) => {
    const { scenario } = loadScenario(name);
    const res = run(name);
    for (const f of scenario.figures.filter((x) => x.role === 'compare')) {
      const v = observe(res, observation(f, scenario));
      expect(Number.isFinite(v), f.id).toBe(true);
      expect(v, f.id).toBeGreaterThanOrEqual(0);
      if (f.as !== 'count') expect(v, f.id).toBeLessThanOrEqual(100 + 1e-9);
    }
  });

  it('an event script runs its event through the CLI', () => {
    const out = mkdtempSync(join(tmpdir(), 'exodus-events-'));
    try {
      const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
      const stdout = execFileSync(tsx, [join(ROOT, 'src', 'scenarios', 'facebook-outage-2019.ts'), '--agents', '1000', '--seed', '3', '--out', join(out, 'run')], { cwd: ROOT, encoding: 'utf8' });
      expect(stdout).toContain('Facebook, WhatsApp, Messenger and Instagram');
      expect(stdout).toContain('seed 3, 1000 agents');
      expect(existsSync(join(out, 'run', 'series.csv'))).toBe(true);
      expect(JSON.parse(readFileSync(join(out, 'run', 'manifest.json'), 'utf8'))).toBeTypeOf('object');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the what-if continues the calibrated event', () => {
  it('takes the per-event fitted values calibrated for russia-blocks-2024-2026', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { resolveRun } = await import('../src/api.ts');
    const { loadScenario, getPath } = await import('../src/scenarios/load.ts');
    const file = join(mkdtempSync(join(tmpdir(), 'exodus-whatif-')), 'p.json');
    writeFileSync(file, JSON.stringify({ params: {}, events: { 'russia-blocks-2024-2026': { maxRequired: 0.0042 } } }));
    const whatif = loadScenario('russia-telegram-block-2026-whatif');
    const q = whatif.scenario.fitted.find((x) => x.name === 'maxRequired')!;
    const r = resolveRun(whatif, { paramsFile: file, useCalibrated: false });
    expect(getPath(r.scenario, pathsOf(q)[0])).toBe(0.0042);
    expect(r.fitted.maxRequired).toBe(0.0042);
  });
});
