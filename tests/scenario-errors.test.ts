import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { loadScenarioText, loadScenario } from '../src/scenarios/load.ts';
import { readFigures } from '../src/scenarios/figures.ts';
import { InputError } from '../src/scenarios/errors.ts';
import { compilePlatforms, compileScenario, compileShocks, figureWindow, observation } from '../src/scenarios/compile.ts';

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
    ['misspelt optional field in a shock', GOOD.replace('duration: 6h', 'duration: 6h, severty: 0.5'), /^bad\.yaml: shocks\[0\]: unknown field "severty" \(did you mean "severity"\?\)$/],
    ['misspelt optional field of another shock type', GOOD.replace('type: outage, platforms: [A], start: 2020-01-03, duration: 6h', 'type: block, platforms: [A], start: 2020-01-03, hardnes: 0.5'), /^bad\.yaml: shocks\[0\]: unknown field "hardnes" \(did you mean "hardness"\?\)$/],
    ['misspelt field not suggested as one already given', GOOD.replace('duration: 6h', 'duration: 6h, stat: 1'), /^bad\.yaml: shocks\[0\]: unknown field "stat"$/],
    ['unknown platform in a shock', GOOD.replace('platforms: [A], start', 'platforms: [Z], start'), /^bad\.yaml: shocks\[0\]\.platforms\[0\]: unknown platform "Z"; expected one of A, B$/],
    ['unknown platform in a region', GOOD.replace('B: 0.1', 'Q: 0.1'), /^bad\.yaml: regions\[0\]\.apps\.Q: unknown platform "Q"/],
    ['negative duration', GOOD.replace('duration: 6h', 'duration: -6h'), /^bad\.yaml: shocks\[0\]\.duration: expected a positive duration such as "30m", "14h", "3d" or "2w", got "-6h"$/],
    ['figure without a date', GOOD.replace('date: 2020-01-03, ', ''), /^bad\.yaml: figures\[0\]\.date: missing; expected the date of the figure/],
    ['figure without a value', GOOD.replace(', value: 1000', ''), /^bad\.yaml: figures\[0\]\.value: missing; expected the reported value/],
    ['figure outside the time span', GOOD.replace('date: 2020-01-03, window', 'date: 2021-01-03, window'), /^bad\.yaml: figures\[0\]\.date: expected the figure's window .* inside the scenario's time span/],
    ['unknown shock type', GOOD.replace('type: outage', 'type: earthquake'), /^bad\.yaml: shocks\[0\]\.type: expected one of "outage", "block", "throttle", "trust", "promotion", "announcement", "attention", "connectivity", "circumvention", got "earthquake"$/],
    ['a declining trend', GOOD.replace('B: 0.1 } }', 'B: { active: 0.1, trend: -0.2 } } }'), /^bad\.yaml: regions\[0\]\.apps\.B\.trend: expected growth per year of at least 0 \(a decline is not a trend the build can fit: give its cause as shocks\), got -0\.2$/],
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
    ['an app share of the wrong type', GOOD.replace('A: 0.8', 'A: lots'), /^bad\.yaml: regions\[0\]\.apps\.A: expected a share from 0 to 1, or \{ active, dormant, primary, trend \}, got "lots"$/],
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
    ['relative to an unknown figure', GOOD.replace('value: 1000, source: test }', 'value: 1000, source: test }\n  - { id: f2, platform: B, metric: signups, date: 2020-01-04, window: 24h, value: x2, relativeTo: f0, source: test }'), /^bad\.yaml: figures\[1\]\.relativeTo: unknown figure "f0"; expected the id of another figure of this file \(f1\)$/],
    ['relative to itself', GOOD.replace('value: 1000, source: test }', 'value: 1000, source: test }\n  - { id: f2, platform: B, metric: signups, date: 2020-01-04, window: 24h, value: x2, relativeTo: { figure: f2 }, source: test }'), /^bad\.yaml: figures\[1\]\.relativeTo: expected another figure, "f2" is this figure itself$/],
    ['relative to a relative figure', GOOD.replace('value: 1000, source: test }', 'value: 1000, source: test }\n  - { id: f2, platform: B, metric: signups, date: 2020-01-04, window: 24h, value: x2, relativeTo: f1, source: test }\n  - { id: f3, platform: B, metric: signups, date: 2020-01-05, window: 24h, value: x2, relativeTo: f2, source: test }'), /^bad\.yaml: figures\[2\]\.relativeTo: expected a figure that is not relative itself, "f2" is relative to another$/],
    ['a reported value of 0', GOOD.replace('value: 1000', 'value: 0'), /^bad\.yaml: figures\[0\]\.value: expected a value above 0 \(figures are compared on a log scale; for "none" or "hardly any" give an upper bound such as high: 100\), got 0$/],
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

