// What the model must do, as mechanisms on a small market (defaults), and plausibility checks that
// hold for parameters drawn from the prior, not only at the optimum (the prior predictive checks).
import { describe, expect, it } from 'vitest';
import { loadScenarioText, type LoadedScenario } from '../src/scenarios/load.ts';
import { simulateScenario, observation } from '../src/scenarios/compile.ts';
import { resolveParams, PARAM_SPECS, type Params } from '../src/model/params.ts';
import { flowIn, stockAt, regionIndices, platformIndex, type RunResult } from '../src/model/results.ts';
import { observe } from '../src/model/observe.ts';
import { loadScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { makeRng } from '../src/model/rng.ts';
import { buildSpace, candidateOf, priorDraw } from '../src/calibrate/space.ts';

/** A one-region market: Big (dominant), Alt (where some contacts are), Named (small), Slow (2G). */
function market(o: { shocks?: string; days?: number; hourlyFrom?: string; extra?: string; platforms?: string; region?: string; circumvention?: string; apps?: string } = {}): LoadedScenario {
  const days = o.days ?? 60;
  const end = new Date(Date.UTC(2020, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);
  return loadScenarioText(
    `
name: test-market
title: test market
time:
  start: 2020-01-01
  end: ${end}
  step: 1d
  schedule: ${o.hourlyFrom ? `[{ from: ${o.hourlyFrom}, step: 1h }, { from: 2020-01-25, step: 1d }]` : '[]'}
agents: 6000
regions:
  - id: X
    population: 10000000
    circumvention: ${o.circumvention ?? '{ mean: 0.2, sd: 1.5 }'}
    ${o.region ?? ''}
    apps: ${o.apps ?? '{ Big: 0.85, Alt: 0.2, Named: 0.02, Slow: 0.01 }'}
platforms:
${o.platforms ?? `  - { id: Big, features: [voice, e2ee], privacy: 0.5 }
  - { id: Alt, features: [voice], privacy: 0.6 }
  - { id: Named, features: [voice, e2ee], privacy: 0.9 }
  - { id: Slow, features: [voice, slow-links], privacy: 0.4 }`}
shocks: ${o.shocks ?? '[]'}
${o.extra ?? ''}
`,
    'test-market.yaml',
  );
}

const run = (l: LoadedScenario, params: Partial<Params> = {}, seed = 1, agents?: number) => simulateScenario(l.scenario, resolveParams(params), { seed, agents }, { hash: l.hash });
const X = (r: RunResult) => regionIndices(r, 'all');
const app = (r: RunResult, id: string) => platformIndex(r, id);
const signups = (r: RunResult, id: string, from: number, to: number) => flowIn(r, 'signups', X(r), app(r, id), from, to);
const mau = (r: RunResult, id: string, t: number) => stockAt(r, 'mau', X(r), app(r, id), t);
const primary = (r: RunResult, id: string, t: number) => stockAt(r, 'primary', X(r), app(r, id), t);
const switchesAmongApps = (r: RunResult) => {
  const K = r.platforms.length;
  let s = 0;
  for (let i = 0; i < K * K; i++) s += r.switches[i];
  return s;
};

// 2020-01-10 18:00 = day 9.75
const OUTAGE = (o: { hours?: number; severity?: number; mentions?: string; media?: number } = {}) =>
  `[{ type: outage, platforms: [Big], start: "2020-01-10T18:00Z", duration: ${o.hours ?? 6}h, severity: ${o.severity ?? 1}, media: ${o.media ?? 1}${o.mentions ? `, mentions: ${o.mentions}` : ''} }]`;

describe('outages', () => {
  const calm = run(market({ hourlyFrom: '2020-01-10' }));
  const hit = run(market({ hourlyFrom: '2020-01-10', shocks: OUTAGE() }));
  it('an app that is down gains nobody while it is down', () => {
    expect(signups(hit, 'Big', 9.75, 10)).toBe(0);
  });
  it('sends some people to the alternatives, more than on an ordinary day', () => {
    const extra = signups(hit, 'Alt', 9.75, 10.75) + signups(hit, 'Named', 9.75, 10.75);
    const usual = signups(calm, 'Alt', 9.75, 10.75) + signups(calm, 'Named', 9.75, 10.75);
    expect(extra).toBeGreaterThan(usual);
  });
  it('most people wait: sign-ups in the day are a small share of the people hit', () => {
    const hitPeople = primary(hit, 'Big', 9);
    const moved = signups(hit, 'Alt', 9.75, 10.75) + signups(hit, 'Named', 9.75, 10.75) + signups(hit, 'Slow', 9.75, 10.75);
    expect(moved / hitPeople).toBeLessThan(0.1);
  });
  it('most come back: main apps are where they were a month later', () => {
    expect(primary(hit, 'Big', 40) / primary(calm, 'Big', 40)).toBeGreaterThan(0.97);
  });
  it('a longer outage moves more people than a shorter one (same parameters)', () => {
    const long = run(market({ hourlyFrom: '2020-01-10', shocks: OUTAGE({ hours: 14 }) }));
    const short = run(market({ hourlyFrom: '2020-01-10', shocks: OUTAGE({ hours: 2 }) }));
    const moved = (r: RunResult) => signups(r, 'Alt', 9.75, 11) + signups(r, 'Named', 9.75, 11);
    expect(moved(long)).toBeGreaterThan(moved(short));
  });
  it('a partial outage moves fewer of the people it hits than a total one (it looks like their phone)', () => {
    // Media 0 so that only the people hit act; per person hit, a total outage (everyone's contacts
    // down too) sends a larger share elsewhere than one that hits a fifth of the users.
    const quiet = (severity: number) => run(market({ hourlyFrom: '2020-01-10', shocks: OUTAGE({ severity }).replace('media: 1', 'media: 0') }), { considerBase: 0.001 });
    const calmQuiet = run(market({ hourlyFrom: '2020-01-10' }), { considerBase: 0.001 });
    const extra = (r: RunResult) => ['Alt', 'Named', 'Slow'].reduce((s, a) => s + signups(r, a, 9.75, 10.5) - signups(calmQuiet, a, 9.75, 10.5), 0);
    const perHit = (severity: number) => extra(quiet(severity)) / (severity * primary(calmQuiet, 'Big', 9));
    const total = perHit(1);
    expect(total).toBeGreaterThan(0);
    expect(perHit(0.2)).toBeLessThan(0.6 * total);
  });
  it('news that names an app leans the trials towards it', () => {
    const named = run(market({ hourlyFrom: '2020-01-10', shocks: OUTAGE({ mentions: '[Named]' }) }));
    expect(signups(named, 'Named', 9.75, 12)).toBeGreaterThan(signups(hit, 'Named', 9.75, 12));
  });
  it('a story twice as loud moves at most about twice the people to the app it names (loudness sets who hears, not how hard the app pulls)', () => {
    // Before, the named app's pull was betaMention x loudness x weight: doubling the loudness of a
    // total outage that named an alternative multiplied its sign-ups by 13 (shipped calibration,
    // a scenario of the 2021 outage) and sent a third of the world's WhatsApp users to it in a day.
    const named = (media: number) => signups(run(market({ hourlyFrom: '2020-01-10', shocks: OUTAGE({ mentions: '[Named]', media }) }), { betaMention: 4 }), 'Named', 9.75, 10.75);
    const once = named(1);
    expect(once).toBeGreaterThan(0);
    expect(named(2) / once).toBeLessThan(2.5);
    expect(named(4) / once).toBeLessThan(5);
  });
  it('the apps in the news for failing gain no one from it: 2019, the week after the outage, no more sign-ups than without it', () => {
    // The news of the outage makes their users reconsider; none of them picks an app that just
    // failed (the issue's chart had WhatsApp, Messenger and Instagram gaining millions a day).
    const loaded = loadScenario('facebook-outage-2019');
    const r0 = resolveRun(loaded, {});
    // 100,000 agents: at 20,000 a week of these apps' sign-ups is a dozen agents (one agent is
    // 120,000 people), and chance alone can put the week with the outage above the calm one.
    const go = (shocks: typeof r0.scenario.shocks) => simulateScenario({ ...r0.scenario, shocks }, r0.params, { seed: 1, agents: 100000 }, { hash: loaded.hash });
    const hit = go(r0.scenario.shocks);
    const calm = go([]);
    for (const a of ['WhatsApp', 'Messenger', 'Instagram']) {
      // 13 March 16:00 UTC is day 12.67; the outage ends at 13.25.
      expect(signups(hit, a, 12.67, 20), a).toBeLessThanOrEqual(1.1 * signups(calm, a, 12.67, 20) + 1);
    }
  });
  it('a shock shorter than a step is not skipped (steps are cut at its start and end)', () => {
    const daily = run(market({ shocks: OUTAGE({ hours: 4 }) }));
    expect(daily.stepTimes.some((t) => Math.abs(t - 9.75) < 1e-9)).toBe(true);
    expect(signups(daily, 'Alt', 9.75, 10.75) + signups(daily, 'Named', 9.75, 10.75)).toBeGreaterThan(signups(calm, 'Alt', 9.75, 10.75) + signups(calm, 'Named', 9.75, 10.75));
  });
});

describe('word of mouth', () => {
  it('names the app: contacts of new users lean towards the app they were told about', () => {
    // A promotion with no news seeds Named; after it ends, its spread through contacts is larger
    // when an app named to a person weighs more (betaMention), the only change between the runs.
    const seed = market({ days: 90, shocks: '[{ type: promotion, platforms: [Named], start: 2020-01-05, end: 2020-01-15, bonus: 4, media: 0 }]' });
    const after = (betaMention: number) => signups(run(seed, { betaMention }), 'Named', 15, 90);
    expect(after(5)).toBeGreaterThan(1.5 * after(0));
  });
});

describe('news without harm, good news, anticipation', () => {
  const calm = run(market());
  it('an attention shock raises sign-ups of the apps it names, and nothing fails', () => {
    const att = run(market({ shocks: '[{ type: attention, platforms: [Named], start: 2020-01-10, media: 2 }]' }));
    expect(signups(att, 'Named', 9, 16)).toBeGreaterThan(2 * signups(calm, 'Named', 9, 16) + 1);
    expect(primary(att, 'Big', 30) / primary(calm, 'Big', 30)).toBeGreaterThan(0.97);
  });
  it('a privacy scare moves people; good news (a negative magnitude) does not', () => {
    // (20,000 agents: at the prior's centre a small named app gains a few dozen of them.)
    const scare = run(market({ shocks: '[{ type: trust, platforms: [Big], start: 2020-01-10, magnitude: 0.4, media: 2, mentions: [Named] }]' }), {}, 1, 20000);
    const good = run(market({ shocks: '[{ type: trust, platforms: [Big], start: 2020-01-10, magnitude: -0.2, media: 2 }]' }), {}, 1, 20000);
    expect(signups(scare, 'Named', 9, 30)).toBeGreaterThan(signups(good, 'Named', 9, 30));
  });
  it('an announced block moves people before it takes effect', () => {
    const ann = run(
      market({
        hourlyFrom: '2020-01-10',
        shocks: `[{ type: announcement, platforms: [Big], start: "2020-01-10T12:00Z", until: "2020-01-11T00:00Z", threat: 0.8, media: 2 },
                  { type: block, platforms: [Big], start: "2020-01-11T00:00Z", hardness: 0.5, media: 1 }]`,
      }),
    );
    const inWindow = signups(ann, 'Alt', 9.5, 10) + signups(ann, 'Named', 9.5, 10);
    const usual = signups(calm, 'Alt', 9.5, 10) + signups(calm, 'Named', 9.5, 10);
    expect(inWindow).toBeGreaterThan(2 * usual + 1);
  });
});

describe('blocks and circumvention', () => {
  const blockAt = (extraShock = '', features = '[voice, e2ee]') =>
    market({
      days: 90,
      platforms: `  - { id: Big, features: ${features}, privacy: 0.5 }
  - { id: Alt, features: [voice], privacy: 0.6 }
  - { id: Named, features: [voice, e2ee], privacy: 0.9 }
  - { id: Slow, features: [voice, slow-links], privacy: 0.4 }`,
      shocks: `[{ type: block, platforms: [Big], start: 2020-01-10, hardness: 0.4, media: 1 }${extraShock}]`,
    });
  const before = (r: RunResult) => mau(r, 'Big', 8);
  it('a large app keeps most of its users through a block people learn to get round', () => {
    const r = run(blockAt());
    // More keep it than could get round it at the start (skill >= 0.4 is ~17% here): they learn.
    expect(mau(r, 'Big', 60) / before(r)).toBeGreaterThan(0.5);
  });
  it('circumvention is learnt: it costs more to learn, fewer keep the app', () => {
    const easy = run(blockAt(), { circCost: 1 });
    const hard = run(blockAt(), { circCost: 12 });
    expect(mau(easy, 'Big', 60)).toBeGreaterThan(mau(hard, 'Big', 60));
  });
  it('a VPN ban makes it harder; a built-in proxy easier', () => {
    const plain = run(blockAt());
    const ban = run(blockAt(', { type: circumvention, start: 2020-01-10, hardness: 0.4 }'));
    const proxy = run(blockAt('', '[voice, e2ee, proxy]'));
    expect(mau(ban, 'Big', 60)).toBeLessThan(mau(plain, 'Big', 60));
    expect(mau(proxy, 'Big', 60)).toBeGreaterThan(mau(plain, 'Big', 60) * 0.98);
  });
  it('an app kept beside the main one survives a block among those who learn to get round it', () => {
    // Everyone starts with the same skill (0.2), below the block's 0.5: nobody gets round it
    // without learning. Alt is nobody's only app; its users who keep it at day 60 learnt.
    const alt = (circCost: number) =>
      run(
        market({ days: 90, circumvention: '{ mean: 0.2, sd: 0 }', shocks: '[{ type: block, platforms: [Alt], start: 2020-01-10, hardness: 0.5, media: 1 }]' }),
        { circCost },
      );
    const easy = alt(1);
    const dau = (r: RunResult, t: number) => stockAt(r, 'dau', X(r), app(r, 'Alt'), t);
    expect(dau(easy, 60)).toBeGreaterThan(0.2 * dau(easy, 8));
    expect(dau(alt(12), 60)).toBeLessThan(dau(easy, 60));
  });
  it('a block of hardness 1 is got round by nobody, main app or not', () => {
    const r = run(market({ days: 90, shocks: '[{ type: block, platforms: [Big, Alt], start: 2020-01-10, hardness: 1, media: 1 }]' }), { circCost: 0.5 });
    expect(stockAt(r, 'dau', X(r), app(r, 'Big'), 60)).toBe(0);
    expect(stockAt(r, 'dau', X(r), app(r, 'Alt'), 60)).toBe(0);
  });
  it('people whose app is blocked and cannot get round it go elsewhere', () => {
    const r = run(blockAt(), { circCost: 12 });
    expect(primary(r, 'Alt', 60)).toBeGreaterThan(primary(r, 'Alt', 8));
  });
});

describe('markets that move before any shock (trend)', () => {
  const apps = (trend: number) => `{ Big: 0.85, Alt: { active: 0.2, trend: ${trend} }, Named: 0.02, Slow: 0.01 }`;
  const growth = (r: RunResult, from: number, to: number) => mau(r, 'Alt', to) / mau(r, 'Alt', from);
  it('a calm year without a trend stays at rest; with +40% a year stated it grows so, from contacts, not from main-app flips', () => {
    const rest = run(market({ days: 365, apps: apps(0) }), {}, 1, 4000);
    const moving = run(market({ days: 365, apps: apps(0.4) }), {}, 1, 4000);
    // (The network effect of a growing app adds a little to the fit at the start: +40% stated
    // gives +39-45% measured over seeds 1-5.)
    expect(Math.abs(growth(rest, 30, 365) - 1)).toBeLessThan(0.05);
    expect(Math.abs(growth(moving, 30, 365) - 1.4 ** (335 / 365))).toBeLessThan(0.12);
    // The growth is of people using it beside their main app: main apps barely move.
    expect(switchesAmongApps(moving) / moving.population[0]).toBeLessThan(0.1);
  });
  it('a block nobody can get round stops the trend: nobody takes the app up while it is blocked', () => {
    const block = `[{ type: block, platforms: [Alt], start: 2020-04-10, hardness: 1, media: 0.5 }]`;
    const r = run(market({ days: 365, apps: apps(1), shocks: block }), {}, 1, 4000);
    expect(signups(r, 'Alt', 110, 365)).toBe(0);
    expect(growth(r, 30, 99)).toBeGreaterThan(1.05);
  });
});

describe('connectivity, capacity, changing apps, bases', () => {
  it('a mobile-internet shutdown sends people to apps that work on slow links or are exempt', () => {
    const calm = run(market());
    const cut = run(market({ shocks: '[{ type: connectivity, start: 2020-01-10, severity: 0.3, exempt: [Alt], media: 1 }]' }));
    expect(signups(cut, 'Slow', 9, 40)).toBeGreaterThan(signups(calm, 'Slow', 9, 40));
    expect(signups(cut, 'Alt', 9, 40)).toBeGreaterThan(signups(calm, 'Alt', 9, 40));
  });
  it('registration capacity per region caps sign-ups per hour', () => {
    const l = market({
      hourlyFrom: '2020-01-10',
      shocks: OUTAGE({ hours: 14, mentions: '[Alt]' }),
      platforms: `  - { id: Big, features: [voice, e2ee], privacy: 0.5 }
  - { id: Alt, features: [voice], privacy: 0.6, capacity: { X: 2000 } }
  - { id: Named, features: [voice, e2ee], privacy: 0.9 }
  - { id: Slow, features: [voice, slow-links], privacy: 0.4 }`,
    });
    const r = run(l);
    const perHour = Array.from({ length: 14 }, (_, h) => signups(r, 'Alt', 9.75 + h / 24, 9.75 + (h + 1) / 24));
    for (const x of perHour) expect(x).toBeLessThanOrEqual(2000 + 1e-6 + 10_000_000 / 6000);
  });
  it('a capacity below one agent per hour still registers people at that rate (unused capacity carries over)', () => {
    const l = market({
      hourlyFrom: '2020-01-10',
      shocks: OUTAGE({ hours: 14, mentions: '[Alt]' }),
      platforms: `  - { id: Big, features: [voice, e2ee], privacy: 0.5 }
  - { id: Alt, features: [voice], privacy: 0.6, capacity: { X: 500 } }
  - { id: Named, features: [voice, e2ee], privacy: 0.9 }
  - { id: Slow, features: [voice, slow-links], privacy: 0.4 }`,
    });
    const r = run(l);
    const weight = 10_000_000 / 6000; // people per agent, above the 500 an hour
    const total = signups(r, 'Alt', 9.75, 9.75 + 14 / 24);
    expect(total).toBeGreaterThanOrEqual(500 * 14 - 2 * weight);
    expect(total).toBeLessThanOrEqual(500 * 14 + weight + 1e-6);
  });
  it('dated platform changes switch features on and off (a proxy added makes a block easier)', () => {
    const withChange = market({
      days: 90,
      platforms: `  - { id: Big, features: [voice, e2ee], privacy: 0.5, changes: [{ date: 2020-01-05, add: [proxy] }] }
  - { id: Alt, features: [voice], privacy: 0.6 }
  - { id: Named, features: [voice, e2ee], privacy: 0.9 }
  - { id: Slow, features: [voice, slow-links], privacy: 0.4 }`,
      shocks: '[{ type: block, platforms: [Big], start: 2020-01-10, hardness: 0.6, media: 1 }]',
    });
    const without = market({ days: 90, shocks: '[{ type: block, platforms: [Big], start: 2020-01-10, hardness: 0.6, media: 1 }]' });
    expect(mau(run(withChange, { circCost: 8 }), 'Big', 60)).toBeGreaterThan(mau(run(without, { circCost: 8 }), 'Big', 60));
  });
  it('a figure on another base (universe) is computed on that base; relative figures are ratios', () => {
    const l = market({
      region: 'universes: { adults: 0.8 }',
      extra: `figures:
  - { id: pct-adults, platform: Big, metric: mau, universe: adults, as: percent, date: 2020-01-20, value: 80 }
  - { id: pct-all, platform: Big, metric: mau, as: percent, date: 2020-01-20, value: 80 }
  - { id: ratio, platform: Big, metric: mau, date: 2020-01-20, relativeTo: { date: 2020-01-05 }, value: "+2%" }
  - { id: bound, platform: Big, metric: mau, date: 2020-01-20, low: 1000000 }
  - { id: early, platform: Big, metric: mau, date: 2020-01-05, value: 8000000, role: context }
  - { id: vs-early, platform: Big, metric: mau, date: 2020-01-20, relativeTo: early, value: "+2%" }`,
    });
    const r = run(l);
    const s = l.scenario;
    const get = (id: string) => observe(r, observation(s.figures.find((f) => f.id === id)!, s));
    expect(Math.abs(get('pct-adults') - get('pct-all'))).toBeLessThan(5);
    expect(get('ratio')).toBeCloseTo(stockAt(r, 'mau', X(r), 0, 20) / stockAt(r, 'mau', X(r), 0, 5), 5);
    // Relative to another figure by id: the same quantity as that figure.
    expect(get('vs-early')).toBe(get('ratio'));
    expect(s.figures.find((f) => f.id === 'ratio')!.value).toBeCloseTo(1.02, 12);
    expect(s.figures.find((f) => f.id === 'bound')!.value).toBe(1_000_000);
  });
});

describe('plausibility with parameters drawn from the prior', () => {
  const dims = buildSpace([], {});
  const rng = makeRng(11, 'prior-predictive');
  const draws = Array.from({ length: 6 }, () => candidateOf(dims, priorDraw(dims, rng)).params);
  // Trends on the app that goes down and on an alternative: background adoption must not add
  // anyone to an app while it is down either.
  const outage = market({ hourlyFrom: '2020-01-10', shocks: OUTAGE({ hours: 8 }), apps: '{ Big: { active: 0.85, trend: 0.3 }, Alt: 0.2, Named: { active: 0.02, trend: 1 }, Slow: 0.01 }' });
  const calmYear = market({ days: 365 });
  const calmTrend = market({ days: 365, apps: '{ Big: 0.85, Alt: { active: 0.2, trend: 0.4 }, Named: 0.02, Slow: 0.01 }' });
  // The most used app with a built-in proxy (WhatsApp's, Telegram's): nothing is blocked, so it
  // must make no difference (the constants were once fitted as if everyone used a VPN).
  const calmProxy = market({
    days: 365,
    platforms: `  - { id: Big, features: [voice, e2ee, proxy], privacy: 0.5 }
  - { id: Alt, features: [voice], privacy: 0.6 }
  - { id: Named, features: [voice, e2ee], privacy: 0.9 }
  - { id: Slow, features: [voice, slow-links], privacy: 0.4 }`,
  });
  it('covers every fitted parameter', () => {
    expect(Object.keys(draws[0]).sort()).toEqual(PARAM_SPECS.filter((p) => p.fit).map((p) => p.name).sort());
  });
  for (const [k, p] of draws.entries()) {
    it(`draw ${k}: an app that is down gains nobody; alternatives gain at most the people who were cut off and active`, () => {
      const r = run(outage, p, k + 1, 3000);
      expect(signups(r, 'Big', 9.75, 9.75 + 8 / 24)).toBeLessThan(1); // nobody (a rounding of window ends aside)
      const moved = signups(r, 'Alt', 9.75, 10.75) + signups(r, 'Named', 9.75, 10.75) + signups(r, 'Slow', 9.75, 10.75);
      const activeHit = stockAt(r, 'dau', X(r), app(r, 'Big'), 9);
      expect(moved).toBeLessThanOrEqual(activeHit);
    });
    it(`draw ${k}: a calm year with a stated trend of +40% grows so, or faster where the model's own flows are faster`, () => {
      // From day 30 (the monthly audience counts a full month) to day 365: 1.4^(335/365).
      const growth = (r: RunResult) => mau(r, 'Alt', 365) / mau(r, 'Alt', 30);
      const stated = 1.4 ** (335 / 365);
      const own = growth(run(calmYear, p, k + 1, 3000));
      const g = growth(run(calmTrend, p, k + 1, 3000));
      expect(g).toBeGreaterThan(stated - 0.1);
      // The network effect of a growing app speeds it up beyond the fit at the start (up to +71%
      // measured for draw 2, 3,000 agents): bounded, not exact.
      if (own < stated - 0.1) expect(g).toBeLessThan(stated + 0.4);
    });
    it(`draw ${k}: a calm year leaves the market at rest: the apps a fifth or more use keep their audience and main users`, () => {
      // Without the adding constants the apps most people's contacts use spread to nearly
      // everyone (here Alt x2 in a year for draw 5). What is left is the keep rule's own drift
      // (whoever has most contacts on an app ends up keeping it: up to +9% for draw 5) and noise
      // (3,000 agents).
      const r = run(calmProxy, p, k + 1, 3000);
      for (const a of ['Big', 'Alt']) {
        expect(mau(r, a, 365) / mau(r, a, 30), a).toBeGreaterThan(0.9);
        expect(mau(r, a, 365) / mau(r, a, 30), a).toBeLessThan(1.1);
        expect(primary(r, a, 365) / primary(r, a, 0), a).toBeGreaterThan(0.92);
        expect(primary(r, a, 365) / primary(r, a, 0), a).toBeLessThan(1.08);
      }
    });
    it(`draw ${k}: a calm year moves under 10% of people's main app; people are conserved; shares stay in [0, 1]`, () => {
      const r = run(calmYear, p, k + 1, 3000);
      const pop = r.population[0];
      expect(switchesAmongApps(r) / pop).toBeLessThan(0.1);
      for (let o = 0; o < r.obsTimes.length; o += 30) {
        let total = r.offline[o];
        for (let a = 0; a < r.platforms.length; a++) {
          const s = r.stocks.primary[o * r.platforms.length + a];
          total += s;
          for (const m of ['dau', 'mau', 'active', 'installed', 'users'] as const) {
            const v = r.stocks[m][o * r.platforms.length + a] / pop;
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1 + 1e-9);
          }
        }
        expect(total / pop).toBeCloseTo(1, 6);
      }
    });
  }
});
