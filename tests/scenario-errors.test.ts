import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadScenarioText, loadScenario } from '../src/scenarios/load.ts';
import { readFigures } from '../src/scenarios/figures.ts';
import { InputError } from '../src/scenarios/errors.ts';

const GOOD = `
name: small
title: Small
time: { start: 2020-01-01, end: 2020-01-10, step: 1h }
regions:
  - { id: X, population: 1000000, apps: { A: 0.8, B: 0.1 } }
platforms:
  - { id: A }
  - { id: B }
shocks:
  - { type: outage, platforms: [A], start: 2020-01-03, duration: 6h }
figures:
  - { id: f1, platform: B, metric: signups, date: 2020-01-03, window: 24h, value: 1000, source: test }
`;

/** Load text and return the error message (fails the test if it loads). */
function error(text: string): string {
  try {
    loadScenarioText(text, 'bad.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('a good scenario', () => {
  it('loads', () => {
    expect(loadScenarioText(GOOD, 'good.yaml').scenario.platforms.map((p) => p.id)).toEqual(['A', 'B']);
  });
});

describe('bad scenario files get one message naming the file, the field and what was expected', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown field', GOOD.replace('title: Small', 'title: Small\ncolour: red'), /^bad\.yaml: unknown field "colour"$/],
    ['misspelt field in a shock', GOOD.replace('duration: 6h', 'duraton: 6h'), /^bad\.yaml: shocks\[0\]: unknown field "duraton" \(did you mean "duration"\?\)$/],
    ['unknown platform in a shock', GOOD.replace('platforms: [A], start', 'platforms: [Z], start'), /^bad\.yaml: shocks\[0\]\.platforms\[0\]: unknown platform "Z"; expected one of A, B$/],
    ['unknown platform in a region', GOOD.replace('B: 0.1', 'Q: 0.1'), /^bad\.yaml: regions\[0\]\.apps\.Q: unknown platform "Q"/],
    ['negative duration', GOOD.replace('duration: 6h', 'duration: -6h'), /^bad\.yaml: shocks\[0\]\.duration: expected a positive duration such as "30m", "14h", "3d" or "2w", got "-6h"$/],
    ['figure without a date', GOOD.replace('date: 2020-01-03, ', ''), /^bad\.yaml: figures\[0\]\.date: missing; expected the date of the figure/],
    ['figure without a value', GOOD.replace(', value: 1000', ''), /^bad\.yaml: figures\[0\]\.value: missing; expected the reported value/],
    ['figure outside the time span', GOOD.replace('date: 2020-01-03, window', 'date: 2021-01-03, window'), /^bad\.yaml: figures\[0\]\.date: expected the figure's window .* inside the scenario's time span/],
    ['unknown shock type', GOOD.replace('type: outage', 'type: earthquake'), /^bad\.yaml: shocks\[0\]\.type: expected one of "outage", "block", "throttle", "trust", "promotion", "announcement", "attention", "connectivity", "circumvention", got "earthquake"$/],
    ['wrong type', GOOD.replace('population: 1000000', 'population: lots'), /^bad\.yaml: regions\[0\]\.population: expected number, got "lots"$/],
    ['missing required field', GOOD.replace('title: Small\n', ''), /^bad\.yaml: title: missing; expected string/],
    ['share above 1', GOOD.replace('A: 0.8', 'A: 1.8'), /^bad\.yaml: regions\[0\]\.apps\.A: .*got 1\.8/],
    ['end before start', GOOD.replace('end: 2020-01-10', 'end: 2019-01-10'), /^bad\.yaml: time\.end: expected a date after time\.start/],
    ['bad date', GOOD.replace('start: 2020-01-03', 'start: 3 Jan 2020'), /^bad\.yaml: shocks\[0\]\.start: expected a date such as "2019-03-13"/],
    ['duplicate platform id', GOOD.replace('- { id: B }', '- { id: A }').replace('B: 0.1', 'A: 0.1'), /^bad\.yaml: /],
    ['unknown behavioural parameter', GOOD + 'params: { betaReech: 3 }\n', /^bad\.yaml: params: unknown parameter "betaReech"; expected one of/],
    ['parameter out of range', GOOD + 'params: { betaReach: 300 }\n', /^bad\.yaml: params\.betaReach: expected a value in \[1, 15\]/],
    ['not YAML', 'name: [unclosed', /^bad\.yaml: line 1, column \d+: not valid YAML\/JSON/],
    ['not a mapping', '- just\n- a list\n', /^bad\.yaml: expected a mapping/],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      const msg = error(text);
      expect(msg).toMatch(expected);
      expect(msg.split('\n')).toHaveLength(1);
    });
  }
  it('counts further problems instead of listing a wall of them', () => {
    expect(error(GOOD.replace('population: 1000000', 'population: -1').replace('title: Small', 'title: 5'))).toMatch(/\(and 1 more problem\)$/);
  });
  it('names a missing file and the built-in events', () => {
    expect(() => loadScenario('no-such-event')).toThrow(/^no-such-event: not found; expected a built-in event \(.*demo|.*\) or a path/);
    expect(() => loadScenario('missing.yaml')).toThrow(/^missing\.yaml: not found; expected an existing YAML or JSON scenario file$/);
  });
});