// The newer scenario-format features: each bad input a user is likely to write, as one line.
const addShock = (spec: string) => GOOD.replace('shocks:\n', `shocks:\n  - ${spec}\n`); // the new shock is shocks[0]
const attention = (extra: string) => addShock(`{ type: attention, platforms: [B], start: 2020-01-03, ${extra} }`);
const connectivity = (extra: string) => addShock(`{ type: connectivity, start: 2020-01-03, ${extra} }`);
const circumvention = (extra: string) => addShock(`{ type: circumvention, start: 2020-01-03, ${extra} }`);
const platformB = (extra: string) => GOOD.replace('- { id: B }', `- { id: B, ${extra} }`);
const regionX = (extra: string) => GOOD.replace('apps: { A: 0.8, B: 0.1 } }', `apps: { A: 0.8, B: 0.1 }, ${extra} }`);
const figure2 = (extra: string) => `${GOOD}  - { id: f2, platform: B, metric: signups, date: 2020-01-04, window: 24h, ${extra} }\n`;
const ratio = (value: string, rel = '{ date: 2020-01-02 }') => figure2(`value: ${value}, relativeTo: ${rel}`);
const fittedMedia = (extra: string) => `${GOOD}fitted:\n  - { name: loud, path: "shocks[0].media", min: 0.1, max: 5, ${extra} }\n`;
const atStart = (date: string) => GOOD.replace('start: 2020-01-03', `start: ${date}`);
const DATE = 'expected a date such as "2019-03-13", "2019-03-13T16:00Z", "2018-04" or 2018';
const YEAR = 'expected a year from 1900 to 2200 \\(e\\.g\\. 2018\\) or a date such as "2019-03-13"';
const FEATURES = 'expected one of "voice", "video", "e2ee", "slow-links", "channels", "groups", "proxy"';
const RATIO_TEXT = 'expected a number, or for a relative figure a ratio such as "x5", "5x", "\\+15%" or "-16%"';
const RATIO_RANGE = 'expected a ratio above 0 and at most 1e6 \\(1 = the same as what it is relative to; "-16%" is 0\\.84, "x5" is 5\\)';
const re = (text: string) => new RegExp(`^bad\\.yaml: ${text}$`);

