// Checks of a scenario beyond its schema and references: reported values that cannot be (negative,
// low above high, a share over 100%, a ratio of 0, a ratio of a figure to itself, sign-ups over an
// instant), dated platform changes, fields of a shock that contradict each other, per-event fitted
// quantities (unique, with bounds the field accepts), the event a what-if continues; and warnings
// for what is probably a mistake (a shock entirely outside the time span, a platform launched after
// the end, a circumvention with no block), which do not stop a run.
import { scenarioSchema, shockEnd, type Scenario } from './schema.ts';
import { InputError, formatPath, showValue } from './errors.ts';
import { LIMITS, checkLimits } from './limits.ts';
import { numericValue, pathsOf } from './load.ts';
import { observation } from './compile.ts';
import { figureIndex } from './figures.ts';
import type { Quantity } from '../model/observe.ts';
import { FLOW_METRICS } from '../model/results.ts';
import { parseDate, DAY_MS } from '../model/time.ts';

const fmt = (n: number) => (Math.abs(n) >= 1e6 ? n.toExponential().replace('e+', 'e') : String(n));

/**
 * Dated platform changes: inside the time span (the app at the start is given by its own fields),
 * each changing something, none adding and removing one feature at once.
 */
export function checkPlatformChanges(s: Scenario, file: string): void {
  const start = parseDate(s.time.start);
  const end = parseDate(s.time.end);
  s.platforms.forEach((p, i) =>
    p.changes.forEach((c, k) => {
      const at = `platforms[${i}].changes[${k}]`;
      const t = parseDate(c.date);
      if (t < start) throw new InputError(file, `${at}.date`, `expected a date at or after time.start (${s.time.start}; the app as it is at the start is given by its own fields), got "${c.date}"`);
      if (t >= end) throw new InputError(file, `${at}.date`, `expected a date before time.end (${s.time.end}), got "${c.date}"`);
      const k2 = c.remove.findIndex((x) => c.add.includes(x));
      if (k2 >= 0) throw new InputError(file, `${at}.remove[${k2}]`, `expected a feature not also added on the same date, "${c.remove[k2]}" is in add too`);
      if (!c.add.length && !c.remove.length && [c.quality, c.privacy, c.price, c.capacity].every((x) => x === undefined)) {
        throw new InputError(file, at, 'expected something that changes on that date: add, remove, quality, privacy, price or capacity');
      }
    }),
  );
}

/** Shock fields that contradict each other (the schema checks each on its own). */
export function checkShockFields(s: Scenario, file: string): void {
  s.shocks.forEach((sh, i) => {
    if (sh.type !== 'connectivity' || !sh.platforms) return;
    const k = sh.exempt.findIndex((p) => sh.platforms!.includes(p));
    if (k >= 0) throw new InputError(file, `shocks[${i}].exempt[${k}]`, `expected an app the shock does not hit, "${sh.exempt[k]}" is also in platforms (the apps it hits)`);
  });
}

/**
 * Relative figures, before their values are read as numbers: a scored ratio above 0 (it is
 * compared on a log scale), and another side that differs from the figure itself (else the ratio
 * is 1 whatever happens).
 */
export function checkRelativeFigures(s: Scenario, file: string): void {
  s.figures.forEach((f, i) => {
    if (!f.relativeTo) return;
    if (f.role === 'compare') {
      for (const key of ['value', 'low', 'high'] as const) {
        const v = f[key];
        if (v === undefined) continue;
        const x = numericValue(v)!;
        if ((key === 'low' ? x >= 0 : x > 0) && x <= LIMITS.ratio) continue;
        const shown = typeof v === 'string' ? `${showValue(v)} (${fmt(x)})` : showValue(v);
        throw new InputError(file, `figures[${i}].${key}`, `expected a ratio ${key === 'low' ? 'of 0 or more' : 'above 0'} and at most ${fmt(LIMITS.ratio)} (1 = the same as what it is relative to; "-16%" is 0.84, "x5" is 5), got ${shown}`);
      }
    }
    const date = f.date ?? (f.ref ? figureIndex().get(f.id)?.date : undefined);
    if (date === undefined) return;
    const o = observation({ ...f, date }, s);
    const rel = o.relativeTo!;
    // (A date of the other side is checked with the figure's own window, in load.ts.)
    if (f.role === 'compare' && f.relativeTo.date === undefined && (rel.from < 0 || rel.to > (parseDate(s.time.end) - parseDate(s.time.start)) / DAY_MS + 1e-9)) {
      throw new InputError(file, `figures[${i}].relativeTo.window`, `expected the window it is relative to (${date} + ${f.relativeTo.window}) inside the scenario's time span ${s.time.start} .. ${s.time.end}`);
    }
    if (sameQuantity(o, rel, s)) {
      throw new InputError(file, `figures[${i}].relativeTo`, 'expected another date, window, platform, metric, region or universe than the figure\'s own; as written the ratio is 1 whatever happens');
    }
  });
}

