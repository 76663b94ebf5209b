// exodus sweep: settings (grid, list, Latin hypercube), the tidy CSV, bad input, output folders,
// resume, and the same CSV locally and through the Redis queue.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { cli } from '../src/cli/main.ts';
import { parseCsv } from '../src/scenarios/csv.ts';
import { gridSettings, lhsSettings } from '../src/sweep/design.ts';
import { parseSweep } from '../src/sweep/spec.ts';
import { planSweep } from '../src/sweep/plan.ts';
import { runSweep, sweepCsv, SweepInterrupted } from '../src/sweep/run.ts';
import { chartOf } from '../src/cli/sweep.ts';
import { validateSpec } from '../src/charts/render.ts';
import { createPool } from '../src/calibrate/pool.ts';
import { progressCount } from '../src/cli/progress.ts';
import { InputError } from '../src/scenarios/errors.ts';
import { market } from './helpers.ts';
import { startRedis, type RedisServer } from './redis.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'exodus-sweep-'));

/** Run the CLI in this process; stdout and stderr captured. */
async function exodus(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void (out += a.join(' ') + '\n'));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void (err += a.join(' ') + '\n'));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation(((s: string) => ((err += s), true)) as never);
  try {
    return { code: await cli(argv), out, err };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

const WHATIF = ['sweep', 'russia-telegram-block-2026-whatif', '--vary', 'shocks[11].hardness=0.3,0.7', '--metric', 'mau:Telegram:RU@2026-09', '--metric', 'mau%:Max:RU@2026-06', '--replicates', '2', '--agents', '400'];

describe('sweep designs', () => {
  const f = (o: object) => ({ scale: 'linear' as const, ...o }) as never;
  it('a grid has every combination, the first factor slowest, values without float noise', () => {
    const s = gridSettings([f({ name: 'a', from: 0.1, to: 0.3, steps: 3 }), f({ name: 'b', values: ['x', 'y'] })]);
    expect(s).toEqual([
      { a: 0.1, b: 'x' }, { a: 0.1, b: 'y' },
      { a: 0.2, b: 'x' }, { a: 0.2, b: 'y' },
      { a: 0.3, b: 'x' }, { a: 0.3, b: 'y' },
    ]);
    expect(gridSettings([f({ name: 'c', from: 1, to: 100, steps: 3, scale: 'log' })]).map((x) => x.c)).toEqual([1, 10, 100]);
  });

  it('a Latin hypercube puts one value in each stratum of every factor, the same for the same seed', () => {
    const factors = [f({ name: 'a', from: 0, to: 1 }), f({ name: 'b', from: 10, to: 20 })];
    const s = lhsSettings(factors, 10, 3);
    for (const [name, lo, hi] of [['a', 0, 1], ['b', 10, 20]] as const) {
      const strata = s.map((x) => Math.floor(((x[name] as number) - lo) / ((hi - lo) / 10))).sort((p, q) => p - q);
      expect(strata).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(lhsSettings(factors, 10, 3)).toEqual(s);
    expect(lhsSettings(factors, 10, 4)).not.toEqual(s);
  });
});

describe('sweep input', () => {
  const base = { scenario: 'russia-telegram-block-2026-whatif', vary: [{ name: 'shocks[11].hardness', values: [0.3] }], metrics: ['mau:Telegram:RU@2026-09'] };
  const err = (raw: object) => {
    try {
      planSweep(parseSweep(raw, 'my.yaml'), 'my.yaml');
    } catch (e) {
      if (e instanceof InputError) return e.message;
      throw e;
    }
    return 'no error';
  };
  it('names the file, the field and what was expected', () => {
    expect(err({ ...base, replicats: 3 })).toMatch(/^my\.yaml: unknown field "replicats"; expected scenario, design, /);
    expect(err({ ...base, design: 'lhs' })).toBe('my.yaml: samples: expected the number of settings of the Latin hypercube (design: lhs), e.g. samples: 20');
    expect(err({ ...base, vary: [{ name: 'shocks[11].hardness', from: 0.2, to: 0.8 }] })).toMatch(/^my\.yaml: vary\[0\]\.steps: missing; expected the number of grid values/);
    expect(err({ ...base, vary: [{ name: 'shocks[42].hardness', values: [0.3] }] })).toMatch(/^my\.yaml: vary\[0\]\.name: "shocks\[42\]\.hardness" is neither a behavioural parameter \(considerBase, .*\) nor a path to a number or text in russia-telegram-block-2026-whatif/);
    expect(err({ ...base, vary: [{ name: 'betaReach', values: [6, 99] }] })).toBe('my.yaml: vary[0].values[1]: expected a value in [1, 15] utility per share of contacts, got 99');
    expect(err({ ...base, vary: [{ name: 'shocks[11].hardness', values: [1.5] }] })).toMatch(/^my\.yaml: vary\[0\]\.values\[0\]: 1\.5 makes the scenario invalid: shocks\[11\]\.hardness: /);
    expect(err({ ...base, metrics: ['mau:Telegramm:RU@2026-09'] })).toMatch(/^my\.yaml: metrics\[0\]: unknown app "Telegramm" in russia-telegram-block-2026-whatif \(one of WhatsApp, Telegram/);
    expect(err({ ...base, metrics: ['mau:Telegram:RU@2027-09'] })).toMatch(/^my\.yaml: metrics\[0\]: 2027-09 is outside the scenario's time/);
    expect(err({ ...base, chart: { x: 'betaReach' } })).toBe('my.yaml: chart.x: expected one of the varied names (shocks[11].hardness), got "betaReach"');
  });

  it('gives one line and exit 2 for bad flags and files, and writes nothing', async () => {
    const d = tmp();
    try {
      const out = join(d, 'never');
      let r = await exodus('sweep', 'russia-telegram-block-2026-whatif', '--vary', 'betaReach=4:8', '--metric', 'mau:Telegram:RU@2026-09', '--out', out);
      expect(r.code).toBe(2);
      expect(r.err.trim()).toBe('exodus sweep: --vary betaReach=4:8: expected FROM:TO:STEPS for a grid (e.g. 0.1:0.9:9), or --lhs N for a Latin hypercube over FROM:TO');
      r = await exodus('sweep', 'russia-telegram-block-2026-whatif', '--vary', 'betaReach=4,80', '--metric', 'mau:Telegram:RU@2026-09', '--out', out);
      expect(r.code).toBe(2);
      expect(r.err.trim()).toBe('exodus sweep: --vary betaReach=4,80: expected a value in [1, 15] utility per share of contacts, got 80');
      const file = join(d, 'bad.yaml');
      writeFileSync(file, 'scenario: russia-telegram-block-2026-whatif\nvary:\n  - { name: betaReach, values: [4] }\nmetrics: [mau:Telegram:RU@2026-09]\nreplicates: 0\n');
      r = await exodus('sweep', file, '--out', out);
      expect(r.code).toBe(2);
      expect(r.err.trim()).toMatch(new RegExp(`^exodus sweep: ${file.replace(/[.]/g, '\\.')}: replicates: .*1.*, got 0$`));
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('sweep runs', () => {
  const scenarioFile = (d: string) => {
    const l = market({ agents: 3000, end: '2020-01-20', step: '6h', shocks: '[{ type: outage, platforms: [A], start: 2020-01-05, duration: 12h, severity: 0.8, media: 1 }]' });
    const f = join(d, 'mkt.json');
    writeFileSync(f, JSON.stringify(l.scenario));
    return f;
  };

  it('resumes an interrupted sweep from its checkpoint and writes the same CSV', async () => {
    const d = tmp();
    try {
      const spec = parseSweep({ scenario: scenarioFile(d), vary: [{ name: 'shocks[0].severity', values: [0.2, 0.9] }, { name: 'considerMedia', values: [0.2, 2] }], metrics: ['signups:B:all@2020-01-05+3d', 'mau:A@2020-01-19'], replicates: 2 }, 'x.yaml');
      const plan = planSweep(spec, 'x.yaml');
      expect(plan.tasks).toHaveLength(8);
      const pool = createPool(1);
      const whole = await runSweep(plan, { pool, checkpointDir: join(d, 'a') });
      const ac = new AbortController();
      ac.abort();
      await expect(runSweep(plan, { pool, chunk: 3, checkpointDir: join(d, 'b'), signal: ac.signal })).rejects.toBeInstanceOf(SweepInterrupted);
      const resumed = await runSweep(plan, { pool, chunk: 3, resume: true, checkpointDir: join(d, 'b') });
      expect(resumed.fromCheckpoint).toBe(3);
      expect(sweepCsv(plan, resumed)).toBe(sweepCsv(plan, whole));
      // Mechanism: a more severe outage of A sends more people to B (same seeds, same rest).
      const rows = parseCsv(sweepCsv(plan, whole)).slice(1);
      const signups = (sev: string) => rows.filter((r) => r[3] === sev).reduce((a, r) => a + Number(r[5]), 0);
      expect(signups('0.9')).toBeGreaterThan(signups('0.2'));
      const chart = chartOf(plan, whole);
      expect(validateSpec(chart.spec)).toEqual({ valid: true, errors: [] });
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('reports progress with an ETA as lines when stderr is not a terminal', () => {
    let text = '';
    const stream = new Writable({ write: (c, _e, cb) => ((text += c), cb()) }) as unknown as NodeJS.WriteStream;
    const p = progressCount('sweep x', 'runs', stream, 0);
    p.update(1, 4);
    p.update(2, 4);
    p.done();
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^sweep x: 1\/4 runs \(25%\), \d+ s, ~\d+ s left$/);
    expect(lines.at(-1)).toMatch(/^sweep x: 2\/4 runs \(50%\)/);
  });
});

describe('sweep output folder and queue', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('writes the same CSV locally and through the queue; never replaces a folder it did not write', async () => {
    const d = tmp();
    try {
      const local = await exodus(...WHATIF, '--workers', '1', '--out', join(d, 'local'));
      expect(local.code).toBe(0);
      expect(readdirSync(join(d, 'local')).sort()).toEqual(['manifest.json', 'sweep.csv', 'sweep.png', 'sweep.svg', 'sweep.vl.json']);
      const queued = await exodus(...WHATIF, '--queue', redis.url, '--workers', '1', '--out', join(d, 'queued'));
      expect(queued.code).toBe(0);
      const csv = readFileSync(join(d, 'local', 'sweep.csv'), 'utf8');
      expect(readFileSync(join(d, 'queued', 'sweep.csv'), 'utf8')).toBe(csv);
      const rows = parseCsv(csv);
      expect(rows[0]).toEqual(['setting', 'replicate', 'seed', 'shocks[11].hardness', 'mau:Telegram:RU@2026-09', 'mau%:Max:RU@2026-06']);
      expect(rows.slice(1).map((r) => r.slice(0, 4))).toEqual([['1', '1', '1', '0.3'], ['1', '2', '2', '0.3'], ['2', '1', '1', '0.7'], ['2', '2', '2', '0.7']]);
      // A block fewer people can get round leaves Telegram fewer users (medians over the seeds).
      const tg = (h: string) => rows.slice(1).filter((r) => r[3] === h).map((r) => Number(r[4])).reduce((a, b) => a + b);
      expect(tg('0.7')).toBeLessThan(tg('0.3'));
      const man = JSON.parse(readFileSync(join(d, 'queued', 'manifest.json'), 'utf8'));
      expect(man).toMatchObject({ command: 'sweep', runs: 4, replicates: 2, seeds: [1, 2], agents: 400 });
      expect(man.pool).toMatch(/^queue redis:\/\/127\.0\.0\.1:\d+/);
      expect(validateSpec(JSON.parse(readFileSync(join(d, 'local', 'sweep.vl.json'), 'utf8'))).valid).toBe(true);

      // A folder of the user's: refused before any run, untouched; --force replaces it.
      const mine = join(d, 'mine');
      mkdirSync(mine);
      writeFileSync(join(mine, 'notes.txt'), 'my notes');
      const refused = await exodus(...WHATIF, '--workers', '1', '--out', mine);
      expect(refused.code).toBe(2);
      expect(refused.err.trim()).toBe(`exodus sweep: --out ${mine}: the folder holds files exodus did not write; choose another --out, or pass --force to replace the folder and everything in it`);
      expect(readdirSync(mine)).toEqual(['notes.txt']);
      // Its own output is replaced without --force.
      expect((await exodus(...WHATIF, '--workers', '1', '--out', join(d, 'local'))).code).toBe(0);
      expect(readFileSync(join(d, 'local', 'sweep.csv'), 'utf8')).toBe(csv);
      expect((await exodus(...WHATIF, '--workers', '1', '--out', mine, '--force')).code).toBe(0);
      expect(existsSync(join(mine, 'notes.txt'))).toBe(false);
      expect(readdirSync(d).filter((f) => f.includes('.partial-') || f.includes('.old-'))).toEqual([]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
