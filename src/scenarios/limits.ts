// Documented size limits of a scenario, and the up-front check that a run fits in this machine's
// memory. Values past these limits are refused when the file is loaded (one line: file, field,
// the limit), so nothing starts that would crash, hang or print nonsense (a population of 1e12
// people, a region index that overflows, 1e9 steps).
import { totalmem } from 'node:os';
import { shockEnd, type Scenario } from './schema.ts';
import { InputError } from './errors.ts';
import { countObservations, countSteps, estimateRun, type RunEstimate } from '../model/estimate.ts';
import { DAY_MS, parseDate } from '../model/time.ts';

export const LIMITS = {
  /** Regions: the engine stores an agent's region in one byte. */
  regions: 255,
  /** Platforms: also the schema's maximum. */
  platforms: 16,
  shocks: 500,
  figures: 2000,
  fitted: 50,
  /** Universes (other bases of figures): the engine stores a person's universes as the bits of one byte. */
  universes: 8,
  /** Agents per run (as the schema's agents field). */
  agents: 50_000_000,
  /** Steps of a run (e.g. 22 years of hourly steps, 4.5 months of one-minute steps). */
  steps: 200_000,
  /** People in a region: more than the world's population. */
  population: 1e10,
  /** One-off price of an app, USD. */
  price: 1000,
  /** Sign-ups an app can register per hour. */
  capacity: 1e9,
  /** A relative figure's ratio: a million times the other side is beyond any reported jump. */
  ratio: 1e6,
  /** Media attention at a shock's peak (1 = a major news story). */
  loudness: 100,
  /** A reported figure: people (more than the world's population) or percent. */
  figureValue: 1e11,
  percent: 100,
  /** Characters of an id (platform, region, fitted quantity); figure ids may be longer. */
  idLength: 64,
  figureIdLength: 200,
  /** Size of a scenario file. */
  fileBytes: 10 * 2 ** 20,
  /** Levels of nesting of mappings and lists (a scenario needs about six). */
  nesting: 32,
  /** Nodes YAML aliases may copy (the yaml package's guard against "billion laughs"). */
  aliases: 1000,
  /** Memory a run may take: three quarters of this machine's. */
  memoryShare: 0.75,
} as const;

const fmt = (n: number) => (Math.abs(n) >= 1e6 ? Number(n.toPrecision(3)).toExponential().replace('e+', 'e') : n.toLocaleString('en'));

/**
 * Refuse a scenario past the documented limits (after schema and reference checks); `steps: false`
 * leaves out the count of steps (what a fitted number cannot change).
 */
