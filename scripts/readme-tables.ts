// The README's reference tables, generated from the code so they cannot drift from it:
//   params  every behavioural parameter of src/model/params.ts (PARAM_SPECS)
//   shocks  every shock type of the scenario schema (src/scenarios/schema.ts), what it does, its fields
//   metrics the metrics a reported figure can be read as (src/model/results.ts), with the kind of
//           measurement each is taken to be unless a figure says otherwise (src/calibrate/errors.ts)
//   fields  every other field of a scenario file, from the same schema
// Each table lives in README.md between <!-- NAME:begin --> and <!-- NAME:end -->.
//
//   npm run readme-tables              # rewrite the tables in README.md
//   npm run readme-tables -- --check   # exit 1 if README.md is not up to date (nothing written)
//
// tests/readme.test.ts checks that README.md holds exactly what this produces.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { PARAM_SPECS } from '../src/model/params.ts';
import { METRICS, scenarioSchema, SHOCK_TYPES } from '../src/scenarios/schema.ts';
import { METRIC_DOCS } from '../src/model/results.ts';
import { ERROR_SD, kindOf } from '../src/calibrate/errors.ts';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
const SHOCKS_DIR = new URL('../src/model/shocks/', import.meta.url);

export const TABLES = ['params', 'shocks', 'metrics', 'fields'] as const;
export type TableName = (typeof TABLES)[number];

// --- Markdown helpers ---

/** Text on one line, with "<" outside code spans escaped (so it is not read as HTML). */
const inline = (s: string) =>
  s
    .replace(/\s*\n\s*/g, ' ')
    .split('`')
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;')))
    .join('`')
    .trim();
/** A table cell: inline text with its pipes escaped. */
const cell = (s: string) => inline(s.replace(/\|/g, '\\|'));
const code = (s: string) => `\`${s}\``;

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

// --- Parameters ---

export function paramsTable(): string {
  const rows = PARAM_SPECS.map((p) => [
    code(p.name),
    p.unit,
    `${p.min} – ${p.max} (${p.scale})`,
    String(p.default),
    p.fit ? 'yes' : 'no, fixed',
    p.doc,
  ]);
  const fixed = PARAM_SPECS.filter((p) => !p.fit).map((p) => `- ${code(p.name)}: ${inline('fixed' in p && p.fixed ? p.fixed : 'no reason given in src/model/params.ts')}`);
  return [
    table(['name', 'unit', 'range (search scale)', 'default', 'fitted', 'meaning'], rows),
    '',
    'Why the fixed parameters are fixed:',
    '',
    ...fixed,
  ].join('\n');
}

// --- Metrics of reported figures ---

export function metricsTable(): string {
  const rows = METRICS.map((m) => {
    const kind = kindOf({ metric: m, kind: undefined });
    const sd = ERROR_SD[kind];
    return [code(m), METRIC_DOCS[m], `${kind} (${sd.high} / ${sd.medium} / ${sd.low})`];
  });
  return table(['metric', 'what the model counts', 'kind by default (error scale, log10: high / medium / low confidence)'], rows);
}

// --- Reading the zod schema ---

type Schema = z.ZodType;

/** A field's schema without its default/optional wrappers, with what they said. */
interface Field {
  inner: Schema;
  required: boolean;
  hasDefault: boolean;
  defaultValue?: unknown;
  description?: string;
}

function field(s: Schema): Field {
  let cur = s;
  let required = true;
  let hasDefault = false;
  let defaultValue: unknown;
  let description = s.description;
  for (;;) {
    if (cur instanceof z.ZodDefault) {
      required = false;
      hasDefault = true;
      defaultValue = cur.def.defaultValue;
      cur = cur.unwrap() as Schema;
    } else if (cur instanceof z.ZodOptional) {
      required = false;
      cur = cur.unwrap() as Schema;
    } else break;
    description ??= cur.description;
  }
  return { inner: cur, required, hasDefault, defaultValue, description: description ?? cur.description };
}

