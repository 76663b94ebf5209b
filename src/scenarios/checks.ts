// Checks of a scenario beyond its schema and references: reported values that cannot be (negative,
// low above high, a share over 100%), per-event fitted quantities (unique, with bounds the field
// accepts), the event a what-if continues; and warnings for what is probably a mistake (a shock
// entirely outside the time span, a platform launched after the end), which do not stop a run.
import { scenarioSchema, type Scenario } from './schema.ts';
import { InputError, formatPath, showValue } from './errors.ts';
import { LIMITS } from './limits.ts';
import { numericValue, pathsOf } from './load.ts';
import { parseDate, parseDuration, DAY_MS } from '../model/time.ts';

/** Scored figures' values: finite, not negative, within their range, at most 100 for percentages. */
export function checkFigureValues(s: Scenario, file: string): void {
  s.figures.forEach((f, i) => {
    // Context figures are facts shown beside the run (they may be changes, e.g. -3%), not scored.
    if (f.role !== 'compare') return;
    const percent = f.as === 'percent' || f.as === 'share-of-total';
    const max = percent ? LIMITS.percent : LIMITS.figureValue;
    const what = percent ? 'percent' : 'people';
    for (const key of ['value', 'low', 'high'] as const) {
      const v = key === 'value' ? numericValue(f.value) : f[key];
      if (v === undefined) continue;
      if (!(v >= 0 && v <= max)) {
        throw new InputError(file, `figures[${i}].${key}`, `expected ${percent ? 'a percentage from 0 to 100' : `a number of ${what} from 0 to ${max.toExponential().replace('e+', 'e')}`}, got ${showValue(v)}`);
      }
      // Figures are compared on a log scale, where 0 is infinitely far from any model value.
      if (key === 'value' && v === 0 && f.low === undefined && f.high === undefined) {
        throw new InputError(file, `figures[${i}].value`, 'expected a value above 0 (figures are compared on a log scale); for "none" or "almost none" give an upper bound instead, e.g. high: 1000');
      }
    }
    if (f.low !== undefined && f.high !== undefined && f.low > f.high) {
      throw new InputError(file, `figures[${i}].high`, `expected high >= low (${f.low}), got ${f.high}`);
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
  const paths = new Map<string, number>();
  s.fitted.forEach((q, i) => {
    if (names.has(q.name)) throw new InputError(file, `fitted[${i}].name`, `expected a unique name, "${q.name}" is also fitted[${names.get(q.name)}]`);
    names.set(q.name, i);
    for (const path of pathsOf(q)) {
      const p = normalPath(path);
      if (paths.has(p)) throw new InputError(file, `fitted[${i}].path`, `expected a path no other fitted quantity has, "${path}" is also fitted[${paths.get(p)}]`);
      paths.set(p, i);
      for (const bound of ['min', 'max'] as const) {
        const r = scenarioSchema.safeParse(withValueAt(trimmed(raw, p), path, q[bound]));
        if (r.success) continue;
        const issue = r.error.issues.find((x) => normalPath(formatPath(x.path)) === p) ?? r.error.issues[0];
        const why = issue.message.replace(/^Invalid input:?\s*/i, '').replace(/^Too (small|big): /, '');
        throw new InputError(file, `fitted[${i}].${bound}`, `expected a bound that ${path} accepts (${why}), got ${q[bound]}`);
      }
    }
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
    let t1 = Infinity;
    if (sh.type === 'outage') t1 = t0 + parseDuration(sh.duration) * DAY_MS;
    else if (sh.type === 'announcement') t1 = parseDate(sh.until);
    else if ('end' in sh && sh.end) t1 = parseDate(sh.end);
    else if ('duration' in sh && sh.duration) t1 = t0 + parseDuration(sh.duration) * DAY_MS;
    if (t0 >= end) out.push(`shocks[${i}].start: ${sh.start} is at or after time.end (${s.time.end}); the shock has no effect`);
    else if (t1 <= start) out.push(`shocks[${i}]: ends before time.start (${s.time.start}); the shock has no effect`);
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
