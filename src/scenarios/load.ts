// Load a scenario (built-in name, YAML or JSON file, or text) and check it completely before any run:
// schema first, then the cross-references a schema cannot express (ids, dates in order, figures).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { LineCounter, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { scenarioSchema, type Scenario, type FigureSpec } from './schema.ts';
import { InputError, formatPath, showValue, closest } from './errors.ts';
import { checkLimits, checkRunSize, LIMITS } from './limits.ts';
import { checkFigureValues, checkFitted, checkFittedFrom, checkFlowWindows, checkPlatformChanges, checkRelativeFigures, checkShockFields, scenarioWarnings } from './checks.ts';
import { figureIndex } from './figures.ts';
import { parseDate, parseDuration, parsePeriodEnd } from '../model/time.ts';
import { resolveParams, ParamError } from '../model/params.ts';

export interface LoadedScenario {
  scenario: Scenario;
  /** Where it came from: a path, or "<name> (built-in)". */
  file: string;
  /** sha256 of the validated scenario, recorded in every output. */
  hash: string;
  /** Probable mistakes that do not stop a run ("path: what"); the CLI prints them on stderr. */
  warnings?: string[];
}

export const EVENTS_DIR = fileURLToPath(new URL('./events/', import.meta.url));
export const DEMO_FILE = fileURLToPath(new URL('./demo.yaml', import.meta.url));

