// The sweep file (YAML or JSON): which scenario, what to vary and how, how many replicates, which
// metrics to record. Validated completely before any run; bad input is one InputError naming the
// file, the field path and what was expected. Flags (--vary, --metric, ...) build the same spec.
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError, formatPath } from '../scenarios/errors.ts';

const num = z.number({ error: 'expected a number' }).finite();

const factor = z
  .object({
    name: z.string({ error: 'expected a behavioural parameter (e.g. betaReach) or a scenario path (e.g. shocks[11].hardness)' }).min(1),
    /** A list of values (numbers, or strings such as dates). */
    values: z.array(z.union([num, z.string()]), { error: 'expected a list of values such as [0.2, 0.5, 0.8]' }).min(1).optional(),
    /** A range: evenly spaced `steps` values (grid), or where a Latin hypercube samples. */
    from: num.optional(),
    to: num.optional(),
    steps: z.number().int().min(2).max(1000).optional(),
    scale: z.enum(['linear', 'log'], { error: 'expected "linear" or "log"' }).default('linear'),
    /** Axis title and column description (default: derived from the name). */
    label: z.string().optional(),
  })
  .strict();

export const sweepSchema = z
  .object({
    scenario: z.string({ error: 'expected a built-in event name or a scenario file' }).min(1),
    design: z.enum(['grid', 'lhs'], { error: 'expected "grid" (every combination) or "lhs" (Latin hypercube)' }).default('grid'),
    /** Latin hypercube: the number of settings. */
    samples: z.number().int().min(2).max(100_000).optional(),
    replicates: z.number().int().min(1).max(10_000).default(5),
    seed: z.number().int().min(0).default(1),
    agents: z.number().int().min(100).optional(),
    /** A parameter file over the shipped calibration (as --params elsewhere). */
    params: z.string().optional(),
    vary: z.array(factor, { error: 'expected a list of factors, each with a name and values, or from/to (and steps)' }).min(1).max(8),
    metrics: z.array(z.string(), { error: 'expected a list of metrics such as "mau:Telegram:RU@2026-09"' }).min(1).max(200),
    chart: z
      .object({
        y: z.string().optional(),
        x: z.string().optional(),
        color: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type SweepSpec = z.output<typeof sweepSchema>;
export type Factor = SweepSpec['vary'][number];

/** Check what a schema cannot: each factor is a list or a range, as the design needs. */
export function checkFactors(spec: SweepSpec, file: string): void {
  const fail = (path: string, expected: string): never => {
    throw new InputError(file, path, expected);
  };
  if (spec.design === 'lhs' && spec.samples === undefined) fail('samples', 'expected the number of settings of the Latin hypercube (design: lhs), e.g. samples: 20');
  if (spec.design === 'grid' && spec.samples !== undefined) fail('samples', 'expected no samples with design: grid (the grid has every combination); use design: lhs');
  const names = spec.vary.map((f) => f.name);
  spec.vary.forEach((f, i) => {
    const at = `vary[${i}]`;
    if (names.indexOf(f.name) !== i) fail(`${at}.name`, `expected each factor once, "${f.name}" is varied twice`);
    const range = f.from !== undefined || f.to !== undefined;
    if (f.values && (range || f.steps !== undefined)) fail(at, 'expected either values or from/to, not both');
    if (!f.values && !range) fail(at, 'expected values: [...] or a range from: / to:');
    if (range) {
      if (f.from === undefined) fail(`${at}.from`, 'missing; expected the start of the range');
      if (f.to === undefined) fail(`${at}.to`, 'missing; expected the end of the range');
      if (!(f.to! > f.from!)) fail(`${at}.to`, `expected a number above from (${f.from}), got ${f.to}`);
      if (f.scale === 'log' && !(f.from! > 0)) fail(`${at}.from`, `expected a number above 0 on a log scale, got ${f.from}`);
      if (spec.design === 'grid' && f.steps === undefined) fail(`${at}.steps`, 'missing; expected the number of grid values from..to (e.g. steps: 5), or use design: lhs');
      if (spec.design === 'lhs' && f.steps !== undefined) fail(`${at}.steps`, 'expected no steps in a Latin hypercube (samples: sets how many)');
    }
    if (f.values && spec.design === 'lhs') fail(`${at}.values`, 'expected a range from: / to: in a Latin hypercube (design: lhs), not a list');
  });
  if (spec.chart) {
    for (const k of ['x', 'color'] as const) {
      const v = spec.chart[k];
      if (v !== undefined && !names.includes(v)) fail(`chart.${k}`, `expected one of the varied names (${names.join(', ')}), got "${v}"`);
    }
    if (spec.chart.x && spec.chart.x === spec.chart.color) fail('chart.color', 'expected a factor other than chart.x');
    if (spec.chart.y !== undefined && !spec.metrics.includes(spec.chart.y)) fail('chart.y', `expected one of the metrics (${spec.metrics.join(', ')}), got "${spec.chart.y}"`);
  }
}

/** Validate a parsed object as a sweep spec (InputError on the first problem). */
export function parseSweep(raw: unknown, file: string): SweepSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(file, '', 'expected a mapping with scenario, vary and metrics');
  const r = sweepSchema.safeParse(raw);
  if (!r.success) {
    const issue = [...r.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'))[0];
    throw new InputError(file, formatPath(issue.path), describe(issue, raw));
  }
  checkFactors(r.data, file);
  return r.data;
}

export function loadSweepFile(file: string): SweepSpec {
  if (!existsSync(file)) throw new InputError(file, '', 'not found; expected a YAML or JSON sweep file');
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new InputError(file, pos ? `line ${pos.line}, column ${pos.col}` : '', `not valid YAML/JSON: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  return parseSweep(doc.toJS(), file);
}

type Issue = z.core.$ZodIssue;

function describe(issue: Issue, raw: unknown): string {
  let got: unknown = raw;
  for (const p of issue.path) got = got !== null && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[p] : undefined;
  const shown = got === undefined ? 'nothing' : JSON.stringify(got);
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; expected ${expectedKeys(issue.path)}`;
  const msg = issue.message.replace(/^Invalid input: /, '').replace(/, received .*$/, '').replace(/^Too (small|big): /, '');
  if (got === undefined) return `missing; ${msg}`;
  return `${msg}, got ${shown}`;
}

function expectedKeys(path: readonly PropertyKey[]): string {
  const shape = path.length === 0 ? sweepSchema.shape : path[0] === 'chart' ? { x: 0, y: 0, color: 0 } : factor.shape;
  return Object.keys(shape).join(', ');
}