// Dates and durations are strings with a refinement: tell them apart by what they accept.
const accepts = (s: Schema, v: unknown) => s.safeParse(v).success;
const isDate = (s: Schema) => accepts(s, '2019-03-13') && accepts(s, '2019-03-13T16:00Z') && !accepts(s, 'soon') && !accepts(s, '6h');
const isDuration = (s: Schema) => accepts(s, '6h') && !accepts(s, 'soon') && !accepts(s, '2019-03-13');

/** The checks zod keeps on a schema (bounds, formats, refinements), as plain objects. */
function checks(s: Schema): Record<string, unknown>[] {
  return (s.def.checks ?? []).map((c) => (c as unknown as { _zod: { def: Record<string, unknown> } })._zod.def);
}

function numberText(s: z.ZodNumber): string {
  let lo: { value: number; inclusive: boolean } | undefined;
  let hi: { value: number; inclusive: boolean } | undefined;
  for (const c of checks(s)) {
    if (c.check === 'greater_than') lo = { value: Number(c.value), inclusive: Boolean(c.inclusive) };
    if (c.check === 'less_than') hi = { value: Number(c.value), inclusive: Boolean(c.inclusive) };
  }
  const what = s.isInt ? 'integer' : 'number';
  const n = (x: number) => (Math.abs(x) >= 1e5 ? x.toLocaleString('en-US') : String(x));
  if (lo && hi) return `${what} in ${lo.inclusive ? '[' : '('}${n(lo.value)}, ${n(hi.value)}${hi.inclusive ? ']' : ')'}`;
  if (lo) return `${what} ${lo.inclusive ? '≥' : '>'} ${n(lo.value)}`;
  if (hi) return `${what} ${hi.inclusive ? '≤' : '<'} ${n(hi.value)}`;
  return what;
}

/** A string with a pattern or refinement: what its error message says it expects. */
function stringText(s: z.ZodString): string {
  for (const c of checks(s)) {
    const msg = typeof c.error === 'function' ? String((c.error as (x: unknown) => unknown)({})) : undefined;
    if (msg?.startsWith('expected ')) return msg.slice('expected '.length);
  }
  return 'text';
}

/** What a value of this schema looks like, in a few words. */
export function typeText(s: Schema): string {
  const { inner } = field(s);
  if (isDate(inner)) return 'date';
  if (isDuration(inner)) return 'duration';
  if (inner instanceof z.ZodNumber) return numberText(inner);
  if (inner instanceof z.ZodBoolean) return 'true or false';
  if (inner instanceof z.ZodString) return stringText(inner);
  if (inner instanceof z.ZodEnum) return inner.options.map(String).join(' | ');
  if (inner instanceof z.ZodLiteral) return [...inner.values].map(String).join(' | ');
  if (inner instanceof z.ZodArray) {
    const el = inner.element as Schema;
    const e = field(el).inner;
    if (e instanceof z.ZodString && !e.def.checks?.length) return 'list of names';
    if (e instanceof z.ZodObject) return 'list of mappings';
    return `list of (${typeText(el)})`;
  }
  if (inner instanceof z.ZodRecord) return `{ name: ${typeText(inner.valueType as Schema)} }`;
  if (inner instanceof z.ZodObject) return `{ ${Object.keys(inner.shape).join(', ')} }`;
  if (inner instanceof z.ZodUnion) {
    const forms = (inner.options as Schema[]).map(typeText);
    // "number" beside a string whose message begins "a number, or ...": say the number once.
    return forms.map((t) => (forms.includes('number') ? t.replace(/^a number, or /, '') : t)).join('; or ');
  }
  if (inner instanceof z.ZodPipe) return typeText(inner.in as Schema);
  return inner.def.type;
}

/** A default as one would write it in YAML flow style. */
function yamlValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(yamlValue).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    return entries.length ? `{ ${entries.map(([k, x]) => `${k}: ${yamlValue(x)}`).join(', ')} }` : '{}';
  }
  if (typeof v === 'string') return v === '' ? '""' : v;
  return String(v);
}

function defaultText(f: Field): string {
  if (f.hasDefault) return code(yamlValue(f.defaultValue));
  return f.required ? '**required**' : '–';
}

// --- Shock types ---

