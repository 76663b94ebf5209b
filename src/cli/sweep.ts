// exodus sweep: vary behavioural parameters and scenario fields over a grid, a list or a Latin
// hypercube, N replicates each; write one tidy CSV, a manifest and a chart.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, intOption, UsageError } from './args.ts';
import { progressCount } from './progress.ts';
import { human, table } from './table.ts';
import { POOL_HELP, POOL_OPTIONS, poolFromArgs } from './pool-options.ts';
import { checkOutputFolder, writeOutputFolder } from './safe-output.ts';
import { VERSION } from './manifest.ts';
import { InputError } from '../scenarios/errors.ts';
import { loadSweepFile, parseSweep, type SweepSpec } from '../sweep/spec.ts';
import { planSweep, type SweepPlan } from '../sweep/plan.ts';
import { runSweep, settingBands, sweepCsv, SweepInterrupted, type SweepResult } from '../sweep/run.ts';
import { band } from '../calibrate/replicates.ts';
import { sweepChart, type SweepChartRow } from '../charts/sweep.ts';
import { renderPng, renderSvg, validateSpec } from '../charts/render.ts';
import { localIdentity } from '../queue/identity.ts';

export const usage = `Usage: exodus sweep <sweep.yaml> [options]
       exodus sweep <event | scenario.yaml> --vary NAME=VALUES [--vary ...] --metric M [...] [options]

Run a scenario over many settings, N replicates each, like NetLogo's BehaviorSpace or Mesa's batch
runs, and write one tidy CSV (a row per setting and replicate: the settings, then each metric), a
manifest, and a chart of one metric against one or two settings (median line, 5-95% band over the
replicates). Replicate k of every setting uses seed + k, so settings differ by their values, not
by luck. A sweep file (YAML) holds the same as the flags; see README "Sweeps".

Example (Telegram's Russian audience in September 2026 against how hard the block is to get round):
  exodus sweep russia-telegram-block-2026-whatif --vary 'shocks[11].hardness=0.1:0.9:9' \\
    --metric mau:Telegram:RU@2026-09

Options:
  --vary NAME=VALUES  a factor. NAME: a behavioural parameter (e.g. betaReach; exodus show lists
                      them in the README) or a path to a field of the scenario (e.g.
                      shocks[11].hardness, regions[0].circumvention.mean, shocks[11].start).
                      VALUES: a list "0.2,0.5,0.8" (text such as dates too), a grid FROM:TO:STEPS
                      (e.g. 0.1:0.9:9; FROM:TO:STEPS:log for log spacing), or with --lhs a range
                      FROM:TO. Repeat for more factors (a grid has every combination)
  --metric M          what to record: METRIC:APP:REGION@DATE, e.g. mau:Telegram:RU@2026-09 (the
                      monthly audience over September), dau%:Max:all@2026-06 (percent of people),
                      signups:Signal:RU@2026-04-01+7d (a window). Metrics: dau, mau, active,
                      installed, users, primary, signups, installs. Repeatable
  --lhs N             a Latin hypercube of N settings over the --vary ranges instead of a grid
                      (drawn from --seed)
  --replicates N      runs per setting (default 5)
  --seed N            seed of replicate 1 (default 1)
  --agents N          agents per run (default: the scenario's)
  --params FILE       behavioural parameters (JSON) over the shipped calibration
  --x NAME            the chart's x axis (default: the first factor)
  --color NAME        one line per value of this factor (default: the second factor, if any)
  --y METRIC          the chart's outcome (default: the first metric)
${POOL_HELP}
  --resume            continue an interrupted sweep from its checkpoint (.exodus/) and, with
                      --queue, take runs finished in the queue
  --out DIR           output folder (default out/sweep-<scenario>); replaced as a whole
  --force             replace DIR even if it holds files exodus did not write
  -h, --help          this help

Writes to DIR: sweep.csv (setting, replicate, seed, the factors, the metrics), manifest.json
(the sweep, scenario hash, seeds, agents, parameters, model code, wall time), sweep.vl.json
(Vega-Lite), sweep.svg and sweep.png.`;