/** A flow (sign-ups, installs) counted over a window of no length is 0 whatever happens. */
export function checkFlowWindows(s: Scenario, file: string): void {
  s.figures.forEach((f, i) => {
    const date = f.date ?? (f.ref ? figureIndex().get(f.id)?.date : undefined);
    if (date === undefined) return;
    const o = observation({ ...f, date }, s);
    const sides: [Quantity | undefined, string, string | undefined][] = [
      [o, `figures[${i}].window`, date],
      [o.relativeTo, `figures[${i}].relativeTo.window`, f.relativeTo?.date ?? date],
    ];
    for (const [q, path, d] of sides) {
      if (q && (FLOW_METRICS as readonly string[]).includes(q.metric) && !(q.to > q.from)) {
        throw new InputError(file, path, `missing; expected the window ${q.metric} are counted over, e.g. "24h" (${d} is an instant, not a period)`);
      }
    }
  });
}

function sameQuantity(a: Quantity, b: Quantity, s: Scenario): boolean {
  const regions = (r: Quantity['regions']) => (r === 'all' ? s.regions.map((x) => x.id) : Array.isArray(r) ? [...new Set(r)] : [r]).sort().join('\n');
  return a.metric === b.metric && a.platform === b.platform && a.universe === b.universe && a.from === b.from && a.to === b.to && a.as === b.as && regions(a.regions) === regions(b.regions);
}

/** Scored figures' values: finite, not negative, within their range, at most 100 for percentages. */
export function checkFigureValues(s: Scenario, file: string): void {
  s.figures.forEach((f, i) => {
    // Context figures are facts shown beside the run (they may be changes, e.g. -3%), not scored.
    if (f.role !== 'compare') return;
    const percent = f.as === 'percent' || f.as === 'share-of-total';
    const max = percent ? LIMITS.percent : LIMITS.figureValue;
    const what = percent ? 'percent' : 'people';
    // Ratios are checked as such (checkRelativeFigures).
    // Bounds first: a figure given only a bound has that bound as its value (completeFigure).
    for (const key of f.relativeTo ? [] : (['low', 'high', 'value'] as const)) {
      const v = key === 'value' ? numericValue(f.value) : f[key];
      if (v === undefined) continue;
      if (!(v >= 0 && v <= max)) {
        throw new InputError(file, `figures[${i}].${key}`, `expected ${percent ? 'a percentage from 0 to 100' : `a number of ${what} from 0 to ${max.toExponential().replace('e+', 'e')}`}, got ${showValue(v)}`);
      }
      // A point or an upper bound of 0 cannot be met on a log scale; "nobody" is a small upper bound.
      if (v === 0 && (key === 'high' || (key === 'value' && f.low === undefined && f.high === undefined))) {
        throw new InputError(file, `figures[${i}].${key}`, `expected a value above 0 (figures are compared on a log scale; for "none" or "hardly any" give an upper bound such as high: ${percent ? '0.1' : '100'}), got 0`);
      }
    }
    if (f.low !== undefined && f.high !== undefined && !(f.low < f.high)) {
      throw new InputError(file, `figures[${i}].high`, `expected high > low (${f.low}), got ${f.high}${f.low === f.high ? ' (for an exact figure give value alone)' : ''}`);
    }
    const value = numericValue(f.value);
    if (value !== undefined && ((f.low !== undefined && value < f.low) || (f.high !== undefined && value > f.high))) {
      throw new InputError(file, `figures[${i}].value`, `expected a value inside the range low..high (${f.low ?? '-'}..${f.high ?? '-'}), got ${f.value}`);
    }
  });
}

/**
 * Per-event fitted quantities: unique names and paths, and bounds the field itself accepts
 * (checked by validating the file with the value at each bound). `raw` is the file as parsed.
 */