/** The first sentence of a shock module's header comment, without its "Name:" and file pointers. */
function moduleSummary(type: string): string {
  const file = new URL(`${type}.ts`, SHOCKS_DIR);
  if (!existsSync(file)) {
    throw new Error(`shock type "${type}" has no description in src/scenarios/schema.ts (.describe()) and no module src/model/shocks/${type}.ts with a header comment to take one from`);
  }
  const text = readFileSync(file, 'utf8');
  const comment = text
    .split('\n')
    .filter((l, i, all) => l.startsWith('//') && all.slice(0, i).every((x) => x.startsWith('//')))
    .map((l) => l.replace(/^\/\/\s?/, ''))
    .join(' ');
  const first = /^(.*?\.)(\s+(?=[A-Z`])|\s*$)/.exec(comment)?.[1] ?? comment;
  const s = first.replace(/^\w+:\s+/, '').replace(/\s*\([\w/.-]+\.ts\)/g, '');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** What a shock field means where the schema only describes its type (README only; "name!": when required). */
const SHOCK_MEANING: Record<string, string> = {
  start: 'When the shock starts.',
  duration: 'How long it lasts (instead of end; with neither, to the end of the run).',
  'duration!': 'How long it lasts.',
};

interface ShockVariant {
  type: string;
  schema: z.ZodObject;
}

function shockVariants(): ShockVariant[] {
  const list = field(scenarioSchema.shape.shocks as Schema).inner as z.ZodArray;
  const union = list.element as z.ZodDiscriminatedUnion;
  return (union.options as z.ZodObject[]).map((o) => {
    const t = o.shape.type as z.ZodLiteral;
    return { type: String([...t.values][0]), schema: o };
  });
}

export function shocksTable(): string {
  const variants = shockVariants();
  const byType = new Map(variants.map((v) => [v.type, v]));
  const missing = SHOCK_TYPES.filter((t) => !byType.has(t));
  if (missing.length) throw new Error(`SHOCK_TYPES has ${missing.join(', ')} but the shock schema does not`);
  // Fields every shock type shares (the same schema object in every variant).
  const first = variants[0].schema.shape;
  const common = Object.keys(first).filter((k) => k !== 'type' && variants.every((v) => v.schema.shape[k] === first[k]));
  const own = (v: ShockVariant) => Object.keys(v.schema.shape).filter((k) => k !== 'type' && !common.includes(k));

  const typeRows = variants.map((v) => {
    const fields = own(v).map((k) => {
      const f = field(v.schema.shape[k] as Schema);
      return f.hasDefault ? `${code(k)} = ${code(yamlValue(f.defaultValue))}` : f.required ? `**${code(k)}**` : code(k);
    });
    return [code(v.type), v.schema.description ?? moduleSummary(v.type), fields.join(', ')];
  });

  // One row per distinct field definition, with the types that have it.
  const rows: { name: string; schema: Schema; types: string[] }[] = [];
  for (const k of common) rows.push({ name: k, schema: first[k] as Schema, types: ['every shock'] });
  for (const v of variants) {
    for (const k of own(v)) {
      const s = v.schema.shape[k] as Schema;
      const row = rows.find((r) => r.name === k && r.schema === s);
      if (row) row.types.push(v.type);
      else rows.push({ name: k, schema: s, types: [v.type] });
    }
  }
  const generic = genericDescriptions();
  const fieldRows = rows.map((r) => {
    const f = field(r.schema);
    const value = typeText(r.schema);
    const own = f.description === generic.get(value) ? undefined : f.description;
    return [code(r.name), r.types.map((t) => (t === 'every shock' ? t : code(t))).join(', '), value, defaultText(f), own ?? SHOCK_MEANING[f.required ? `${r.name}!` : r.name] ?? SHOCK_MEANING[r.name] ?? ''];
  });
  return [
    table(['type', 'what it does', 'its own fields (**bold**: required; `= x`: default)'], typeRows),
    '',
    `Every shock also takes ${common.map(code).join(', ')}. The fields:`,
    '',
    table(['field', 'shock types', 'value', 'default', 'meaning'], fieldRows),
    '',
    legend(generic),
  ].join('\n');
}

// --- Every other field of a scenario file ---

/**
 * What a field means where the schema does not say (README only). When the schema gains a
 * description, it wins; an entry for a field the schema no longer has is an error.
 */
const MEANING: Record<string, string> = {
  name: 'The scenario\'s name: output folders (`out/<name>-seed<N>`), manifests, the report.',
  title: 'One line: what happened (exodus show, charts, the report).',
  description: 'A paragraph on what happened (exodus show prints it).',
  time: 'The span of the run and its steps.',
  'time.start': 'Start of the run; regions give the market as it is at this moment.',
  'time.end': 'End of the run.',
  'time.schedule[].from': 'When the new step length starts.',
  'time.schedule[].step': 'The new step length.',
  'platforms[].changes[].date': 'When the change takes effect.',
  regions: 'The markets (at least one); each agent belongs to one.',
  'regions[].name': 'Longer name for tables and charts.',
  platforms: 'The apps (1 to 16).',
  'platforms[].name': 'Longer name for tables and charts.',
  network: 'The contact network the engine generates.',
  shocks: 'What happens to the apps, the news and the networks.',
  figures: 'Reported figures: scored against the model (role compare) or shown beside it (context).',
  'fitted[].min': 'Lower bound of the search (the field\'s own unit).',
  'fitted[].max': 'Upper bound of the search.',
  'fitted[].scale': 'Search and prior scale: log (for values that span decades) or linear.',
  'figures[].unit': 'The unit as reported (e.g. "users", "downloads").',
  'figures[].geography': 'Where it was measured, in the source\'s words.',
  'figures[].source': 'Who reported it, and where.',
  'figures[].url': 'Link to the source.',
  'figures[].confidence': 'How far the source is trusted (default medium); with kind it sets the figure\'s reporting error.',
  'figures[].relativeTo.platform': 'The other side\'s app (default: the figure\'s own).',
  'figures[].relativeTo.metric': 'The other side\'s metric (default: the figure\'s own).',
  'figures[].relativeTo.region': 'The other side\'s region(s) (default: the figure\'s own).',
  'figures[].relativeTo.universe': 'The other side\'s base (default: the figure\'s own).',
  'figures[].relativeTo.date': 'The other side\'s date or period (default: the figure\'s own).',
  'figures[].relativeTo.window': 'The other side\'s window (default: the figure\'s own).',
};

interface FieldRow {
  path: string;
  schema: Schema;
}

/** The mappings a schema holds (directly, in a list, a union or a map), with the path suffix to reach them. */
function nested(s: Schema): { suffix: string; object: z.ZodObject }[] {
  const { inner } = field(s);
  if (inner instanceof z.ZodObject) return [{ suffix: '', object: inner }];
  if (inner instanceof z.ZodArray) return nested(inner.element as Schema).map((n) => ({ ...n, suffix: `[]${n.suffix}` }));
  if (inner instanceof z.ZodRecord) return nested(inner.valueType as Schema).map((n) => ({ ...n, suffix: `.<name>${n.suffix}` }));
  if (inner instanceof z.ZodUnion) return (inner.options as Schema[]).flatMap(nested);
  if (inner instanceof z.ZodPipe) return nested(inner.in as Schema);
  return [];
}

function walk(obj: z.ZodObject, path: string, out: FieldRow[], skip: (p: string) => boolean): void {
  for (const [k, s] of Object.entries(obj.shape)) {
    const p = path ? `${path}.${k}` : k;
    if (skip(p)) continue;
    out.push({ path: p, schema: s as Schema });
    for (const n of nested(s as Schema)) walk(n.object, `${p}${n.suffix}`, out, skip);
  }
}

/**
 * The description most fields of a value type share (that of the bare date and duration types),
 * over every field of the schema: shown once under a table instead of in every row.
 */
function genericDescriptions(): Map<string, string | undefined> {
  const all: FieldRow[] = [];
  walk(scenarioSchema, '', all, () => false);
  const out = new Map<string, string | undefined>();
  for (const value of ['date', 'duration']) {
    const counts = new Map<string, number>();
    for (const r of all) {
      const d = field(r.schema).description;
      if (d && typeText(r.schema) === value) counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    const [best] = [...counts].sort((x, y) => y[1] - x[1]);
    out.set(value, best && best[1] > 1 ? best[0] : undefined);
  }
  return out;
}

const legend = (generic: Map<string, string | undefined>) => [...generic].filter(([, d]) => d).map(([v, d]) => `*${v}*: ${d}`).join(' ');

export function fieldsTable(): string {
  const out: FieldRow[] = [];
  // Shocks have their own table; $schema is for editors.
  walk(scenarioSchema, '', out, (p) => p === '$schema' || p.startsWith('shocks['));
  const paths = new Set(out.map((r) => r.path));
  const stray = Object.keys(MEANING).filter((k) => !paths.has(k));
  if (stray.length) throw new Error(`scripts/readme-tables.ts: MEANING names ${stray.join(', ')}, which the scenario schema does not have`);
  const generic = genericDescriptions();
  const lines = out.map((r) => {
    const f = field(r.schema);
    const value = r.path === 'shocks' ? 'list of shocks (see the shock tables)' : typeText(r.schema);
    const own = f.description === generic.get(value) ? undefined : f.description;
    return [code(r.path), value, defaultText(f), own ?? MEANING[r.path] ?? ''];
  });
  return [table(['field', 'value', 'default', 'meaning'], lines), '', legend(generic)].join('\n');
}

// --- README.md ---

export function renderTable(name: TableName): string {
  switch (name) {
    case 'params':
      return paramsTable();
    case 'shocks':
      return shocksTable();
    case 'metrics':
      return metricsTable();
    case 'fields':
      return fieldsTable();
  }
}

export const markers = (name: TableName) => ({ begin: `<!-- ${name}:begin -->`, end: `<!-- ${name}:end -->` });

/** What is between a table's markers in `text` (undefined: no markers). */
export function tableIn(text: string, name: TableName): string | undefined {
  const { begin, end } = markers(name);
  const a = text.indexOf(begin);
  const b = text.indexOf(end, a);
  if (a < 0 || b < 0) return undefined;
  return text.slice(a + begin.length, b).replace(/^\n/, '').replace(/\n$/, '');
}

/** `text` with every table replaced by what the code says now. */
export function updateTables(text: string, file = 'README.md'): string {
  let out = text;
  for (const name of TABLES) {
    const { begin, end } = markers(name);
    const a = out.indexOf(begin);
    const b = out.indexOf(end, a);
    if (a < 0 || b < 0) throw new Error(`${file}: expected the markers ${begin} and ${end} (the ${name} table goes between them)`);
    out = `${out.slice(0, a + begin.length)}\n${renderTable(name)}\n${out.slice(b)}`;
  }
  return out;
}

function main(argv: string[]): number {
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log(`Usage: npm run readme-tables [-- --check]

Regenerate the tables of README.md between <!-- NAME:begin --> and <!-- NAME:end --> markers:
${TABLES.map((t) => `  ${t}`).join('\n')}
from src/model/params.ts and the scenario schema (src/scenarios/schema.ts).
  --check      write nothing; exit 1 if README.md is not up to date
  -h, --help   this help`);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length) {
    console.error(`readme-tables: unknown option ${unknown[0]}; expected --check or --help`);
    return 2;
  }
  const text = readFileSync(README, 'utf8');
  let next: string;
  try {
    next = updateTables(text);
  } catch (e) {
    console.error(`readme-tables: ${(e as Error).message}`);
    return 2;
  }
  if (next === text) {
    console.log(`README.md: the ${TABLES.join(', ')} tables are up to date`);
    return 0;
  }
  if (argv.includes('--check')) {
    console.error('README.md: its tables differ from the code; run npm run readme-tables');
    return 1;
  }
  // Written next to it and renamed: an interrupted run leaves the old README, never half of one.
  const tmp = `${README}.partial-${process.pid}`;
  writeFileSync(tmp, next);
  renameSync(tmp, README);
  console.log(`README.md: rewrote the ${TABLES.join(', ')} tables`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