/** Names of the built-in scenarios (files in src/scenarios/events). */
export function builtinNames(): string[] {
  return readdirSync(EVENTS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/** Resolve a built-in event name or a path and load it. */
export function loadScenario(nameOrPath: string): LoadedScenario {
  const builtin = nameOrPath === 'demo' ? DEMO_FILE : join(EVENTS_DIR, `${nameOrPath}.yaml`);
  if (!/[\\/]|\.(ya?ml|json)$/i.test(nameOrPath) && existsSync(builtin)) {
    return loadScenarioText(readFileSync(builtin, 'utf8'), `${nameOrPath} (built-in)`);
  }
  if (!existsSync(nameOrPath)) {
    const names = [...builtinNames(), 'demo'];
    const near = closest(nameOrPath, names);
    const hint = /[\\/]|\.(ya?ml|json)$/i.test(nameOrPath)
      ? 'expected an existing YAML or JSON scenario file'
      : `${near ? `did you mean "${near}"? ` : ''}expected a built-in event (${names.join(', ')}) or a path to a scenario file`;
    throw new InputError(nameOrPath, '', `not found; ${hint}`);
  }
  const st = statSync(nameOrPath);
  if (st.isDirectory()) throw new InputError(nameOrPath, '', 'is a folder; expected a YAML or JSON scenario file');
  if (st.size > LIMITS.fileBytes) throw new InputError(nameOrPath, '', `expected a scenario file of at most ${LIMITS.fileBytes / 2 ** 20} MiB, got ${(st.size / 2 ** 20).toFixed(0)} MiB`);
  return loadScenarioText(readFileSync(nameOrPath, 'utf8'), nameOrPath);
}

/** Parse and validate scenario text (YAML or JSON). `file` names it in error messages. */
export function loadScenarioText(text: string, file = '<scenario>'): LoadedScenario {
  const raw = parseText(text, file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const got = raw === null || raw === undefined ? 'an empty file' : Array.isArray(raw) ? 'a list' : showValue(raw);
    throw new InputError(file, 'top level', `expected a mapping with name, title, time, regions, platforms, ..., got ${got}`);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    // An unknown field is usually a misspelling: report it first, with the missing field it was meant to be.
    const issues = [...parsed.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
    const first = issues[0];
    let hint = '';
    if (first.code === 'unrecognized_keys') {
      const parent = formatPath(first.path);
      const missing = issues.find((i) => i.code === 'invalid_type' && formatPath(i.path.slice(0, -1)) === parent && valueAt(raw, i.path) === undefined);
      if (missing) hint = ` (did you mean "${String(missing.path[missing.path.length - 1])}"?)`;
      else {
        // No required field is missing (the one meant may be optional): the nearest field that
        // this mapping takes and does not already have.
        const keys = (first as { keys?: string[] }).keys ?? [];
        const here = valueAt(raw, first.path);
        const given = here && typeof here === 'object' ? Object.keys(here) : [];
        const near = keys.length === 1 ? closest(keys[0], fieldsAt(raw, first.path).filter((k) => !given.includes(k))) : undefined;
        if (near) hint = ` (did you mean "${near}"?)`;
      }
    }
    const rest = issues.length - 1 - (hint ? 1 : 0);
    const more = rest > 0 ? ` (and ${rest} more problem${rest > 1 ? 's' : ''})` : '';
    const issue = unwrapUnion(first as Issue, raw);
    throw new InputError(file, formatPath(issue.path), describeIssue(issue, raw) + hint + more);
  }
  const scenario = parsed.data;
  defaultDormant(scenario);
  checkReferences(scenario, file);
  checkPlatformChanges(scenario, file);
  checkShockFields(scenario, file);
  checkLimits(scenario, file);
  checkRelativeFigures(scenario, file);
  checkFlowWindows(scenario, file);
  scenario.figures = scenario.figures.map((f, i) => completeFigure(f, i, file));
  checkFigureValues(scenario, file);
  checkFitted(scenario, raw, file);
  checkFittedFrom(scenario, file, builtinNames());
  checkRunSize(scenario, scenario.agents, { file, path: 'agents' });
  const hash = createHash('sha256').update(JSON.stringify(scenario)).digest('hex').slice(0, 16);
  return { scenario, file, hash, warnings: scenarioWarnings(scenario) };
}

/** How to write what YAML misread (quoting), for its most common surprises. */
function yamlHint(code: string): string {
  switch (code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
      return ' (a value that contains ": " must be quoted, e.g. reading: "reported as \\">4M\\": a bound")';
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return ' (inside [ ] or { }, a value that contains [ ] { } , or ": " must be quoted, e.g. path: ["shocks[0].media"])';
    case 'TAB_AS_INDENT':
      return ' (indent with spaces, not tabs)';
    default:
      return '';
  }
}

/**
 * YAML or JSON text to plain data, with one message for whatever goes wrong: syntax, aliases that
 * expand too far or point nowhere, anchors that contain themselves, nesting too deep.
 */
function parseText(text: string, file: string): unknown {
  const tooDeep = `nested more than ${LIMITS.nesting} levels deep; expected a scenario (mappings and lists a few levels deep)`;
  const lines = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(file, '', `not valid YAML/JSON: ${tooDeep}`);
    throw e;
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const msg = /Maximum call stack/.test(e.message) ? tooDeep : e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(file, pos ? `line ${pos.line}, column ${pos.col}` : '', `not valid YAML/JSON: ${msg}${yamlHint(e.code)}`);
  }
  /** Where the first alias (*name, or *`name` when given) is, as "line L, column C". */
  const aliasAt = (name?: string) => {
    let at = '';
    visit(doc, {
      Alias(_, node) {
        if (name !== undefined && node.source !== name) return undefined;
        const p = node.range ? lines.linePos(node.range[0]) : undefined;
        at = p ? `line ${p.line}, column ${p.col}` : '';
        return visit.BREAK;
      },
    });
    return at;
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(file, aliasAt(), `not valid YAML/JSON: ${tooDeep}`);
    if (!(e instanceof ReferenceError)) throw e;
    const unresolved = /Unresolved alias.*: (.*)$/.exec(e.message);
    if (unresolved) throw new InputError(file, aliasAt(unresolved[1]), `not valid YAML/JSON: alias *${unresolved[1]} points to no anchor; expected "&${unresolved[1]}" on an earlier node`);
    if (/Excessive alias count/.test(e.message)) {
      throw new InputError(file, aliasAt(), `not valid YAML/JSON: its aliases (*name) expand to more than ${LIMITS.aliases} copies; expected a scenario that repeats little`);
    }
    throw new InputError(file, aliasAt(), `not valid YAML/JSON: ${e.message}`);
  }
  // Depth and cycles (an anchor that contains an alias to itself), without recursion.
  const stack: [unknown, PropertyKey[], unknown[]][] = [[raw, [], []]];
  while (stack.length) {
    const [v, path, parents] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (parents.includes(v)) throw new InputError(file, formatPath(path), 'not valid YAML/JSON: an anchor (&name) contains an alias to itself; expected data that does not contain itself');
    if (path.length >= LIMITS.nesting) throw new InputError(file, formatPath(path.slice(0, 3)) + '...', `not valid YAML/JSON: ${tooDeep}`);
    for (const [k, x] of Object.entries(v)) {
      if (x !== null && typeof x === 'object') stack.push([x, [...path, Array.isArray(v) ? Number(k) : k], [...parents, v]]);
    }
  }
  return raw;
}

/** Apps given without a dormant share get a tenth of active, at most what is left (1 - active). */
function defaultDormant(s: Scenario): void {
  for (const r of s.regions) {
    for (const [app, v] of Object.entries(r.apps)) {
      const active = typeof v === 'number' ? v : v.active;
      const given = typeof v === 'number' ? undefined : v.dormant;
      if (given === undefined && active + active / 10 > 1) r.apps[app] = { ...(typeof v === 'number' ? {} : v), active, dormant: 1 - active };
    }
  }
}

type Issue = { code: string; message: string; path: PropertyKey[]; origin?: string; minimum?: number | bigint; keys?: string[]; options?: unknown[]; values?: unknown[]; expected?: string; errors?: Issue[][] };

/**
 * A value that fits none of a union's forms: when its type matches one form (e.g. a mapping for
 * "a share or { active, dormant, primary, trend }"), the problem inside that form; else the union's own
 * message where the schema gives one (e.g. the forms a date may take), or the forms' types.
 */
function unwrapUnion(issue: Issue, raw: unknown): Issue {
  if (issue.code !== 'invalid_union' || !issue.errors?.length || issue.options) return issue;
  const own = /^Invalid input/.test(issue.message) ? undefined : issue.message;
  // With a message of its own, a union of a literal and a list ("all" or [ids]) is not "matched" by
  // a text other than the literal.
  const misfit = (x: Issue) => x.path.length === 0 && (x.code === 'invalid_type' || (own !== undefined && x.code === 'invalid_value'));
  const matching = issue.errors.find((b) => b.length > 0 && !b.some(misfit));
  if (matching) return unwrapUnion({ ...matching[0], path: [...issue.path, ...matching[0].path] }, raw);
  if (own) return { ...issue, code: valueAt(raw, issue.path) === undefined ? 'invalid_type' : 'custom', message: own };
  const types = [...new Set(issue.errors.map((b) => b.find((x) => x.path.length === 0)?.expected).filter(Boolean))];
  if (types.length === 0) return issue;
  return { ...issue, code: 'custom', message: `expected ${types.map(typeName).join(' or ')}` };
}

/** zod's type names as a YAML/JSON user knows them. */
function typeName(t: unknown): string {
  return t === 'array' ? 'a list' : t === 'object' || t === 'record' ? 'a mapping' : t === 'int' ? 'an integer' : String(t);
}

function describeIssue(issue: Issue, raw: unknown): string {
  const got = valueAt(raw, issue.path);
  const shown = got === undefined ? 'nothing' : showValue(got);
  switch (issue.code) {
    case 'unrecognized_keys': {
      // "{ label: Facebook, Messenger down }": YAML reads the text after the comma as a key.
      const strays = issue.keys!.filter((k) => valueAt(raw, [...issue.path, k]) === null);
      const hint = strays.length ? ` (a comma inside { } ends a value: quote values that contain commas, e.g. label: "Facebook, Messenger down")` : '';
      return `unknown field${issue.keys!.length > 1 ? 's' : ''} ${issue.keys!.map((k) => `"${k}"`).join(', ')}${hint}`;
    }
    case 'invalid_union':
      if (issue.options) return oneOf(issue.options, got);
      return `expected ${issue.message.replace(/^Invalid input:?\s*/i, '') || 'a different value'}, got ${shown}`;
    case 'invalid_type': {
      const expected = /^Invalid input: expected \w+, received/.test(issue.message) ? `expected ${typeName(issue.expected)}` : issue.message;
      if (got === undefined) return `missing; ${expected}`;
      if (got === null) return `${expected}, got nothing (in YAML " #" starts a comment and an empty value is null: quote values that contain " #")`;
      return `${expected}, got ${shown}`;
    }
    case 'invalid_value':
      if (issue.values && issue.values.length > 1) return oneOf(issue.values, got);
      return `${issue.message.replace(/^Invalid (input|option): /, '')}, got ${shown}`;
    case 'too_small':
      if (issue.origin === 'array') return `expected a list of at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}, got ${shown}`;
    // falls through
    default: {
      const msg = issue.message.replace(/^Invalid (input|option): /, '').replace(/^Too (small|big): /, '');
      return `${msg}, got ${shown}`;
    }
  }
}

/** "expected one of "a", "b", got "c"" (missing, or with the value meant when it is a near miss). */
function oneOf(values: readonly unknown[], got: unknown): string {
  const list = `expected one of ${values.map((v) => `"${String(v)}"`).join(', ')}`;
  if (got === undefined) return `missing; ${list}`;
  const near = typeof got === 'string' ? closest(got, values.map(String)) : undefined;
  return `${list}, got ${showValue(got)}${near ? ` (did you mean "${near}"?)` : ''}`;
}

/** The fields the schema takes for the mapping at `path` of `raw` (a shock's: those of its type). */
function fieldsAt(raw: unknown, path: readonly PropertyKey[]): string[] {
  let t: z.ZodType = scenarioSchema;
  let v: unknown = raw;
  for (let depth = 0; ; ) {
    if (t instanceof z.ZodOptional || t instanceof z.ZodDefault || t instanceof z.ZodNullable) t = t.unwrap() as z.ZodType;
    else if (t instanceof z.ZodPipe) t = t.in as z.ZodType;
    else if (t instanceof z.ZodUnion) {
      // The branch this value was written for: the one its `type` names, else the mapping.
      const objects = (t.options as z.ZodType[]).filter((o) => o instanceof z.ZodObject) as z.ZodObject[];
      const type = v && typeof v === 'object' ? (v as Record<string, unknown>).type : undefined;
      const pick = objects.find((o) => o.shape.type instanceof z.ZodLiteral && o.shape.type.value === type) ?? objects[0];
      if (!pick) return [];
      t = pick;
    } else if (depth === path.length) return t instanceof z.ZodObject ? Object.keys(t.shape) : [];
    else if (t instanceof z.ZodObject) {
      const key = String(path[depth++]);
      t = t.shape[key] as z.ZodType;
      v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      if (!t) return [];
    } else if (t instanceof z.ZodArray) {
      t = t.element as z.ZodType;
      v = Array.isArray(v) ? v[Number(path[depth])] : undefined;
      depth++;
    } else return [];
  }
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function checkReferences(s: Scenario, file: string): void {
  const fail = (path: string, expected: string): never => {
    throw new InputError(file, path, expected);
  };
  const platformIds = s.platforms.map((p) => p.id);
  const regionIds = s.regions.map((r) => r.id);
  const dup = (ids: string[]) => {
    const seen = new Set<string>();
    for (const x of ids) {
      if (seen.has(x)) return x;
      seen.add(x);
    }
    return undefined;
  };
  const dp = dup(platformIds);
  if (dp) fail(`platforms[${platformIds.lastIndexOf(dp)}].id`, `expected a unique platform id, "${dp}" is used twice`);
  const dr = dup(regionIds);
  if (dr) fail(`regions[${regionIds.lastIndexOf(dr)}].id`, `expected a unique region id, "${dr}" is used twice`);
  if (regionIds.includes('all')) fail(`regions[${regionIds.indexOf('all')}].id`, 'expected a region id other than "all" (it means every region)');
  const knownPlatform = (p: string, path: string) => {
    if (!platformIds.includes(p)) fail(path, `unknown platform "${p}"; expected one of ${platformIds.join(', ')}`);
  };
  const knownRegion = (r: string, path: string) => {
    if (!regionIds.includes(r)) fail(path, `unknown region "${r}"; expected one of ${regionIds.join(', ')} or "all"`);
  };

  const start = parseDate(s.time.start);
  const end = parseDate(s.time.end);
  if (!(end > start)) fail('time.end', `expected a date after time.start (${s.time.start}), got "${s.time.end}"`);
  let prev = start;
  s.time.schedule.forEach((c, i) => {
    const t = parseDate(c.from);
    if (!(t > prev && t < end)) fail(`time.schedule[${i}].from`, 'expected dates in increasing order between time.start and time.end');
    prev = t;
  });

  s.regions.forEach((r, i) => {
    for (const [app, v] of Object.entries(r.apps)) {
      knownPlatform(app, `regions[${i}].apps.${app}`);
      const active = typeof v === 'number' ? v : v.active;
      const dormant = typeof v === 'number' ? active / 10 : (v.dormant ?? active / 10); // see defaultDormant
      if (active + dormant > 1) fail(`regions[${i}].apps.${app}`, `expected active + dormant <= 1, got ${active + dormant}`);
      if (typeof v !== 'number' && v.primary !== undefined && v.primary > active) {
        fail(`regions[${i}].apps.${app}.primary`, `expected at most the active share (${active}), got ${v.primary}`);
      }
    }
    const prim = Object.values(r.apps).map((v) => (typeof v === 'number' ? undefined : v.primary));
    if (prim.some((x) => x !== undefined) && prim.some((x) => x === undefined)) {
      fail(`regions[${i}].apps`, 'expected "primary" on every app of the region or on none');
    }
    const primSum = prim.reduce((a: number, b) => a + (b ?? 0), 0);
    if (primSum > 1 + 1e-9) fail(`regions[${i}].apps`, `expected the "primary" shares to add up to at most 1, got ${primSum}`);
  });
  const samples = s.regions.map((r) => r.sample);
  if (samples.some((x) => x !== undefined) && samples.some((x) => x === undefined)) {
    fail('regions', 'expected "sample" on every region or on none');
  }
  if (samples.every((x) => x !== undefined)) {
    const total = samples.reduce((a, b) => a! + b!, 0)!;
    if (Math.abs(total - 1) > 1e-6) fail('regions', `expected the regions' "sample" shares to add up to 1, got ${total}`);
  }

  s.platforms.forEach((p, i) => {
    const capacityRegions = (c: unknown, path: string) => {
      if (c && typeof c === 'object') for (const r of Object.keys(c)) if (r !== 'all') knownRegion(r, `${path}.${r}`);
    };
    capacityRegions(p.capacity, `platforms[${i}].capacity`);
    p.changes.forEach((c, k) => capacityRegions(c.capacity, `platforms[${i}].changes[${k}].capacity`));
  });

  s.shocks.forEach((sh, i) => {
    sh.platforms?.forEach((p, k) => knownPlatform(p, `shocks[${i}].platforms[${k}]`));
    if (sh.regions !== 'all') sh.regions.forEach((r, k) => knownRegion(r, `shocks[${i}].regions[${k}]`));
    if (typeof sh.media === 'object') for (const r of Object.keys(sh.media)) knownRegion(r, `shocks[${i}].media.${r}`);
    if (sh.type === 'connectivity') sh.exempt.forEach((p, k) => knownPlatform(p, `shocks[${i}].exempt[${k}]`));
    if (sh.mentions !== undefined) checkMentions(sh.mentions, `shocks[${i}].mentions`);
    const t0 = parseDate(sh.start);
    if (sh.type === 'outage' && sh.end === undefined && sh.duration === undefined) fail(`shocks[${i}]`, 'expected the outage\'s duration (e.g. "6h") or its end (a date)');
    if ('end' in sh && sh.end !== undefined) {
      if ('duration' in sh && sh.duration !== undefined) fail(`shocks[${i}]`, 'expected either end or duration, not both');
      if (!(parseDate(sh.end) > t0)) fail(`shocks[${i}].end`, `expected a date after start (${sh.start}), got "${sh.end}"`);
    }
    if (sh.type === 'announcement' && !(parseDate(sh.until) > t0)) {
      fail(`shocks[${i}].until`, `expected a date after start (${sh.start}), got "${sh.until}"`);
    }
  });

  function checkMentions(m: unknown, path: string) {
    if (Array.isArray(m)) return m.forEach((p, k) => knownPlatform(p, `${path}[${k}]`));
    const entries = Object.entries(m as Record<string, unknown>);
    const perRegion = entries.some(([, v]) => typeof v === 'object');
    for (const [key, v] of entries) {
      if (perRegion) {
        if (typeof v !== 'object') fail(`${path}.${key}`, 'expected weights per region id ({ DE: { Threema: 1 } }) for every key, or weights per app for every key');
        knownRegion(key, `${path}.${key}`);
        for (const p of Object.keys(v as object)) knownPlatform(p, `${path}.${key}.${p}`);
      } else knownPlatform(key, `${path}.${key}`);
    }
  }

  try {
    resolveParams(s.params, 'params');
  } catch (e) {
    if (e instanceof ParamError) {
      const m = /^params(\.\w+)?: (.*)$/.exec(e.message);
      fail(`params${m?.[1] ?? ''}`, m?.[2] ?? e.message);
    }
    throw e;
  }

  const figIds = s.figures.map((f) => f.id);
  const df = dup(figIds);
  if (df) fail(`figures[${figIds.lastIndexOf(df)}].id`, `expected a unique figure id, "${df}" is used twice`);
  s.figures.forEach((f, i) => {
    knownPlatform(f.platform, `figures[${i}].platform`);
    const regs = f.region === 'all' ? [] : Array.isArray(f.region) ? f.region : [f.region];
    regs.forEach((r) => knownRegion(r, `figures[${i}].region`));
    if (f.role === 'compare' && !f.metric) fail(`figures[${i}].metric`, 'expected the model metric this figure is compared with (signups, installs, dau, mau, primary, installed, users)');
    if (f.ref && !figureIndex().has(f.id)) fail(`figures[${i}].id`, `expected an id in data/reported-figures.csv for ref: true, "${f.id}" is not there`);
    if (!f.ref && f.value === undefined && f.low === undefined && f.high === undefined) {
      fail(`figures[${i}].value`, 'missing; expected the reported value, a bound (low or high), or ref: true to take it from data/reported-figures.csv');
    }
    if (f.low !== undefined && f.high !== undefined && !(f.low < f.high)) fail(`figures[${i}].high`, `expected high > low (${f.low}), got ${f.high}${f.low === f.high ? ' (for an exact figure give value alone)' : ''}`);
    if (typeof f.value === 'string' && !f.relativeTo) {
      fail(`figures[${i}].value`, `expected a number; a ratio such as "${f.value}" needs relativeTo (what it is relative to)`);
    }
    const universesOf = (regs: string | string[]) => {
      const ids = regs === 'all' ? regionIds : Array.isArray(regs) ? regs : [regs];
      return (u: string, path: string) => {
        const missing = ids.find((r) => s.regions.find((x) => x.id === r)?.universes[u] === undefined);
        if (missing) fail(path, `unknown universe "${u}" in region ${missing}; expected one of its universes (${Object.keys(s.regions.find((x) => x.id === missing)!.universes).join(', ') || 'none declared'})`);
      };
    };
    if (f.universe !== undefined) universesOf(f.region)(f.universe, `figures[${i}].universe`);
    if (f.relativeTo?.figure !== undefined) {
      // Relative to another figure: the same quantity as that one, unless stated here.
      const { figure: id, ...own } = f.relativeTo;
      const g = s.figures.find((x) => x.id === id);
      const path = `figures[${i}].relativeTo`;
      if (!g) return fail(path, `unknown figure "${id}"; expected the id of another figure of this file (${figIds.filter((x) => x !== f.id).join(', ') || 'there is none'})`);
      if (g.id === f.id) fail(path, `expected another figure, "${id}" is this figure itself`);
      if (g.relativeTo) fail(path, `expected a figure that is not relative itself, "${id}" is relative to another`);
      const date = g.date ?? (g.ref ? figureIndex().get(g.id)?.date : undefined);
      f.relativeTo = { platform: g.platform, metric: g.metric, region: g.region, universe: g.universe, date, window: g.window, ...own };
    }
    if (f.relativeTo) {
      const rel = f.relativeTo;
      if (rel.platform) knownPlatform(rel.platform, `figures[${i}].relativeTo.platform`);
      const rr = rel.region === undefined || rel.region === 'all' ? [] : Array.isArray(rel.region) ? rel.region : [rel.region];
      rr.forEach((r) => knownRegion(r, `figures[${i}].relativeTo.region`));
      const u = rel.universe ?? f.universe;
      if (u !== undefined) universesOf(rel.region ?? f.region)(u, `figures[${i}].relativeTo.universe`);
      if (f.as === 'share-of-total') fail(`figures[${i}].as`, 'expected count or percent for a relative figure (a ratio of shares of the total is not supported)');
    }
    if (!f.ref && !f.date) fail(`figures[${i}].date`, 'missing; expected the date of the figure, e.g. "2019-03-14" or "2018-04"');
    if (f.window !== undefined && parseDuration(f.window) <= 0) fail(`figures[${i}].window`, 'expected a positive duration');
    const d = f.date ?? (f.ref ? figureIndex().get(f.id)?.date : undefined);
    if (f.role === 'compare' && d) {
      const from = parseDate(d);
      const to = f.window ? from + parseDuration(f.window) * 86_400_000 : parsePeriodEnd(d);
      if (from < start || to > end) {
        fail(`figures[${i}].date`, `expected the figure's window (${d}${f.window ? ` + ${f.window}` : ''}) inside the scenario's time span ${s.time.start} .. ${s.time.end}`);
      }
      const rd = f.relativeTo?.date;
      if (rd !== undefined) {
        const rf = parseDate(rd);
        const rw = f.relativeTo!.window ?? f.window;
        const rt = rw ? rf + parseDuration(rw) * 86_400_000 : parsePeriodEnd(rd);
        if (rf < start || rt > end) fail(`figures[${i}].relativeTo.date`, `expected the window it is relative to (${rd}) inside the scenario's time span ${s.time.start} .. ${s.time.end}`);
      }
    }
  });

  s.fitted.forEach((q, i) => {
    if (!(q.max > q.min)) fail(`fitted[${i}].max`, `expected max > min (${q.min})`);
    if (q.scale === 'log' && q.min <= 0) fail(`fitted[${i}].min`, 'expected min > 0 on a log scale');
    if (q.prior && !(q.prior.centre >= q.min && q.prior.centre <= q.max)) fail(`fitted[${i}].prior.centre`, `expected a value in [${q.min}, ${q.max}], got ${q.prior.centre}`);
    pathsOf(q).forEach((path, k) => {
      const v = getPath(s, path);
      const where = Array.isArray(q.path) ? `fitted[${i}].path[${k}]` : `fitted[${i}].path`;
      if (typeof v !== 'number') fail(where, `expected a path to a number in this file (e.g. "shocks[0].media"), "${path}" ${v === undefined ? 'is not in the file' : `is ${showValue(v)}`}`);
    });
  });
}

/** Fill a figure from the CSV when it is a reference, keeping what the scenario states itself. */
function completeFigure(f: FigureSpec, i: number, file: string): FigureSpec {
  if (!f.ref) {
    return { ...f, value: numericValue(f.value) ?? f.low ?? f.high, confidence: f.confidence ?? 'medium', label: f.label ?? f.metric ?? '', source: f.source ?? '', url: f.url ?? '' };
  }
  const r = figureIndex().get(f.id);
  if (!r) throw new InputError(file, `figures[${i}].id`, `expected an id in data/reported-figures.csv, "${f.id}" is not there`);
  return {
    ...f,
    date: f.date ?? r.date,
    value: numericValue(f.value) ?? r.value,
    low: f.low ?? r.low,
    high: f.high ?? r.high,
    unit: f.unit ?? r.unit,
    label: f.label ?? r.metric,
    geography: f.geography ?? r.geography,
    source: f.source ?? r.source,
    url: f.url ?? r.url,
    confidence: f.confidence ?? r.confidence,
  };
}

/** "x5", "5x" -> 5; "+15%" -> 1.15; "-16%" -> 0.84; numbers as they are. */
export function numericValue(v: number | string | undefined): number | undefined {
  if (v === undefined || typeof v === 'number') return v;
  const t = v.trim().toLowerCase();
  const pct = /^([+-]\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) return 1 + Number(pct[1]) / 100;
  return Number(t.replace(/x/g, '').trim());
}

/** The paths a per-event quantity is written to. */
export function pathsOf(q: { path: string | string[] }): string[] {
  return Array.isArray(q.path) ? q.path : [q.path];
}

/** Read a value at a path like "shocks[0].media" or "regions[1].arrival". */
export function getPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Return a copy of the scenario with a number set at a path (used for per-event fitted quantities). */
export function setPath<T>(obj: T, path: string, value: number): T {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  let v: Record<string, unknown> = copy;
  for (const p of parts.slice(0, -1)) v = v[p] as Record<string, unknown>;
  v[parts[parts.length - 1]] = value;
  return copy as T;
}