export function checkFitted(s: Scenario, raw: unknown, file: string): void {
  const names = new Map<string, number>();
  const paths = new Map<string, string>();
  s.fitted.forEach((q, i) => {
    if (names.has(q.name)) throw new InputError(file, `fitted[${i}].name`, `expected a unique name, "${q.name}" is also fitted[${names.get(q.name)}]`);
    names.set(q.name, i);
    pathsOf(q).forEach((path, k) => {
      const p = normalPath(path);
      const at = Array.isArray(q.path) ? `fitted[${i}].path[${k}]` : `fitted[${i}].path`;
      const other = paths.get(p);
      if (other?.startsWith(`fitted[${i}].`)) throw new InputError(file, at, `expected each path once, "${path}" is also ${other}`);
      if (other) throw new InputError(file, at, `expected a path no other fitted quantity has, "${path}" is also ${other.replace(/\.path.*$/, '')}`);
      paths.set(p, at);
      for (const bound of ['min', 'max'] as const) {
        const r = scenarioSchema.safeParse(withValueAt(trimmed(raw, p), path, q[bound]));
        let why: string | undefined;
        if (r.success) {
          // The documented limits too (a loudness of 500, a population of 1e12).
          try {
            checkLimits(r.data, file, { steps: false });
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            why = e.expected.replace(/, got .*$/, '');
          }
        } else {
          const issue = r.error.issues.find((x) => normalPath(formatPath(x.path)) === p) ?? r.error.issues[0];
          why = issue.message.replace(/^Invalid input:?\s*/i, '').replace(/^Too (small|big): /, '');
        }
        if (why !== undefined) throw new InputError(file, `fitted[${i}].${bound}`, `expected a bound that ${path} accepts (${why}), got ${q[bound]}`);
      }
    });
  });
}

/** A what-if takes its fitted values from another event's calibration: it must be one. */
export function checkFittedFrom(s: Scenario, file: string, events: readonly string[]): void {
  if (s.fittedFrom === undefined || events.includes(s.fittedFrom)) return;
  throw new InputError(file, 'fittedFrom', `expected a built-in event whose calibration this scenario continues (${events.join(', ')}), got ${showValue(s.fittedFrom)}`);
}

/** Probable mistakes, one line each ("path: what"), that do not stop a run. */
export function scenarioWarnings(s: Scenario): string[] {
  const start = parseDate(s.time.start);
  const end = parseDate(s.time.end);
  const out: string[] = [];
  s.shocks.forEach((sh, i) => {
    const t0 = parseDate(sh.start);
    const e = shockEnd(sh);
    const t1 = e === undefined ? Infinity : 'date' in e ? parseDate(e.date) : t0 + e.days * DAY_MS;
    if (t0 >= end) out.push(`shocks[${i}].start: ${sh.start} is at or after time.end (${s.time.end}); the shock has no effect`);
    else if (t1 <= start) out.push(`shocks[${i}]: ends before time.start (${s.time.start}); the shock has no effect`);
    // Per-region media or mentions for a region the shock does not reach are never read.
    const reached = sh.regions === 'all' ? undefined : sh.regions;
    const perRegion = (field: 'media' | 'mentions', keys: string[]) => {
      for (const r of keys) if (reached && !reached.includes(r)) out.push(`shocks[${i}].${field}.${r}: ${r} is not among the shock's regions (${reached.join(', ')}); this has no effect`);
    };
    if (typeof sh.media === 'object') perRegion('media', Object.keys(sh.media));
    if (sh.mentions && !Array.isArray(sh.mentions) && Object.values(sh.mentions).some((v) => typeof v === 'object')) perRegion('mentions', Object.keys(sh.mentions));
    if (sh.type === 'circumvention') {
      const blocked = new Set(s.shocks.flatMap((b) => (b.type === 'block' ? b.platforms : [])));
      if (!sh.platforms && blocked.size === 0) out.push(`shocks[${i}]: the scenario has no block shock; the circumvention has no effect`);
      sh.platforms?.forEach((p, k) => {
        if (!blocked.has(p)) out.push(`shocks[${i}].platforms[${k}]: no block shock blocks ${p}; the circumvention has no effect on it`);
      });
    }
  });
  s.platforms.forEach((p, i) => {
    if (p.launch !== undefined && parseDate(p.launch) >= end) out.push(`platforms[${i}].launch: ${p.launch} is at or after time.end (${s.time.end}); ${p.id} never appears`);
  });
  return out;
}

/** "shocks[0].media" and "shocks.0.media" name the same field. */
const normalPath = (p: string) => p.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');

/**
 * The file with only what validating the field at `path` needs: no figures (unless the field is in
 * one), other lists' elements kept (paths index into them). Parsing the whole file twice per
 * fitted quantity would cost more than the rest of loading.
 */
function trimmed(raw: unknown, path: string): unknown {
  if (raw === null || typeof raw !== 'object' || path.startsWith('figures.')) return raw;
  return { ...(raw as Record<string, unknown>), figures: [] };
}

/** A copy of `obj` with `value` at `path` (missing last key: added). */
function withValueAt(obj: unknown, path: string, value: number): unknown {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const parts = normalPath(path).split('.');
  let v: Record<string, unknown> = copy;
  for (const k of parts.slice(0, -1)) {
    if (v[k] === null || typeof v[k] !== 'object') return copy;
    v = v[k] as Record<string, unknown>;
  }
  v[parts[parts.length - 1]] = value;
  return copy;
}