const FLAG_OPTIONS = {
  vary: { type: 'string', multiple: true },
  metric: { type: 'string', multiple: true },
  lhs: { type: 'string' },
  replicates: { type: 'string' },
  seed: { type: 'string' },
  agents: { type: 'string' },
  params: { type: 'string' },
  x: { type: 'string' },
  color: { type: 'string' },
  y: { type: 'string' },
  ...POOL_OPTIONS,
  resume: { type: 'boolean' },
  out: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, FLAG_OPTIONS, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 1) throw new UsageError(`expected one sweep file, or one event or scenario file with --vary and --metric\n\n${usage}`);
  const { spec, file } = specOf(positionals[0], values);
  const plan = file === COMMAND_LINE ? asFlags(() => planSweep(spec, file), values) : planSweep(spec, file);
  const out = resolve((values.out as string | undefined) ?? join('out', `sweep-${plan.loaded.scenario.name}`));
  const force = Boolean(values.force);
  // Refuse a foreign folder before any run, not after them.
  checkOutputFolder(out, force);
  const { pool, description, remote } = poolFromArgs(values, { resume: Boolean(values.resume) });
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(130);
    ac.abort();
    process.stderr.write('\nstopping after the current batch (Ctrl-C again to quit at once)...\n');
  };
  process.on('SIGINT', onSigint);
  const t0 = performance.now();
  process.stderr.write(`sweep ${plan.loaded.scenario.name}: ${plan.settings.length} settings x ${plan.seeds.length} replicates = ${plan.tasks.length} runs of ${plan.agents.toLocaleString('en')} agents (${description})\n`);
  const progress = progressCount(`sweep ${plan.loaded.scenario.name}`);
  let r: SweepResult;
  try {
    r = await runSweep(plan, {
      pool,
      resume: Boolean(values.resume),
      chunk: remote ? undefined : Math.max(16, 4 * pool.workers),
      signal: ac.signal,
      onProgress: (d, n) => progress.update(d, n),
    });
  } catch (e) {
    progress.done();
    if (e instanceof SweepInterrupted) return console.error(`exodus sweep: ${e.message}`), 130;
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await pool.close();
  }
  progress.done();
  const wallMs = performance.now() - t0;
  const chart = chartOf(plan, r);
  const v = validateSpec(chart.spec);
  if (!v.valid) throw new Error(`sweep chart does not validate against the Vega-Lite schema: ${v.errors.join('; ')}`);
  const svg = await renderSvg(chart.spec);
  writeOutputFolder(
    out,
    {
      'sweep.csv': sweepCsv(plan, r),
      'manifest.json': JSON.stringify(manifestOf(plan, r, wallMs, description, chart), null, 2) + '\n',
      'sweep.vl.json': JSON.stringify(chart.spec, null, 2) + '\n',
      'sweep.svg': svg,
      'sweep.png': renderPng(svg),
    },
    force,
  );
  console.log(summary(plan, r, chart.y));
  console.log(`\nwrote ${out}/{sweep.csv, manifest.json, sweep.vl.json, sweep.svg, sweep.png} (${plan.tasks.length} runs, ${r.fromCheckpoint} from the checkpoint, ${(wallMs / 1000).toFixed(0)} s)`);
  return 0;
}

/** The sweep spec from a sweep file, or from a scenario and flags. */
export function specOf(arg: string, values: Record<string, unknown>): { spec: SweepSpec; file: string } {
  const vary = (values.vary as string[] | undefined) ?? [];
  const metric = (values.metric as string[] | undefined) ?? [];
  const isSweepFile = /\.(ya?ml|json)$/i.test(arg) && !vary.length && !metric.length;
  const overrides = {
    ...(values.replicates !== undefined ? { replicates: intOption(values.replicates, 'replicates', 5) } : {}),
    ...(values.seed !== undefined ? { seed: intOption(values.seed, 'seed', 1, 0) } : {}),
    ...(values.agents !== undefined ? { agents: intOption(values.agents, 'agents', 0, 100) } : {}),
    ...(values.params !== undefined ? { params: values.params as string } : {}),
  };
  const chart = { ...(values.x ? { x: values.x as string } : {}), ...(values.color ? { color: values.color as string } : {}), ...(values.y ? { y: values.y as string } : {}) };
  if (isSweepFile && looksLikeSweep(arg)) {
    const spec = loadSweepFile(arg);
    if (values.lhs !== undefined) throw new UsageError('--lhs: set design: lhs and samples: in the sweep file');
    const merged = { ...spec, ...overrides, chart: { ...spec.chart, ...chart } };
    return { spec: parseSweep(merged, arg), file: arg };
  }
  if (!vary.length) throw new UsageError(`--vary: expected at least one factor, such as --vary 'shocks[11].hardness=0.1:0.9:9'\n\n${usage}`);
  if (!metric.length) throw new UsageError(`--metric: expected at least one metric, such as --metric mau:Telegram:RU@2026-09\n\n${usage}`);
  const lhs = values.lhs === undefined ? undefined : intOption(values.lhs, 'lhs', 2, 2);
  const raw = {
    scenario: arg,
    design: lhs ? 'lhs' : 'grid',
    ...(lhs ? { samples: lhs } : {}),
    vary: vary.map((v) => factorFlag(v, Boolean(lhs))),
    metrics: metric,
    ...overrides,
    ...(Object.keys(chart).length ? { chart } : {}),
  };
  return { spec: asFlags(() => parseSweep(raw, COMMAND_LINE), values), file: COMMAND_LINE };
}