export function checkLimits(s: Scenario, file: string, o: { steps?: boolean } = {}): void {
  const fail = (path: string, expected: string): never => {
    throw new InputError(file, path, expected);
  };
  const count = (path: string, n: number, max: number, what: string) => {
    if (n > max) fail(path, `expected at most ${fmt(max)} ${what}, got ${fmt(n)}`);
  };
  const at = (path: string, v: number | undefined, max: number, what: string) => {
    if (v !== undefined && !(v <= max)) fail(path, `expected at most ${fmt(max)} ${what}, got ${fmt(v)}`);
  };
  const idLen = (path: string, id: string, max: number = LIMITS.idLength) => {
    if (id.length > max) fail(path, `expected an id of at most ${max} characters, got one of ${fmt(id.length)}`);
  };
  count('regions', s.regions.length, LIMITS.regions, 'regions (the engine stores a region in one byte)');
  count('platforms', s.platforms.length, LIMITS.platforms, 'platforms');
  count('shocks', s.shocks.length, LIMITS.shocks, 'shocks');
  count('figures', s.figures.length, LIMITS.figures, 'figures');
  count('fitted', s.fitted.length, LIMITS.fitted, 'fitted quantities');
  const universes = new Set<string>();
  s.regions.forEach((r, i) => {
    idLen(`regions[${i}].id`, r.id);
    at(`regions[${i}].population`, r.population, LIMITS.population, 'people (more than live on Earth)');
    for (const u of Object.keys(r.universes)) {
      universes.add(u);
      if (universes.size > LIMITS.universes) fail(`regions[${i}].universes.${u}`, `expected at most ${LIMITS.universes} universes in a scenario (the engine stores a person's universes in one byte), "${u}" is number ${universes.size}`);
    }
  });
  const capacity = (path: string, c: number | Record<string, number> | undefined) => {
    if (typeof c === 'object') for (const [r, v] of Object.entries(c)) at(`${path}.${r}`, v, LIMITS.capacity, 'sign-ups per hour');
    else at(path, c, LIMITS.capacity, 'sign-ups per hour');
  };
  s.platforms.forEach((p, i) => {
    idLen(`platforms[${i}].id`, p.id);
    at(`platforms[${i}].price`, p.price, LIMITS.price, 'USD');
    capacity(`platforms[${i}].capacity`, p.capacity);
    p.changes.forEach((c, k) => capacity(`platforms[${i}].changes[${k}].capacity`, c.capacity));
  });
  s.shocks.forEach((sh, i) => {
    if (typeof sh.media === 'number') at(`shocks[${i}].media`, sh.media, LIMITS.loudness, '(1 = a major news story)');
    else for (const [r, v] of Object.entries(sh.media)) at(`shocks[${i}].media.${r}`, v, LIMITS.loudness, '(1 = a major news story)');
  });
  s.figures.forEach((f, i) => idLen(`figures[${i}].id`, f.id, LIMITS.figureIdLength));
  s.fitted.forEach((q, i) => idLen(`fitted[${i}].name`, q.name));
  if (o.steps === false) return;
  const steps = countSteps(s.time, shockBoundaries(s));
  if (steps > LIMITS.steps) {
    fail('time', `expected at most ${fmt(LIMITS.steps)} steps from time.start to time.end, got ${fmt(steps)} (use a longer step, or a schedule with short steps only around the shocks)`);
  }
}

/** Days since the start at which shocks begin and end: the engine cuts its steps there. */
export function shockBoundaries(s: Pick<Scenario, 'time' | 'shocks'>): number[] {
  const t0 = parseDate(s.time.start);
  const day = (d: string) => (parseDate(d) - t0) / DAY_MS;
  return s.shocks.flatMap((sh) => {
    const start = day(sh.start);
    const e = shockEnd(sh);
    return e === undefined ? [start] : [start, 'date' in e ? day(e.date) : start + e.days];
  });
}

/** The estimated size of a run of `s` with `agents` agents. */
export function runEstimate(s: Scenario, agents: number): RunEstimate {
  return estimateRun({
    agents,
    platforms: s.platforms.length,
    regions: s.regions.length,
    steps: countSteps(s.time, shockBoundaries(s)),
    observations: countObservations(s.time),
    degree: s.network.degree,
    maxDegree: s.network.maxDegree,
    universes: new Set(s.regions.flatMap((r) => Object.keys(r.universes ?? {}))).size,
  });
}

/** Memory runs may take on this machine (bytes). */
export function memoryLimit(): number {
  return LIMITS.memoryShare * totalmem();
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(b < 2 ** 30 ? 2 : 1)} GiB`;

/**
 * Refuse a run that would not fit in memory: `parallel` runs at once (worker threads), and the
 * tidy table when `table` (exodus run). `where` names what set the size (e.g. "--agents" or the file).
 */
export function checkRunSize(s: Scenario, agents: number, where: { file: string; path: string }, o: { parallel?: number; table?: boolean } = {}): RunEstimate {
  const e = runEstimate(s, agents);
  // The tidy table of exodus run: a row object and its CSV text, about 200 bytes a row.
  const bytes = e.bytes * Math.max(1, o.parallel ?? 1) + (o.table ? e.tableRows * 200 : 0);
  const limit = memoryLimit();
  if (bytes > limit) {
    throw new InputError(
      where.file,
      where.path,
      `a run of ${fmt(agents)} agents x ${fmt(countSteps(s.time, shockBoundaries(s)))} steps x ${s.regions.length} regions x ${s.platforms.length} platforms${(o.parallel ?? 1) > 1 ? ` (${o.parallel} at once)` : ''} needs about ${gib(bytes)} of memory, more than the ${gib(limit)} this machine allows (${Math.round(100 * LIMITS.memoryShare)}% of its memory); expected fewer agents, steps or regions`,
    );
  }
  return e;
}