describe('reported figures CSV', () => {
  const header = 'id,event_id,date,platform,metric,value,unit,geography,window,source,url,confidence,notes\n';
  it('rejects a figure without a date, naming the line', () => {
    expect(() => readFigures('figs.csv', header + 'x1,ev,,Telegram,MAU,5,users,global,30 days,src,,high,\n')).toThrow(/^figs\.csv: line 2, date: expected a date such as 2018-04 or 2018-04-16, got ""$/);
  });
  it('rejects a bad confidence and a bad value', () => {
    expect(() => readFigures('figs.csv', header + 'x1,ev,2018-04,Telegram,MAU,5,users,global,30 days,src,,sure,\n')).toThrow(/line 2, confidence: expected high, medium or low/);
    expect(() => readFigures('figs.csv', header + 'x1,ev,2018-04,Telegram,MAU,many,users,global,30 days,src,,high,\n')).toThrow(/line 2, value: expected a number/);
  });
  it('reads ranges as their geometric middle with low and high', () => {
    const [f] = readFigures('figs.csv', header + 'x1,ev,2018-04,Discord,users,29000000-40000000,users,RU,est,src,,low,\n');
    expect(f.low).toBe(29e6);
    expect(f.high).toBe(40e6);
    expect(f.value).toBeCloseTo(Math.sqrt(29e6 * 40e6));
  });
  it('the project copy is valid, with unique ids', () => {
    const figs = readFigures();
    expect(figs.length).toBeGreaterThan(100);
    expect(new Set(figs.map((f) => f.id)).size).toBe(figs.length);
  });
});

describe('the command line on bad input', () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'exodus.mjs');
  it('prints one line, no stack trace, exits 2 and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-bad-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, GOOD.replace('duration: 6h', 'duration: -6h'));
    const out = join(dir, 'out');
    let stderr = '';
    let status = 0;
    try {
      execFileSync(process.execPath, [bin, 'run', file, '--out', out], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      const err = e as { stderr: string; status: number };
      stderr = err.stderr;
      status = err.status;
    }
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`${file}: shocks[0].duration: expected a positive duration`);
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });
  it('rejects a bad option value with a clear message', () => {
    try {
      execFileSync(process.execPath, [bin, 'run', 'demo', '--seed', 'abc'], { encoding: 'utf8', stdio: 'pipe' });
      throw new Error('expected failure');
    } catch (e) {
      expect((e as { stderr: string }).stderr.trim()).toBe('exodus run: --seed: expected an integer >= 0, got "abc"');
    }
  });
});