const COMMAND_LINE = 'command line';

/** Errors about a sweep given by flags name the flag the user typed, not a sweep file's field. */
function asFlags<T>(f: () => T, values: Record<string, unknown>): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof InputError) || e.file !== COMMAND_LINE) throw e;
    const m = /^(vary|metrics)\[(\d+)\]/.exec(e.path);
    const given = (k: string) => (values[k] as string[] | undefined)?.[Number(m![2])];
    const flag = m ? (m[1] === 'vary' ? `--vary ${given('vary')}` : `--metric ${given('metric')}`) : e.path === 'samples' ? '--lhs' : e.path.startsWith('chart.') ? `--${e.path.slice(6)}` : `--${e.path}`;
    throw new UsageError(`${flag}: ${e.expected}`);
  }
}

/** A sweep file has "vary:"; a scenario file has "regions:" and is swept with flags. */
function looksLikeSweep(file: string): boolean {
  if (!existsSync(file)) return true;
  const text = readFileSync(file, 'utf8');
  return /^vary\s*:|"vary"\s*:/m.test(text) || !/^regions\s*:|"regions"\s*:/m.test(text);
}

/** NAME=a,b,c | NAME=FROM:TO:STEPS[:log] | NAME=FROM:TO (Latin hypercube). */
export function factorFlag(text: string, lhs: boolean): Record<string, unknown> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--vary ${text}: expected NAME=VALUES, such as 'shocks[11].hardness=0.1:0.9:9' or betaReach=4,6,8`);
  const name = text.slice(0, eq).trim();
  const spec = text.slice(eq + 1).trim();
  const asValue = (s: string) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s.trim());
  const range = /^(-?[\d.e+-]+):(-?[\d.e+-]+)(?::(\d+))?(?::(log|linear))?$/.exec(spec);
  if (range && !spec.includes(',')) {
    const [, from, to, steps, scale] = range;
    if (!lhs && steps === undefined) throw new UsageError(`--vary ${text}: expected FROM:TO:STEPS for a grid (e.g. 0.1:0.9:9), or --lhs N for a Latin hypercube over FROM:TO`);
    if (lhs && steps !== undefined) throw new UsageError(`--vary ${text}: expected FROM:TO with --lhs (the number of settings is --lhs N)`);
    return { name, from: Number(from), to: Number(to), ...(steps ? { steps: Number(steps) } : {}), ...(scale ? { scale } : {}) };
  }
  if (lhs) throw new UsageError(`--vary ${text}: expected a range FROM:TO with --lhs`);
  const list = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new UsageError(`--vary ${text}: expected values after "=", such as 0.2,0.5,0.8`);
  return { name, values: list.map(asValue) };
}

interface ChartOut {
  spec: ReturnType<typeof sweepChart>;
  x: string;
  color?: string;
  y: number;
}

/** The chart: metric y against factor x (and colour), pooling replicates (and other factors). */
export function chartOf(plan: SweepPlan, r: SweepResult): ChartOut {
  const names = plan.factors.map((f) => f.name);
  const c = plan.spec.chart ?? {};
  const x = c.x ?? names[0];
  const color = c.color ?? names.find((n) => n !== x);
  const y = c.y ? plan.metrics.findIndex((m) => m.name === c.y) : 0;
  const metric = plan.metrics[y];
  const groups = new Map<string, { x: number | string; color?: number | string; sample: number[] }>();
  plan.settings.forEach((s, i) => {
    const key = JSON.stringify([s[x], color === undefined ? null : s[color]]);
    const g = groups.get(key) ?? { x: s[x], color: color === undefined ? undefined : s[color], sample: [] };
    for (const v of r.values[i]) g.sample.push(v[y]);
    groups.set(key, g);
  });
  const rows: SweepChartRow[] = [...groups.values()].map((g) => ({ x: g.x, color: g.color, n: g.sample.length, ...band(g.sample) }));
  const label = (n: string) => plan.factors.find((f) => f.name === n)!.label;
  const others = names.filter((n) => n !== x && n !== color);
  const s = plan.loaded.scenario;
  const reps = plan.seeds.length;
  const lhs = plan.spec.design === 'lhs';
  const described = [x, color].filter((n): n is string => n !== undefined).map((n) => plan.factors.find((f) => f.name === n)!).filter((f) => f.description);
  const subtitle = [
    `${s.title}${s.projection ? ' A projection, not a forecast.' : ''}`,
    ...described.map((f) => `${f.label.split(' (')[0]}: ${f.description}`),
    lhs
      ? `Each point: median of ${reps} runs of one setting of a Latin hypercube (${plan.settings.length} settings); whiskers: 5–95% of the runs.`
      : `Line: median of ${reps} runs per setting${others.length ? `, pooled over ${others.join(', ')}` : ''}; band: 5–95% of the runs.`,
  ];
  const note = `exodus ${VERSION} sweep of ${s.name} (scenario hash ${plan.loaded.hash}), ${plan.agents.toLocaleString('en')} agents per run, seeds ${plan.seeds[0]}–${plan.seeds[reps - 1]}; parameters: ${plan.paramSource}. Model output, not a measurement.`;
  const spec = sweepChart({
    rows,
    design: plan.spec.design,
    xTitle: label(x),
    yTitle: metric.axis,
    colorTitle: color ? label(color).split(' (')[0] : undefined,
    percent: metric.percent,
    title: metric.label,
    subtitle,
    note,
  });
  return { spec, x, color, y };
}

function manifestOf(plan: SweepPlan, r: SweepResult, wallMs: number, pool: string, chart: ChartOut) {
  const s = plan.loaded.scenario;
  return {
    exodus: VERSION,
    command: 'sweep',
    created: new Date().toISOString(),
    sweepFile: plan.file,
    sweep: plan.spec,
    scenario: { name: s.name, title: s.title, file: plan.loaded.file, hash: plan.loaded.hash, projection: s.projection },
    modelCode: localIdentity().code,
    design: plan.spec.design,
    factors: plan.factors,
    metrics: plan.metrics.map((m) => ({ name: m.name, label: m.label, from: m.obs.from, to: m.obs.to })),
    settings: plan.settings.length,
    replicates: plan.seeds.length,
    seeds: plan.seeds,
    agents: plan.agents,
    runs: plan.tasks.length,
    fromCheckpoint: r.fromCheckpoint,
    paramSource: plan.paramSource,
    chart: { x: chart.x, color: chart.color, y: plan.metrics[chart.y].name },
    pool,
    node: process.version,
    wallSeconds: Number((wallMs / 1000).toFixed(1)),
  };
}

/** One line per setting: its values and the chart metric's median and band. */
function summary(plan: SweepPlan, r: SweepResult, j: number): string {
  const b = settingBands(r, j);
  const m = plan.metrics[j];
  const fmt = (v: number) => (m.percent ? `${Number(v.toPrecision(3))}%` : human(v));
  const rows = plan.settings.map((s, i) => [String(i + 1), ...plan.factors.map((f) => String(s[f.name])), fmt(b[i].median), `${fmt(b[i].lo)} .. ${fmt(b[i].hi)}`]);
  return `${m.name} (${m.label}), median and 5-95% of ${plan.seeds.length} replicates:\n\n${table(['setting', ...plan.factors.map((f) => f.name), 'median', '5-95%'], rows, ['r', ...plan.factors.map(() => 'r' as const), 'r', 'r'])}`;
}
