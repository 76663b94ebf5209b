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
    ['not a mapping', '- just\n- a list\n', /^bad\.yaml: top level: expected a mapping with name, title, .*, got a list$/],
    ['an empty file', '# nothing but a comment\n', /^bad\.yaml: top level: expected a mapping with name, title, .*, got an empty file$/],
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

describe('bad input the schema alone does not catch: one line, file and field, what was expected', () => {
  const big = (n: number) => 'x'.repeat(n);
  const figure = (extra: string) => GOOD.replace('value: 1000, source: test }', `value: 1000, source: test${extra} }`);
  const cases: [string, string, RegExp][] = [
    ['YAML alias bomb (billion laughs)', `a: &a [x, x, x, x, x, x, x, x, x]\n${'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]\n`).join('')}` + GOOD, /^bad\.yaml: line 2, column \d+: not valid YAML\/JSON: its aliases \(\*name\) expand to more than 1000 copies/],
    ['undefined alias', GOOD.replace('title: Small', 'title: *nowhere'), /^bad\.yaml: line 3, column 8: not valid YAML\/JSON: alias \*nowhere points to no anchor; expected "&nowhere" on an earlier node$/],
    ['anchor that contains itself', GOOD + 'loop: &x [1, *x]\n', /^bad\.yaml: loop\[1\]: not valid YAML\/JSON: an anchor \(&name\) contains an alias to itself/],
    ['flow sequences nested 2,000 deep', GOOD.replace('title: Small', `title: ${'['.repeat(2000)}${']'.repeat(2000)}`), /^bad\.yaml: line 3, column \d+: not valid YAML\/JSON: nested more than 32 levels deep; expected a scenario/],
    ['flow mappings nested 100 deep', GOOD.replace('title: Small', `title: ${'{a: '.repeat(100)}1${'}'.repeat(100)}`), /^bad\.yaml: title\.a\.a\.\.\.: not valid YAML\/JSON: nested more than 32 levels deep/],
    ['an app without its active share', GOOD.replace('A: 0.8', 'A: { dormant: 0.1 }'), /^bad\.yaml: regions\[0\]\.apps\.A\.active: missing; expected number$/],
    ['an app share of the wrong type', GOOD.replace('A: 0.8', 'A: lots'), /^bad\.yaml: regions\[0\]\.apps\.A: expected a share from 0 to 1, or \{ active, dormant, primary \}, got "lots"$/],
    ['population of 9e15', GOOD.replace('population: 1000000', 'population: 9e15'), /^bad\.yaml: regions\[0\]\.population: expected at most 1e10 people \(more than live on Earth\), got 9e15$/],
    ['population of 1e12', GOOD.replace('population: 1000000', 'population: 1e12'), /^bad\.yaml: regions\[0\]\.population: expected at most 1e10 people/],
    ['population of 1e308', GOOD.replace('population: 1000000', 'population: 1e308'), /^bad\.yaml: regions\[0\]\.population: expected at most 1e10 people .*got 1e308$/],
    ['price of 9e15', GOOD.replace('- { id: B }', '- { id: B, price: 9e15 }'), /^bad\.yaml: platforms\[1\]\.price: expected at most 1,000 USD, got 9e15$/],
    ['loudness of 9e15', GOOD.replace('duration: 6h', 'duration: 6h, media: 9e15'), /^bad\.yaml: shocks\[0\]\.media: expected at most 100 \(1 = a major news story\), got 9e15$/],
    ['.nan and .inf are named as such', GOOD.replace('population: 1000000', 'population: .nan'), /^bad\.yaml: regions\[0\]\.population: expected number, got \.nan$/],
    ['a number too long to be finite', GOOD.replace('population: 1000000', `population: 1${'0'.repeat(400)}`), /^bad\.yaml: regions\[0\]\.population: expected number, got \.inf$/],
    ['fittedFrom naming no event', GOOD + 'fittedFrom: no-such-event\n', /^bad\.yaml: fittedFrom: expected a built-in event whose calibration this scenario continues \(.*\), got "no-such-event"$/],
    ['30 February', GOOD.replace('start: 2020-01-03', 'start: 2019-02-30'), /^bad\.yaml: shocks\[0\]\.start: expected a date such as "2019-03-13"/],
    ['31 April in a date-time', GOOD.replace('start: 2020-01-03', 'start: "2020-04-31T10:00Z"'), /^bad\.yaml: shocks\[0\]\.start: expected a date/],
    ['256 regions', GOOD.replace('regions:\n', `regions:\n${Array.from({ length: 255 }, (_, i) => `  - { id: R${i}, population: 1000, apps: { A: 0.5 } }\n`).join('')}`), /^bad\.yaml: regions: expected at most 255 regions \(the engine stores a region in one byte\), got 256$/],
    ['a billion one-minute steps', GOOD.replace('end: 2020-01-10, step: 1h', 'end: 3920-01-10, step: 1m'), /^bad\.yaml: time: expected at most 200,000 steps from time\.start to time\.end, got 9\.99e8 \(use a longer step/],
    ['a step of 400 digits', GOOD.replace('step: 1h', `step: 1${'0'.repeat(400)}h`), /^bad\.yaml: time\.step: expected a positive duration such as "30m", "14h", "3d" or "2w", got "10+\.\.\. \(404 characters\)$/],
    ['a platform id of 100 KB', GOOD.replace('- { id: B }', `- { id: B${big(100_000)} }`).replace('B: 0.1', `B${big(100_000)}: 0.1`).replace('platform: B,', `platform: B${big(100_000)},`), /^bad\.yaml: platforms\[1\]\.id: expected an id of at most 64 characters, got one of 100,001$/],
    ['a negative figure value', GOOD.replace('value: 1000', 'value: -5'), /^bad\.yaml: figures\[0\]\.value: expected a number of people from 0 to 1e11, got -5$/],
    ['low above high', figure(', low: 2000, high: 500'), /^bad\.yaml: figures\[0\]\.high: expected high > low \(2000\), got 500$/],
    ['a value outside its range', figure(', low: 2000, high: 5000'), /^bad\.yaml: figures\[0\]\.value: expected a value inside the range low\.\.high \(2000\.\.5000\), got 1000$/],
    ['a share of 250%', GOOD.replace('window: 24h, value: 1000', 'window: 24h, as: percent, value: 250'), /^bad\.yaml: figures\[0\]\.value: expected a percentage from 0 to 100, got 250$/],
    ['fitted twice under one name', GOOD + 'fitted:\n  - { name: loud, path: "shocks[0].media", min: 0.1, max: 5 }\n  - { name: loud, path: "shocks[0].severity", min: 0.1, max: 1 }\n', /^bad\.yaml: fitted\[1\]\.name: expected a unique name, "loud" is also fitted\[0\]$/],
    ['two fitted quantities at one path', GOOD + 'fitted:\n  - { name: a, path: "shocks[0].media", min: 0.1, max: 5 }\n  - { name: b, path: "shocks.0.media", min: 0.1, max: 5 }\n', /^bad\.yaml: fitted\[1\]\.path: expected a path no other fitted quantity has/],
    ['fitted bounds the field does not accept', GOOD + 'fitted:\n  - { name: sev, path: "shocks[0].severity", min: 0.1, max: 5, scale: linear }\n', /^bad\.yaml: fitted\[0\]\.max: expected a bound that shocks\[0\]\.severity accepts \(.*<=1.*\), got 5$/],
    ['a run that cannot fit in memory', GOOD.replace('title: Small', 'title: Small\nagents: 50000000\nnetwork: { degree: 200 }'), /^bad\.yaml: agents: a run of 5e7 agents x \d+ steps x 1 regions x 2 platforms needs about [\d.]+ GiB of memory, more than the [\d.]+ GiB this machine allows/],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      const msg = error(text);
      expect(msg).toMatch(expected);
      expect(msg.split('\n')).toHaveLength(1);
      expect(msg.length).toBeLessThan(1000);
    });
  }

  it('a folder given as the scenario file', () => {
    expect(() => loadScenario(tmpdir())).toThrow(new RegExp(`^${tmpdir()}: is a folder; expected a YAML or JSON scenario file$`));
  });

  it('an unknown event: did you mean, and the list includes demo', () => {
    expect(() => loadScenario('facebok-outage-2019')).toThrow(/^facebok-outage-2019: not found; did you mean "facebook-outage-2019"\? expected a built-in event \(.*, demo\) or a path/);
    expect(() => loadScenario('dmeo')).toThrow(/did you mean "demo"\?/);
  });

  it('a value that cannot be shown whole is cut short', () => {
    const msg = error(GOOD.replace('population: 1000000', `population: "${big(1_000_000)}"`));
    expect(msg).toMatch(/^bad\.yaml: regions\[0\]\.population: expected number, got "x+\.\.\. \(1,000,002 characters\)$/);
    expect(msg.length).toBeLessThan(300);
  });

  it('a share of 0.92 without dormant gets dormant = 1 - active, not a tenth of active', () => {
    const l = loadScenarioText(GOOD.replace('A: 0.8', 'A: 0.92'), 'good.yaml');
    expect(l.scenario.regions[0].apps.A).toEqual({ active: 0.92, dormant: expect.closeTo(0.08, 12) });
    expect(loadScenarioText(GOOD, 'good.yaml').scenario.regions[0].apps.A).toBe(0.8);
    expect(error(GOOD.replace('A: 0.8', 'A: { active: 0.92, dormant: 0.092 }'))).toMatch(/^bad\.yaml: regions\[0\]\.apps\.A: expected active \+ dormant <= 1, got 1\.012$/);
  });
});

describe('probable mistakes are warnings, not errors', () => {
  it('shocks entirely outside the time span and a platform launched after the end', () => {
    const l = loadScenarioText(
      GOOD.replace('- { id: B }', '- { id: B, launch: 2020-02-01 }').replace('shocks:\n', 'shocks:\n  - { type: outage, platforms: [A], start: 2021-01-01, duration: 6h }\n  - { type: block, platforms: [A], start: 2019-01-01, end: 2019-06-01 }\n'),
      'odd.yaml',
    );
    expect(l.warnings).toEqual([
      'shocks[0].start: 2021-01-01 is at or after time.end (2020-01-10); the shock has no effect',
      'shocks[1]: ends before time.start (2020-01-01); the shock has no effect',
      'platforms[1].launch: 2020-02-01 is at or after time.end (2020-01-10); B never appears',
    ]);
    expect(loadScenarioText(GOOD, 'good.yaml').warnings).toEqual([]);
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
