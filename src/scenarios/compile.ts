// From a validated scenario to what the engine runs (src/model/input.ts): ids to indices, dates to
// days since the start, every default made explicit; and each figure to an observation.
import { shockEnd, type Scenario, type ShockSpec, type FigureSpec, type PlatformSpec } from './schema.ts';
import type { CompiledShock, ModelInput, PlatformInput } from '../model/input.ts';
import type { Observation, Quantity } from '../model/observe.ts';
import type { Metric, RunResult } from '../model/results.ts';
import type { Params } from '../model/params.ts';
import { simulate, type RunOptions } from '../model/engine.ts';
import { parseDate, parseDuration, parsePeriodEnd, DAY_MS } from '../model/time.ts';

/** A compiled shock with the scenario's own spec beside it (for timelines and charts). */
export type ShockOf = CompiledShock & { spec: ShockSpec; platformIds: string[]; regionIds: string[] };

const days = (s: Scenario, d: string) => (parseDate(d) - parseDate(s.time.start)) / DAY_MS;

export function compileShocks(s: Scenario): ShockOf[] {
  const pid = new Map(s.platforms.map((p, a) => [p.id, a]));
  const rid = new Map(s.regions.map((r, k) => [r.id, k]));
  const R = s.regions.length;
  const K = s.platforms.length;
  return s.shocks.map((spec, index) => {
    const start = days(s, spec.start);
    const e = shockEnd(spec);
    const end = e === undefined ? Infinity : 'date' in e ? days(s, e.date) : start + e.days;
    const regions = spec.regions === 'all' ? s.regions.map((_, k) => k) : spec.regions.map((r) => rid.get(r)!);
    const platformIds = spec.platforms ?? s.platforms.map((p) => p.id);
    const loudness = new Float64Array(R);
    for (const r of regions) loudness[r] = typeof spec.media === 'number' ? spec.media : (spec.media[s.regions[r].id] ?? 0);
    const mentions = new Float64Array(R * K);
    // Without `mentions`, news that does no harm (attention, promotion, a trust shock that does not
    // lower the reputation) names its own apps; news of harm names none (the app of the story is
    // not where people go).
    const harmless = spec.type === 'attention' || spec.type === 'promotion' || (spec.type === 'trust' && spec.magnitude <= 0);
    const named = spec.mentions ?? (harmless ? platformIds : undefined);
    if (named) {
      for (const r of regions) {
        const weights = mentionWeights(named, s.regions[r].id);
        for (const [app, wgt] of Object.entries(weights)) mentions[r * K + pid.get(app)!] = wgt;
      }
    }
    return {
      index,
      type: spec.type,
      label: spec.label ?? `${spec.type}${spec.platforms ? `: ${spec.platforms.join(', ')}` : ''}`,
      platforms: platformIds.map((p) => pid.get(p)!),
      regions,
      start,
      end,
      loudness,
      mentions,
      severity: 'severity' in spec ? spec.severity : 0,
      hardness: 'hardness' in spec ? spec.hardness : 0,
      slowdown: 'slowdown' in spec ? spec.slowdown : 0,
      features: spec.type === 'throttle' ? spec.features : [],
      magnitude: spec.type === 'trust' ? spec.magnitude : 0,
      preinstall: spec.type === 'promotion' ? spec.preinstall : 0,
      require: spec.type === 'promotion' ? spec.require : 0,
      bonus: spec.type === 'promotion' ? spec.bonus : 0,
      threat: spec.type === 'announcement' ? spec.threat : 0,
      privacyNews: spec.type === 'trust' || (spec.type === 'attention' && spec.topic === 'privacy'),
      aboutUsers: !harmless && spec.type !== 'connectivity',
      exempt: spec.type === 'connectivity' ? spec.exempt.map((p) => pid.get(p)!) : [],
      spec,
      platformIds,
      regionIds: regions.map((r) => s.regions[r].id),
    };
  });
}

/** The apps a shock's news names in one region, with weights. */
export function mentionWeights(m: NonNullable<ShockSpec['mentions']>, region: string): Record<string, number> {
  if (Array.isArray(m)) return Object.fromEntries(m.map((a) => [a, 1]));
  const values = Object.values(m);
  if (values.length && typeof values[0] === 'object') {
    const per = (m as Record<string, Record<string, number>>)[region];
    return per ?? {};
  }
  return m as Record<string, number>;
}