const FEATURE_CASES: [string, string, RegExp][] = [
  // dates: bare years and months
  ['an unquoted year 99', atStart('99'), re(`shocks\\[0\\]\\.start: ${YEAR}, got 99`)],
  ['an unquoted year 20180', atStart('20180'), re(`shocks\\[0\\]\\.start: ${YEAR}, got 20180`)],
  ['an unquoted year 1800 as time.start', GOOD.replace('start: 2020-01-01', 'start: 1800'), re(`time\\.start: ${YEAR}, got 1800`)],
  ['a quoted year "20180"', atStart('"20180"'), re(`shocks\\[0\\]\\.start: ${DATE}, got "20180"`)],
  ['a year with a fraction', atStart('2020.5'), re(`shocks\\[0\\]\\.start: ${DATE}, got 2020\\.5`)],
  ['month 13', atStart('2020-13'), re(`shocks\\[0\\]\\.start: ${DATE}, got "2020-13"`)],
  ['month 00', atStart('2020-00'), re(`shocks\\[0\\]\\.start: ${DATE}, got "2020-00"`)],
  ['a month without its leading zero', atStart('2020-1'), re(`shocks\\[0\\]\\.start: ${DATE}, got "2020-1"`)],
  ['a date that is missing', platformB('changes: [{ add: [voice] }]'), re(`platforms\\[1\\]\\.changes\\[0\\]\\.date: missing; ${DATE}`)],
  ['a date given as a list', atStart('[2020]'), re(`shocks\\[0\\]\\.start: ${DATE}, got \\[2020\\]`)],
  ['time.end a bare year equal to time.start', GOOD.replace('start: 2020-01-01, end: 2020-01-10', 'start: 2020, end: 2020'), re('time\\.end: expected a date after time\\.start \\(2020\\), got "2020"')],
  // mentions
  ['mentions: an unknown app in the list', attention('mentions: [Z]'), re('shocks\\[0\\]\\.mentions\\[0\\]: unknown platform "Z"; expected one of A, B')],
  ['mentions: an unknown app in the weights', attention('mentions: { Z: 1 }'), re('shocks\\[0\\]\\.mentions\\.Z: unknown platform "Z"; expected one of A, B')],
  ['mentions: an unknown region in weights per region', attention('mentions: { Y: { B: 1 } }'), re('shocks\\[0\\]\\.mentions\\.Y: unknown region "Y"; expected one of X or "all"')],
  ['mentions: an unknown app in one region', attention('mentions: { X: { Z: 1 } }'), re('shocks\\[0\\]\\.mentions\\.X\\.Z: unknown platform "Z"; expected one of A, B')],
  ['mentions: weights per region mixed with weights per app', attention('mentions: { X: { B: 1 }, A: 1 }'), re('shocks\\[0\\]\\.mentions\\.A: expected weights per region id \\(\\{ DE: \\{ Threema: 1 \\} \\}\\) for every key, or weights per app for every key')],
  ['mentions: a weight above 10', attention('mentions: { B: 11 }'), re('shocks\\[0\\]\\.mentions\\.B: expected number to be <=10, got 11')],
  ['mentions: a negative weight in one region', attention('mentions: { X: { B: -1 } }'), re('shocks\\[0\\]\\.mentions\\.X\\.B: expected number to be >=0, got -1')],
  ['mentions: a weight that is text', attention('mentions: { B: lots }'), re('shocks\\[0\\]\\.mentions\\.B: expected a weight from 0 to 10 \\(1 = the app of the story\\), or for weights per region id a mapping of apps to weights, got "lots"')],
  ['mentions: one app name, not a list', attention('mentions: Telegram'), re('shocks\\[0\\]\\.mentions: expected a list of apps \\(\\[Telegram, Signal\\]\\), weights per app \\(\\{ Telegram: 1, Signal: 0\\.5 \\}\\) or weights per region id \\(\\{ DE: \\{ Threema: 1 \\} \\}\\), got "Telegram"')],
  ['mentions: an empty list', attention('mentions: []'), re('shocks\\[0\\]\\.mentions: expected a list of at least 1 item, got \\[\\]')],
  ['media: an unknown region', attention('media: { Y: 1 }'), re('shocks\\[0\\]\\.media\\.Y: unknown region "Y"; expected one of X or "all"')],
  ['media: text', attention('media: loud'), re('shocks\\[0\\]\\.media: expected a number \\(1 = a major news story\\), or a number per region id \\(e\\.g\\. \\{ DE: 2, RoW: 0\\.5 \\}\\), got "loud"')],
  ['regions: one id, not a list', attention('regions: X'), re('shocks\\[0\\]\\.regions: expected "all" or a list of region ids \\(e\\.g\\. \\[RU\\] or \\[DE, CHAT\\]\\), got "X"')],
  ['regions: an empty list', attention('regions: []'), re('shocks\\[0\\]\\.regions: expected a list of at least 1 item, got \\[\\]')],
  // attention, connectivity, circumvention, trust
  ['a shock without its type', addShock('{ platforms: [B], start: 2020-01-03 }'), re('shocks\\[0\\]\\.type: missing; expected one of "outage", "block", "throttle", "trust", "promotion", "announcement", "attention", "connectivity", "circumvention"')],
  ['a shock type with a capital', addShock('{ type: Connectivity, start: 2020-01-03 }'), re('shocks\\[0\\]\\.type: expected one of "outage", "block", "throttle", "trust", "promotion", "announcement", "attention", "connectivity", "circumvention", got "Connectivity" \\(did you mean "connectivity"\\?\\)')],
  ['attention: an unknown topic', attention('topic: politics'), re('shocks\\[0\\]\\.topic: expected one of "general", "privacy", got "politics"')],
  ['attention: without platforms', addShock('{ type: attention, start: 2020-01-03 }'), re('shocks\\[0\\]\\.platforms: missing; expected a list')],
  ['connectivity: a share cut off above 1', connectivity('severity: 1.5'), re('shocks\\[0\\]\\.severity: expected number to be <=1, got 1\\.5')],
  ['connectivity: a slowdown above 1', connectivity('slowdown: 2'), re('shocks\\[0\\]\\.slowdown: expected number to be <=1, got 2')],
  ['connectivity: "share" for severity', connectivity('share: 0.5'), re('shocks\\[0\\]: unknown field "share"')],
  ['connectivity: an unknown exempt app', connectivity('exempt: [Z]'), re('shocks\\[0\\]\\.exempt\\[0\\]: unknown platform "Z"; expected one of A, B')],
  ['connectivity: one exempt app, not a list', connectivity('exempt: A'), re('shocks\\[0\\]\\.exempt: expected a list, got "A"')],
  ['connectivity: an app both hit and exempt', connectivity('platforms: [A, B], exempt: [B]'), re('shocks\\[0\\]\\.exempt\\[0\\]: expected an app the shock does not hit, "B" is also in platforms \\(the apps it hits\\)')],
  ['connectivity: both end and duration', connectivity('end: 2020-01-05, duration: 1d'), re('shocks\\[0\\]: expected either end or duration, not both')],
  ['circumvention: a hardness delta above 1', circumvention('hardness: 2'), re('shocks\\[0\\]\\.hardness: expected number to be <=1, got 2')],
  ['circumvention: a hardness delta below -1', circumvention('hardness: -1.5'), re('shocks\\[0\\]\\.hardness: expected number to be >=-1, got -1\\.5')],
  ['circumvention: "delta" for hardness', circumvention('delta: 0.2'), re('shocks\\[0\\]: unknown field "delta" \\(did you mean "hardness"\\?\\)')],
  ['circumvention: an unknown app', circumvention('hardness: 0.2, platforms: [Z]'), re('shocks\\[0\\]\\.platforms\\[0\\]: unknown platform "Z"; expected one of A, B')],
  ['trust: a magnitude below -1', addShock('{ type: trust, platforms: [A], start: 2020-01-03, magnitude: -2 }'), re('shocks\\[0\\]\\.magnitude: expected number to be >=-1, got -2')],
  ['trust: a magnitude as a percentage', addShock('{ type: trust, platforms: [A], start: 2020-01-03, magnitude: "-50%" }'), re('shocks\\[0\\]\\.magnitude: expected number, got "-50%"')],
  // platforms: dated changes, capacity, features
  ['a change adding an unknown feature', platformB('changes: [{ date: 2020-01-05, add: [stickers] }]'), re(`platforms\\[1\\]\\.changes\\[0\\]\\.add\\[0\\]: ${FEATURES}, got "stickers"`)],
  ['a change after time.end', platformB('changes: [{ date: 2021-01-05, add: [voice] }]'), re('platforms\\[1\\]\\.changes\\[0\\]\\.date: expected a date before time\\.end \\(2020-01-10\\), got "2021-01-05"')],
  ['a change before time.start', platformB('changes: [{ date: 2019, add: [voice] }]'), re('platforms\\[1\\]\\.changes\\[0\\]\\.date: expected a date at or after time\\.start \\(2020-01-01; the app as it is at the start is given by its own fields\\), got "2019"')],
  ['a change adding and removing one feature', platformB('changes: [{ date: 2020-01-05, add: [voice, proxy], remove: [proxy] }]'), re('platforms\\[1\\]\\.changes\\[0\\]\\.remove\\[0\\]: expected a feature not also added on the same date, "proxy" is in add too')],
  ['a change that changes nothing', platformB('changes: [{ date: 2020-01-05 }]'), re('platforms\\[1\\]\\.changes\\[0\\]: expected something that changes on that date: add, remove, quality, privacy, price or capacity')],
  ['a change with one feature, not a list', platformB('changes: [{ date: 2020-01-05, add: voice }]'), re('platforms\\[1\\]\\.changes\\[0\\]\\.add: expected a list, got "voice"')],
  ['changes as one mapping, not a list', platformB('changes: { date: 2020-01-05, add: [voice] }'), re('platforms\\[1\\]\\.changes: expected a list, got \\{"date":"2020-01-05","add":\\["voice"\\]\\}')],
  ['a change of capacity in an unknown region', platformB('changes: [{ date: 2020-01-05, capacity: { Y: 5 } }]'), re('platforms\\[1\\]\\.changes\\[0\\]\\.capacity\\.Y: unknown region "Y"; expected one of X or "all"')],
  ['a change of capacity past the limit', platformB('changes: [{ date: 2020-01-05, capacity: 1e12 }]'), re('platforms\\[1\\]\\.changes\\[0\\]\\.capacity: expected at most 1e9 sign-ups per hour, got 1e12')],
  ['a negative capacity', platformB('capacity: -5'), re('platforms\\[1\\]\\.capacity: expected number to be >0, got -5')],
  ['a negative capacity in one region', platformB('capacity: { X: -5 }'), re('platforms\\[1\\]\\.capacity\\.X: expected number to be >0, got -5')],
  ['capacity in an unknown region', platformB('capacity: { Y: 5 }'), re('platforms\\[1\\]\\.capacity\\.Y: unknown region "Y"; expected one of X or "all"')],
  ['capacity as text', platformB('capacity: lots'), re('platforms\\[1\\]\\.capacity: expected sign-ups per hour: a number, or a number per region id \\(e\\.g\\. \\{ DE: 20000, all: 360000 \\}\\), got "lots"')],
  ['feature "slow links" with a space', platformB('features: [slow links]'), re(`platforms\\[1\\]\\.features\\[0\\]: ${FEATURES}, got "slow links" \\(did you mean "slow-links"\\?\\)`)],
  ['feature "proxies"', platformB('features: [proxies]'), re(`platforms\\[1\\]\\.features\\[0\\]: ${FEATURES}, got "proxies"`)],
  ['one feature, not a list', platformB('features: proxy'), re('platforms\\[1\\]\\.features: expected a list, got "proxy"')],
  // regions: universes, growth
  ['a universe share above 1', regionX('universes: { adults: 1.2 }'), re('regions\\[0\\]\\.universes\\.adults: expected number to be <=1, got 1\\.2')],
  ['a universe share of 0', regionX('universes: { adults: 0 }'), re('regions\\[0\\]\\.universes\\.adults: expected number to be >0, got 0')],
  ['universes as a list', regionX('universes: [adults]'), re('regions\\[0\\]\\.universes: expected a mapping, got \\["adults"\\]')],
  ['more universes than the engine can hold', regionX(`universes: { ${Array.from({ length: 9 }, (_, k) => `u${k}: 0.5`).join(', ')} }`), re('regions\\[0\\]\\.universes\\.u8: expected at most 8 universes in a scenario \\(the engine stores a person\'s universes in one byte\\), "u8" is number 9')],
  ['growth of 5 a year', regionX('growth: 5'), re('regions\\[0\\]\\.growth: expected number to be <=1, got 5')],
  ['growth as a percentage', regionX('growth: "2%"'), re('regions\\[0\\]\\.growth: expected number, got "2%"')],
  // figures: universe, relativeTo, ratios, bounds, kind
  ['a figure on an undeclared universe', figure2('value: 10, universe: adults'), re('figures\\[1\\]\\.universe: unknown universe "adults" in region X; expected one of its universes \\(none declared\\)')],
  ['a figure on a universe one of its regions lacks', GOOD.replace('regions:\n', 'regions:\n  - { id: Y, population: 1000, apps: { A: 0.5 }, universes: { adults: 0.8 } }\n') + '  - { id: f2, platform: B, metric: mau, region: [Y, X], date: 2020-01-05, value: 10, universe: adults }\n', re('figures\\[1\\]\\.universe: unknown universe "adults" in region X; expected one of its universes \\(none declared\\)')],
  ['relativeTo an unknown platform', ratio('"+15%"', '{ platform: Z }'), re('figures\\[1\\]\\.relativeTo\\.platform: unknown platform "Z"; expected one of A, B')],
  ['relativeTo an unknown region', ratio('"+15%"', '{ region: Y }'), re('figures\\[1\\]\\.relativeTo\\.region: unknown region "Y"; expected one of X or "all"')],
  ['relativeTo an unknown universe', ratio('"+15%"', '{ universe: adults }'), re('figures\\[1\\]\\.relativeTo\\.universe: unknown universe "adults" in region X; expected one of its universes \\(none declared\\)')],
  ['relativeTo a metric that does not exist', ratio('"+15%"', '{ metric: downloads }'), re('figures\\[1\\]\\.relativeTo\\.metric: expected one of "signups", "installs", "dau", "mau", "primary", "installed", "users", got "downloads"')],
  ['relativeTo itself: nothing changed', ratio('"+15%"', '{}'), re("figures\\[1\\]\\.relativeTo: expected another date, window, platform, metric, region or universe than the figure's own; as written the ratio is 1 whatever happens")],
  ['relativeTo itself: its own date, platform and region', ratio('"+15%"', '{ date: 2020-01-04, platform: B, region: [X] }'), re("figures\\[1\\]\\.relativeTo: expected another date, window, platform, metric, region or universe than the figure's own; as written the ratio is 1 whatever happens")],
  ['relativeTo a date outside the time span', ratio('"+15%"', '{ date: 2019-01-04 }'), re("figures\\[1\\]\\.relativeTo\\.date: expected the window it is relative to \\(2019-01-04\\) inside the scenario's time span 2020-01-01 \\.\\. 2020-01-10")],
  ['relativeTo a window that runs past time.end', figure2('value: "x2", relativeTo: { window: 7d }'), re("figures\\[1\\]\\.relativeTo\\.window: expected the window it is relative to \\(2020-01-04 \\+ 7d\\) inside the scenario's time span 2020-01-01 \\.\\. 2020-01-10")],
  ['sign-ups at an instant (a date-time without a window)', `${GOOD}  - { id: f2, platform: B, metric: signups, date: "2020-01-04T10:00Z", value: 5 }\n`, re('figures\\[1\\]\\.window: missing; expected the window signups are counted over, e\\.g\\. "24h" \\(2020-01-04T10:00Z is an instant, not a period\\)')],
  ['installs in a day relative to an instant', `${GOOD}  - { id: f2, platform: B, metric: installs, date: 2020-01-04, value: "x2", relativeTo: { date: "2020-01-02T10:00Z" } }\n`, re('figures\\[1\\]\\.relativeTo\\.window: missing; expected the window installs are counted over, e\\.g\\. "24h" \\(2020-01-02T10:00Z is an instant, not a period\\)')],
  ['a ratio of shares of the total', figure2('value: 1.5, as: share-of-total, relativeTo: { date: 2020-01-02 }'), re('figures\\[1\\]\\.as: expected count or percent for a relative figure \\(a ratio of shares of the total is not supported\\)')],
  ['ratio "15%%"', ratio('"15%%"'), re(`figures\\[1\\]\\.value: ${RATIO_TEXT}, got "15%%"`)],
  ['ratio "x"', ratio('"x"'), re(`figures\\[1\\]\\.value: ${RATIO_TEXT}, got "x"`)],
  ['ratio "+-3%"', ratio('"+-3%"'), re(`figures\\[1\\]\\.value: ${RATIO_TEXT}, got "\\+-3%"`)],
  ['ratio "15%" without its sign', ratio('"15%"'), re(`figures\\[1\\]\\.value: ${RATIO_TEXT}, got "15%"`)],
  ['ratio "5xx"', ratio('"5xx"'), re(`figures\\[1\\]\\.value: ${RATIO_TEXT}, got "5xx"`)],
  ['ratio "x1e9"', ratio('"x1e9"'), re(`figures\\[1\\]\\.value: ${RATIO_TEXT}, got "x1e9"`)],
  ['ratio "-150%" (below nothing)', ratio('"-150%"'), re(`figures\\[1\\]\\.value: ${RATIO_RANGE}, got "-150%" \\(-0\\.5\\)`)],
  ['ratio "-100%" (zero, not comparable on a log scale)', ratio('"-100%"'), re(`figures\\[1\\]\\.value: ${RATIO_RANGE}, got "-100%" \\(0\\)`)],
  ['ratio "x0"', ratio('"x0"'), re(`figures\\[1\\]\\.value: ${RATIO_RANGE}, got "x0" \\(0\\)`)],
  ['a ratio of 0 as a number', ratio('0'), re(`figures\\[1\\]\\.value: ${RATIO_RANGE}, got 0`)],
  ['a ratio of ten million', ratio('"x10000000"'), re(`figures\\[1\\]\\.value: ${RATIO_RANGE}, got "x10000000" \\(1e7\\)`)],
  ['a negative upper bound on a ratio', figure2('high: -2, relativeTo: { date: 2020-01-02 }'), re('figures\\[1\\]\\.high: expected a ratio above 0 and at most 1e6 \\(1 = the same as what it is relative to; "-16%" is 0\\.84, "x5" is 5\\), got -2')],
  ['a ratio without relativeTo', figure2('value: "+15%"'), re('figures\\[1\\]\\.value: expected a number; a ratio such as "\\+15%" needs relativeTo \\(what it is relative to\\)')],
  ['a number in quotes', figure2('value: "1000"'), re(`figures\\[1\\]\\.value: ${RATIO_TEXT}, got "1000"`)],
  ['bounds equal', figure2('low: 5, high: 5'), re('figures\\[1\\]\\.high: expected high > low \\(5\\), got 5 \\(for an exact figure give value alone\\)')],
  ['bounds inverted', figure2('low: 50, high: 5'), re('figures\\[1\\]\\.high: expected high > low \\(50\\), got 5')],
  ['a value with both bounds equal to it', figure2('value: 5, low: 5, high: 5'), re('figures\\[1\\]\\.high: expected high > low \\(5\\), got 5 \\(for an exact figure give value alone\\)')],
  ['a negative lower bound alone', figure2('low: -5'), re('figures\\[1\\]\\.low: expected a number of people from 0 to 1e11, got -5')],
  ['an upper bound of 0', figure2('high: 0'), re('figures\\[1\\]\\.high: expected a value above 0 \\(figures are compared on a log scale; for "none" or "hardly any" give an upper bound such as high: 100\\), got 0')],
  ['a scored value of 0', figure2('value: 0'), re('figures\\[1\\]\\.value: expected a value above 0 \\(figures are compared on a log scale; for "none" or "hardly any" give an upper bound such as high: 100\\), got 0')],
  ['an upper bound that is text', figure2('high: lots'), re('figures\\[1\\]\\.high: expected number, got "lots"')],
  ['an unknown kind', figure2('value: 5, kind: guess'), re('figures\\[1\\]\\.kind: expected one of "claim", "estimate", "panel", "survey", got "guess"')],
  ['a region that is a number', figure2('value: 5, region: 5'), re('figures\\[1\\]\\.region: expected a region id, a list of region ids or "all", got 5')],
  // fitted: prior, path lists
  ['a prior centre outside [min, max]', fittedMedia('prior: { centre: 10, spread: 0.3 }'), re('fitted\\[0\\]\\.prior\\.centre: expected a value in \\[0\\.1, 5\\], got 10')],
  ['a prior spread of 0', fittedMedia('prior: { centre: 1, spread: 0 }'), re('fitted\\[0\\]\\.prior\\.spread: expected number to be >0, got 0')],
  ['a negative prior spread', fittedMedia('prior: { centre: 1, spread: -1 }'), re('fitted\\[0\\]\\.prior\\.spread: expected number to be >0, got -1')],
  ['a prior without its spread', fittedMedia('prior: { centre: 1 }'), re('fitted\\[0\\]\\.prior\\.spread: missing; expected number')],
  ['a prior "mean" for centre', fittedMedia('prior: { mean: 1, spread: 0.2 }'), re('fitted\\[0\\]\\.prior: unknown field "mean" \\(did you mean "centre"\\?\\)')],
  ['a prior that is one number', fittedMedia('prior: 1'), re('fitted\\[0\\]\\.prior: expected a mapping, got 1')],
  ['a path list naming a field not in the file', `${GOOD}fitted:\n  - { name: loud, path: ["shocks[0].media", "shocks[5].media"], min: 0.1, max: 5 }\n`, re('fitted\\[0\\]\\.path\\[1\\]: expected a path to a number in this file \\(e\\.g\\. "shocks\\[0\\]\\.media"\\), "shocks\\[5\\]\\.media" is not in the file')],
  ['a path list naming a field that is not a number', `${GOOD}fitted:\n  - { name: loud, path: ["shocks[0].media", "shocks[0].type"], min: 0.1, max: 5 }\n`, re('fitted\\[0\\]\\.path\\[1\\]: expected a path to a number in this file \\(e\\.g\\. "shocks\\[0\\]\\.media"\\), "shocks\\[0\\]\\.type" is "outage"')],
  ['a path list naming one field twice', `${GOOD}fitted:\n  - { name: loud, path: ["shocks[0].media", "shocks.0.media"], min: 0.1, max: 5 }\n`, re('fitted\\[0\\]\\.path\\[1\\]: expected each path once, "shocks\\.0\\.media" is also fitted\\[0\\]\\.path\\[0\\]')],
  ['an empty path list', `${GOOD}fitted:\n  - { name: loud, path: [], min: 0.1, max: 5 }\n`, re('fitted\\[0\\]\\.path: expected a list of at least 1 item, got \\[\\]')],
  ['a path that is a number', `${GOOD}fitted:\n  - { name: loud, path: 5, min: 0.1, max: 5 }\n`, re('fitted\\[0\\]\\.path: expected a path in this file such as "shocks\\[0\\]\\.media", or a list of them, got 5')],
  ['a path list with brackets unquoted', `${GOOD}fitted:\n  - { name: loud, path: [shocks[0].media], min: 0.1, max: 5 }\n`, re('line 15, column 32: not valid YAML/JSON: Missing , or : between flow sequence items \\(inside \\[ \\] or \\{ \\}, a value that contains \\[ \\] \\{ \\} , or ": " must be quoted, e.g\\. path: \\["shocks\\[0\\]\\.media"\\]\\)')],
  ['fitted bounds past a documented limit', `${GOOD}fitted:\n  - { name: loud, path: "shocks[0].media", min: 0.1, max: 500 }\n`, re('fitted\\[0\\]\\.max: expected a bound that shocks\\[0\\]\\.media accepts \\(expected at most 100 \\(1 = a major news story\\)\\), got 500')],
];

