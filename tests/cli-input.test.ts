// The command line on bad input: one line (what was expected), exit code 2, no stack trace, nothing
// written; warnings on stderr for probable mistakes; progress lines when stderr is not a terminal.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { calibrate, MIN_BUDGET } from '../src/calibrate/calibrate.ts';
import { progressBar } from '../src/cli/progress.ts';
import { DEMO_FILE } from '../src/scenarios/load.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'exodus.mjs');
const exodus = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
const demo = readFileSync(DEMO_FILE, 'utf8').replace(/^\$schema:.*\n/m, '');

/** Exit 2, exactly `lines` lines on stderr (each "exodus <cmd>: ..."), no stack trace, nothing on stdout. */
function refused(r: ReturnType<typeof exodus>, lines = 1): string[] {
  expect(r.status, r.stderr).toBe(2);
  const err = r.stderr.trim().split('\n');
  expect(err, r.stderr).toHaveLength(lines);
  for (const l of err) expect(l).toMatch(/^exodus [a-z]+: /);
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  return err;
}

describe('options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exodus-opt-'));
  it('a negative, a too large and a misspelt option each get one line saying what is expected', () => {
    expect(refused(exodus(dir, 'run', 'demo', '--agents', '-5'))).toEqual(['exodus run: --agents: expected an integer from 100 to 50,000,000, got "-5"']);
    expect(refused(exodus(dir, 'run', 'demo', '--agents', '51000000'))[0]).toMatch(/--agents: expected an integer from 100 to 50,000,000, got "51000000"$/);
    expect(refused(exodus(dir, 'compare', 'demo', '--agents', '5000000000'))[0]).toMatch(/^exodus compare: --agents: expected an integer/);
    expect(refused(exodus(dir, 'run', 'demo', '--agent', '500'))).toEqual(["exodus run: Unknown option '--agent' (did you mean --agents?) (exodus run --help)"]);
    expect(refused(exodus(dir, 'run', 'demo', 'fb'))).toEqual(['exodus run: expected one event or scenario file, got 2 (exodus run --help)']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('calibrate refuses a budget below what the search needs, before any work, with the minimum', () => {
    const [line] = refused(exodus(dir, 'calibrate', 'demo', '--budget', '17', '--out', 'cal'));
    expect(line).toBe(`exodus calibrate: --budget: expected at least ${MIN_BUDGET} candidates (each design wave needs enough runs to fit the emulators to), got 17`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the minimum calibration budget', () => {
  it('is enough for every wave: at the minimum the calibration ends with a full posterior; below it, it is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-budget-'));
    const o = { events: ['demo'], fit: ['betaReach', 'considerMedia'], agents: 300, workers: 1, checkpointDir: dir, particles: 200, draws: 50, validate: 2 };
    const r = await calibrate({ ...o, budget: MIN_BUDGET });
    expect(r.posterior).toHaveLength(50);
    expect(r.waves.length).toBe(3);
    await expect(calibrate({ ...o, budget: MIN_BUDGET - 1 })).rejects.toThrow(/at least/);
  });
});

describe('scenario files from the command line', () => {
  it('validate checks every file given and reports each (exit 2 when any is bad)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-val-'));
    writeFileSync(join(dir, 'good.yaml'), demo);
    writeFileSync(join(dir, 'bomb.yaml'), `a: &a [x, x, x, x, x, x, x, x, x]\n${'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]\n`).join('')}${demo}`);
    writeFileSync(join(dir, 'feb30.yaml'), demo.replace('start: 2020-01-10T12:00Z', 'start: 2020-02-30T12:00Z'));
    mkdirSync(join(dir, 'folder.yaml'));
    const r = exodus(dir, 'validate', 'bomb.yaml', 'good.yaml', 'folder.yaml', 'feb30.yaml');
    expect(refused(r, 4)).toEqual([
      expect.stringMatching(/^exodus validate: bomb\.yaml: line 2, column \d+: not valid YAML\/JSON: its aliases/),
      'exodus validate: folder.yaml: is a folder; expected a YAML or JSON scenario file',
      expect.stringMatching(/^exodus validate: feb30\.yaml: shocks\[0\]\.start: expected a date such as/),
      'exodus validate: 3 of 4 files have problems',
    ]);
    expect(r.stdout).toMatch(/^good\.yaml: ok \(demo, 2 regions/);
  });

  it('a run of a folder or an unknown event is refused with one line and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-runbad-'));
    mkdirSync(join(dir, 'scenario'));
    expect(refused(exodus(dir, 'run', 'scenario', '--out', 'o'))).toEqual(['exodus run: scenario: is a folder; expected a YAML or JSON scenario file']);
    expect(refused(exodus(dir, 'run', 'dmeo', '--out', 'o'))[0]).toMatch(/^exodus run: dmeo: not found; did you mean "demo"\? expected a built-in event \(.*, demo\)/);
    expect(readdirSync(dir)).toEqual(['scenario']);
  });

  it('probable mistakes are one warning line each on stderr; the file is still good', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-warn-'));
    writeFileSync(join(dir, 'late.yaml'), demo.replace('start: 2020-01-10T12:00Z', 'start: 2021-01-10T12:00Z'));
    const r = exodus(dir, 'validate', 'late.yaml');
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(['exodus validate: warning: late.yaml: shocks[0].start: 2021-01-10T12:00Z is at or after time.end (2020-02-15); the shock has no effect']);
  });
});

describe('progress', () => {
  const sink = (tty: boolean) => {
    const lines: string[] = [];
    const s = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) as unknown as NodeJS.WriteStream;
    (s as { isTTY?: boolean }).isTTY = tty;
    return { s, lines };
  };
  it('when stderr is not a terminal: a line every few seconds with the share done, nothing at the end', async () => {
    const { s, lines } = sink(false);
    const bar = progressBar('compare demo', s, 0.05);
    bar.update(0.25);
    await new Promise((r) => setTimeout(r, 180));
    bar.update(0.5, 'half');
    await new Promise((r) => setTimeout(r, 120));
    bar.done();
    const n = lines.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(lines.length).toBe(n);
    expect(n).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^compare demo: 25%  \d+s, ~\d+s left\n$/);
    expect(lines[n - 1]).toMatch(/^compare demo: 50%  \d+s, ~\d+s left  half\n$/);
  });
});