/** Capacity per hour per region, and worldwide as the last entry (Infinity: no limit). */
function capacityOf(c: PlatformSpec['capacity'], s: Scenario): Float64Array {
  const out = new Float64Array(s.regions.length + 1).fill(Infinity);
  if (c === undefined) return out;
  if (typeof c === 'number') out[s.regions.length] = c;
  else {
    s.regions.forEach((r, k) => {
      if (c[r.id] !== undefined) out[k] = c[r.id];
    });
    if (c.all !== undefined) out[s.regions.length] = c.all;
  }
  return out;
}

export function compilePlatforms(s: Scenario): PlatformInput[] {
  return s.platforms.map((p) => ({
    id: p.id,
    quality: p.quality,
    price: p.price,
    privacy: p.privacy,
    capacity: capacityOf(p.capacity, s),
    launchDay: p.launch === undefined ? -Infinity : days(s, p.launch),
    features: [...p.features],
    changes: p.changes
      .map((c) => ({
        day: days(s, c.date),
        add: c.add,
        remove: c.remove,
        quality: c.quality,
        privacy: c.privacy,
        price: c.price,
        capacity: c.capacity === undefined ? undefined : capacityOf(c.capacity, s),
      }))
      .sort((a, b) => a.day - b.day),
  }));
}

/** Names of the universes used in a scenario (declared by any region). */
export function universeNames(s: Scenario): string[] {
  return [...new Set(s.regions.flatMap((r) => Object.keys(r.universes)))].sort();
}

export function compileScenario(s: Scenario): ModelInput {
  const pid = new Map(s.platforms.map((p, a) => [p.id, a]));
  const universes = universeNames(s);
  return {
    name: s.name,
    title: s.title,
    projection: s.projection,
    startMs: parseDate(s.time.start),
    days: days(s, s.time.end),
    step: parseDuration(s.time.step),
    schedule: s.time.schedule.map((c) => ({ at: days(s, c.from), dt: parseDuration(c.step) })),
    observe: parseDuration(s.time.observe),
    agents: s.agents,
    regions: s.regions.map((r) => ({
      id: r.id,
      population: r.population,
      sample: r.sample,
      arrival: r.arrival,
      growth: Math.log1p(r.growth) / 365.25,
      privacy: r.privacy,
      circumvention: r.circumvention,
      inertia: r.inertia,
      apps: Object.entries(r.apps).map(([id, v]) => {
        const active = typeof v === 'number' ? v : v.active;
        const dormant = typeof v === 'number' ? Math.min(active / 10, 1 - active) : (v.dormant ?? Math.min(active / 10, 1 - active));
        const trend = typeof v === 'number' ? 0 : Math.log1p(v.trend ?? 0) / 365.25;
        return { platform: pid.get(id)!, active, dormant, primary: typeof v === 'number' ? undefined : v.primary, trend };
      }),
      universeShare: universes.map((u) => r.universes[u] ?? 0),
    })),
    platforms: compilePlatforms(s),
    network: s.network,
    shocks: compileShocks(s),
    universes,
  };
}

/** Run a validated scenario once (the engine on its compiled form). */
export function simulateScenario(s: Scenario, p: Params, opts: RunOptions, meta: { hash: string }): RunResult {
  return simulate(compileScenario(s), p, opts, meta);
}

/** Days since start of a figure's window: its date's period, or [date, date + window). */
export function figureWindow(f: Pick<FigureSpec, 'date' | 'window'>, s: Scenario): { from: number; to: number } {
  const t0 = parseDate(s.time.start);
  const from = parseDate(f.date!);
  const to = f.window ? from + parseDuration(f.window) * DAY_MS : parsePeriodEnd(f.date!);
  return { from: (from - t0) / DAY_MS, to: (to - t0) / DAY_MS };
}

/** A figure as the model quantity it is compared with. */
export function observation(f: FigureSpec, s: Scenario): Observation {
  const q: Quantity = { metric: f.metric as Metric, platform: f.platform, regions: f.region, universe: f.universe, ...figureWindow(f, s), as: f.as };
  if (!f.relativeTo) return { id: f.id, ...q };
  const rel = f.relativeTo;
  // The other side inherits what it does not state; a new date without a window keeps the window's length.
  const ownWindow = f.window ?? undefined;
  const win = rel.date !== undefined ? figureWindow({ date: rel.date, window: rel.window ?? ownWindow }, s) : rel.window ? figureWindow({ date: f.date, window: rel.window }, s) : { from: q.from, to: q.to };
  return {
    id: f.id,
    ...q,
    relativeTo: {
      metric: (rel.metric ?? f.metric) as Metric,
      platform: rel.platform ?? f.platform,
      regions: rel.region ?? f.region,
      universe: rel.universe ?? f.universe,
      ...win,
      as: f.as,
    },
  };
}