describe('the newer format features refuse bad input with one line: file, field path, what was expected', () => {
  for (const [what, text, expected] of FEATURE_CASES) {
    it(what, () => {
      const msg = error(text);
      expect(msg).toMatch(expected);
      expect(msg.split('\n')).toHaveLength(1);
    });
  }

  it('exodus validate prints the same line for each of them, exits 2 and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-features-'));
    const files = FEATURE_CASES.map((_, k) => join(dir, `case-${String(k).padStart(3, '0')}.yaml`));
    FEATURE_CASES.forEach(([, text], k) => writeFileSync(files[k], text));
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'exodus.mjs'), 'validate', ...files], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(FEATURE_CASES.length + 1);
    FEATURE_CASES.forEach(([what, , expected], k) => {
      const cli = new RegExp(expected.source.replace(/^\^bad\\\.yaml: /, `^exodus validate: ${files[k].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(lines[k], what).toMatch(cli);
    });
    expect(lines[FEATURE_CASES.length]).toBe(`exodus validate: ${FEATURE_CASES.length} of ${FEATURE_CASES.length} files have problems`);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.slice(dir.length + 1)));
  });
});

describe('what the newer features accept, and the value it means', () => {
  const load = (text: string) => loadScenarioText(text, 'good.yaml').scenario;
  it('unquoted years and months: dates as the text they mean, a year figure covering the whole year', () => {
    const s = load(
      GOOD.replace('start: 2020-01-01, end: 2020-01-10, step: 1h', 'start: 2018, end: 2020, step: 1d')
        .replace('start: 2020-01-03, duration: 6h', 'start: 2018-04, duration: 6h')
        .replace('- { id: B }', '- { id: B, launch: 2019, changes: [{ date: 2019-06, add: [proxy] }] }')
        .replace('date: 2020-01-03, window: 24h', 'date: 2019'),
    );
    expect([s.time.start, s.time.end, s.shocks[0].start, s.platforms[1].launch, s.platforms[1].changes[0].date, s.figures[0].date]).toEqual(['2018', '2020', '2018-04', '2019', '2019-06', '2019']);
    expect(figureWindow(s.figures[0], s)).toEqual({ from: 365, to: 730 });
    expect(compileShocks(s)[0].start).toBe(31 + 28 + 31);
    expect(compilePlatforms(s)[1]).toMatchObject({ launchDay: 365, changes: [{ day: 365 + 151, add: ['proxy'], remove: [] }] });
  });
  it('an outage given by its end lasts as long as one given by its duration; it needs one of the two, not both', () => {
    const span = (text: string) => {
      const sh = compileShocks(load(text))[0];
      return [sh.start, sh.end];
    };
    expect(span(GOOD.replace('duration: 6h', 'end: "2020-01-03T06:00Z"'))).toEqual(span(GOOD));
    expect(span(GOOD)[1] - span(GOOD)[0]).toBeCloseTo(0.25, 12);
    expect(error(GOOD.replace(', duration: 6h', ''))).toBe('bad.yaml: shocks[0]: expected the outage\'s duration (e.g. "6h") or its end (a date)');
    expect(error(GOOD.replace('duration: 6h', 'duration: 6h, end: "2020-01-03T06:00Z"'))).toBe('bad.yaml: shocks[0]: expected either end or duration, not both');
    expect(error(GOOD.replace('duration: 6h', 'end: 2020-01-02'))).toMatch(/^bad\.yaml: shocks\[0\]\.end: expected a date after start/);
  });
  it('a flow mapping with a quoted comma keeps the whole label', () => {
    expect(load(GOOD.replace('duration: 6h', 'duration: 6h, label: "Facebook, Messenger down"')).shocks[0].label).toBe('Facebook, Messenger down');
  });
  it('mentions as a list, as weights and as weights per region (regions not named get none)', () => {
    const two = GOOD.replace('regions:\n', 'regions:\n  - { id: Y, population: 1000, apps: { A: 0.5 } }\n');
    const weights = (m: string) => {
      const s = load(two.replace('duration: 6h', `duration: 6h, mentions: ${m}`));
      const sh = compileShocks(s)[0];
      return s.regions.map((r, k) => Object.fromEntries(s.platforms.map((p, a) => [p.id, sh.mentions[k * s.platforms.length + a]])));
    };
    expect(weights('[B]')).toEqual([{ A: 0, B: 1 }, { A: 0, B: 1 }]);
    expect(weights('{ A: 0.5, B: 2 }')).toEqual([{ A: 0.5, B: 2 }, { A: 0.5, B: 2 }]);
    expect(weights('{ X: { B: 1 } }')).toEqual([{ A: 0, B: 0 }, { A: 0, B: 1 }]);
  });
  it('ratio strings as the ratio they state, with relativeTo', () => {
    const values = ['"+15%"', '"-16%"', '"x5"', '"5x"', '" x 2.5 "', '"23.7x"', '1.5'].map((v) => load(figure2(`value: ${v}, relativeTo: { date: 2020-01-02 }`)).figures[1].value);
    expect(values).toEqual([1.15, expect.closeTo(0.84, 12), 5, 5, 2.5, 23.7, 1.5]);
  });
  it('a ratio to another app on the same day is not a ratio to itself', () => {
    const s = load(figure2('value: "x2", relativeTo: { platform: A }'));
    expect(observation(s.figures[1], s).relativeTo).toMatchObject({ platform: 'A', metric: 'signups', from: 3, to: 4 });
  });
  it('one-sided bounds, kind, and a ratio bound', () => {
    const s = load(`${figure2('low: 100, kind: claim')}  - { id: f3, platform: B, metric: signups, date: 2020-01-04, window: 24h, high: 5000, kind: estimate }\n  - { id: f4, platform: B, metric: signups, date: 2020-01-05, window: 24h, low: 5, relativeTo: { date: 2020-01-02 } }\n`);
    expect(s.figures.slice(1).map((f) => [f.low, f.high, f.value, f.kind])).toEqual([
      [100, undefined, 100, 'claim'],
      [undefined, 5000, 5000, 'estimate'],
      [5, undefined, 5, undefined],
    ]);
  });
  it('fitted with a prior and a path list', () => {
    const two = GOOD.replace('shocks:\n', 'shocks:\n  - { type: attention, platforms: [B], start: 2020-01-04, media: 1 }\n');
    const s = load(`${two}fitted:\n  - { name: loud, path: ["shocks[0].media", "shocks[1].media"], min: 0.1, max: 5, prior: { centre: 1, spread: 0.3 } }\n`);
    expect(s.fitted[0]).toMatchObject({ path: ['shocks[0].media', 'shocks[1].media'], scale: 'log', prior: { centre: 1, spread: 0.3 } });
  });
  it('the other shock types, a negative trust magnitude, capacity per region, universes and growth', () => {
    const s = load(
      GOOD.replace('apps: { A: 0.8, B: 0.1 } }', 'apps: { A: 0.8, B: 0.1 }, universes: { adults: 0.86 }, growth: 0.02 }')
        .replace('- { id: B }', '- { id: B, features: [slow-links, proxy], capacity: { X: 500, all: 1000 } }')
        .replace(
          'shocks:\n',
          'shocks:\n  - { type: trust, platforms: [B], start: 2020-01-02, magnitude: -0.5 }\n  - { type: connectivity, start: 2020-01-02, end: 2020-01-04, severity: 0.3, exempt: [B] }\n  - { type: block, platforms: [A], start: 2020-01-02 }\n  - { type: circumvention, platforms: [A], start: 2020-01-05, hardness: -0.2 }\n',
        ) + '  - { id: f2, platform: B, metric: mau, date: 2020-01-05, as: percent, universe: adults, value: 12 }\n',
    );
    const [trust, net, , circ] = compileShocks(s);
    expect(trust).toMatchObject({ magnitude: -0.5, privacyNews: true });
    expect(trust.mentions[1]).toBe(1); // good news names its own app
    expect(net).toMatchObject({ severity: 0.3, exempt: [1], platforms: [0, 1], start: 1, end: 3 });
    expect(circ).toMatchObject({ hardness: -0.2, platforms: [0] });
    expect([...compilePlatforms(s)[1].capacity]).toEqual([500, 1000]);
    const input = compileScenario(s);
    expect(input.universes).toEqual(['adults']);
    expect(input.regions[0]).toMatchObject({ universeShare: [0.86], growth: expect.closeTo(Math.log(1.02) / 365.25, 15) });
    expect(loadScenarioText(GOOD.replace('shocks:\n', 'shocks:\n  - { type: block, platforms: [A], start: 2020-01-02 }\n  - { type: circumvention, platforms: [A], start: 2020-01-05, hardness: 0.3 }\n'), 'good.yaml').warnings).toEqual([]);
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
  it('a circumvention with no block to act on, and per-region weights for a region the shock does not reach', () => {
    const two = GOOD.replace('regions:\n', 'regions:\n  - { id: Y, population: 1000, apps: { A: 0.5 } }\n');
    const warnings = (shocks: string) => loadScenarioText(two.replace('shocks:\n', `shocks:\n${shocks}`), 'odd.yaml').warnings;
    expect(warnings('  - { type: circumvention, start: 2020-01-02, hardness: 0.3 }\n')).toEqual(['shocks[0]: the scenario has no block shock; the circumvention has no effect']);
    expect(warnings('  - { type: block, platforms: [A], start: 2020-01-02 }\n  - { type: circumvention, platforms: [A, B], start: 2020-01-02, hardness: 0.3 }\n')).toEqual([
      'shocks[1].platforms[1]: no block shock blocks B; the circumvention has no effect on it',
    ]);
    expect(warnings('  - { type: attention, platforms: [B], regions: [X], start: 2020-01-02, media: { X: 1, Y: 2 }, mentions: { Y: { B: 1 } } }\n')).toEqual([
      "shocks[0].media.Y: Y is not among the shock's regions (X); this has no effect",
      "shocks[0].mentions.Y: Y is not among the shock's regions (X); this has no effect",
    ]);
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
