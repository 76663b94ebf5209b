// From a sweep spec to runs: the scenario, each setting applied (behavioural parameters through
// resolveRun, scenario fields by path after it, so a swept field wins over a calibrated value),
// the metrics as observations, and one task per setting and replicate. Replicate k of every
// setting runs with seed + k (common random numbers: settings differ by their values, not by luck).
import { resolveRun } from '../api.ts';
import { getPath, loadScenario, loadScenarioText, type LoadedScenario } from '../scenarios/load.ts';
import { InputError } from '../scenarios/errors.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { PARAM_NAMES, ParamError, paramSpec, resolveParams, type Params } from '../model/params.ts';
import { FLOW_METRICS, STOCK_METRICS, type Metric } from '../model/results.ts';
import type { Observation } from '../model/observe.ts';
import { DAY_MS, parseDate, parseDuration, parsePeriodEnd } from '../model/time.ts';
import type { Task } from '../calibrate/task.ts';
import { settingsOf, factorValues, type Setting, type Value } from './design.ts';
import type { Factor, SweepSpec } from './spec.ts';
import { fieldDescription, fieldTitle } from './describe.ts';

export interface SweepMetric {
  name: string;
  obs: Observation;
  /** "Telegram: monthly audience in RU, 2026-09" */
  label: string;
  /** "Monthly audience (people)" */
  axis: string;
  percent: boolean;
}

export interface SweepFactor {
  name: string;
  kind: 'param' | 'path';
  /** Short, for axes: `hardness of "What-if: Telegram fully blocked"`, "betaReach (utility per share of contacts)". */
  label: string;
  /** What it means, from the parameter table or the scenario schema. */
  description?: string;
}

export interface SweepPlan {
  spec: SweepSpec;
  file: string;
  loaded: LoadedScenario;
  factors: SweepFactor[];
  settings: Setting[];
  metrics: SweepMetric[];
  seeds: number[];
  agents: number;
  paramSource: string;
  /** settings.length x replicates tasks, setting-major: task s * replicates + k. */
  tasks: Task[];
}

const METRIC_RE = /^([a-z]+)(%?):([^:@]+)(?::([^:@]+))?@([^+]+)(?:\+(.+))?$/;

/** Parse "mau:Telegram:RU@2026-09" (also mau%:..., signups:X:all@2026-04-01+7d) against a scenario. */
export function parseMetric(text: string, s: Scenario, file: string, at: string): SweepMetric {
  const fail = (why: string): never => {
    throw new InputError(file, at, `${why}; expected METRIC:APP:REGION@DATE such as "mau:Telegram:RU@2026-09" (METRIC% for percent of the region's people, REGION "all" or left out for every region, +7d after the date for a window)`);
  };
  const m = METRIC_RE.exec(text.trim());
  if (!m) fail(`cannot read "${text}"`);
  const [, metric, pct, platform, region = 'all', date, window] = m!;
  const metrics = [...STOCK_METRICS, ...FLOW_METRICS] as string[];
  if (!metrics.includes(metric)) fail(`unknown metric "${metric}" (one of ${metrics.join(', ')})`);
  const apps = s.platforms.map((p) => p.id);
  if (!apps.includes(platform)) fail(`unknown app "${platform}" in ${s.name} (one of ${apps.join(', ')})`);
  const regions = s.regions.map((r) => r.id);
  if (region !== 'all' && !regions.includes(region)) fail(`unknown region "${region}" in ${s.name} (one of ${regions.join(', ')} or all)`);
  const t0 = parseDate(s.time.start);
  const end = parseDate(s.time.end);
  const from = parseDate(date);
  if (Number.isNaN(from)) fail(`"${date}" is not a date such as 2026-09 or 2026-09-15`);
  let to = parsePeriodEnd(date);
  if (window !== undefined) {
    const d = parseDuration(window);
    if (!(d > 0)) fail(`"+${window}" is not a duration such as +7d`);
    to = from + d * DAY_MS;
  }
  if (from < t0 || to > end) fail(`${date}${window ? `+${window}` : ''} is outside the scenario's time (${s.time.start} to ${s.time.end})`);
  const obs: Observation = { id: text, metric: metric as Metric, platform, regions: region, from: (from - t0) / DAY_MS, to: (to - t0) / DAY_MS, as: pct ? 'percent' : 'count' };
  const title = metricTitle(metric as Metric);
  const label = `${platform}: ${title}${pct ? ' (% of people)' : ''} in ${region === 'all' ? 'all regions' : region}, ${date}${window ? `+${window}` : ''}`;
  const axis = `${title[0].toUpperCase()}${title.slice(1)} (${pct ? '% of people' : 'people'})`;
  return { name: text, obs, label, axis, percent: Boolean(pct) };
}

const TITLES: Record<Metric, string> = {
  dau: 'daily audience',
  mau: 'monthly audience',
  active: 'active users',
  installed: 'people with it installed',
  users: 'registered users',
  primary: 'people for whom it is the main app',
  signups: 'sign-ups',
  installs: 'installs',
};
const metricTitle = (m: Metric) => TITLES[m] ?? m;

/** A copy of `obj` with `value` at `path` (numbers or strings, e.g. a date). */
function withValue<T>(obj: T, path: string, value: Value): T {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  let v: Record<string, unknown> = copy;
  for (const p of parts.slice(0, -1)) v = v[p] as Record<string, unknown>;
  v[parts[parts.length - 1]] = value;
  return copy as T;
}

function factorOf(f: Factor, i: number, l: LoadedScenario, file: string): SweepFactor {
  const at = `vary[${i}]`;
  const s = l.scenario;
  if ((PARAM_NAMES as readonly string[]).includes(f.name)) {
    const spec = paramSpec(f.name)!;
    const check = (v: Value, where: string) => {
      if (typeof v !== 'number') throw new InputError(file, where, `expected a number (${spec.unit}) for parameter ${f.name}, got ${JSON.stringify(v)}`);
      try {
        resolveParams({ [f.name]: v });
      } catch (e) {
        if (e instanceof ParamError) throw new InputError(file, where, e.message.replace(/^parameters\.\w+: /, ''));
        throw e;
      }
    };
    checkValues(f, at, check);
    return { name: f.name, kind: 'param', label: f.label ?? `${f.name} (${spec.unit})`, description: spec.doc };
  }
  const current = getPath(s, f.name);
  if (typeof current !== 'number' && typeof current !== 'string') {
    throw new InputError(file, `${at}.name`, `"${f.name}" is neither a behavioural parameter (${PARAM_NAMES.join(', ')}) nor a path to a number or text in ${s.name} (such as "shocks[0].media"; it holds ${JSON.stringify(current) ?? 'nothing'})`);
  }
  const check = (v: Value, where: string) => {
    if (typeof v !== typeof current) throw new InputError(file, where, `expected a ${typeof current} like the scenario's ${f.name} (${JSON.stringify(current)}), got ${JSON.stringify(v)}`);
    try {
      loadScenarioText(JSON.stringify(withValue(s, f.name, v)), l.file);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(file, where, `${JSON.stringify(v)} makes the scenario invalid: ${e.path ? `${e.path}: ` : ''}${e.expected}`);
      throw e;
    }
  };
  checkValues(f, at, check);
  return { name: f.name, kind: 'path', label: f.label ?? fieldTitle(s, f.name), description: fieldDescription(s, f.name) };
}

/** Check each listed value, or a range's ends (the values between are then valid too). */
function checkValues(f: Factor, at: string, check: (v: Value, where: string) => void): void {
  if (f.values) f.values.forEach((v, j) => check(v, `${at}.values[${j}]`));
  else {
    check(f.from!, `${at}.from`);
    check(f.to!, `${at}.to`);
    if (f.steps) factorValues(f);
  }
}

export function planSweep(spec: SweepSpec, file: string, scenario?: LoadedScenario): SweepPlan {
  const loaded = scenario ?? loadScenario(spec.scenario);
  const factors = spec.vary.map((f, i) => factorOf(f, i, loaded, file));
  const metrics = spec.metrics.map((m, i) => parseMetric(m, loaded.scenario, file, `metrics[${i}]`));
  const settings = settingsOf(spec);
  const seeds = Array.from({ length: spec.replicates }, (_, k) => spec.seed + k);
  const agents = spec.agents ?? loaded.scenario.agents;
  const observations = metrics.map((m) => m.obs);
  let paramSource = '';
  const tasks: Task[] = [];
  for (const setting of settings) {
    const params: Partial<Params> = {};
    for (const f of factors) if (f.kind === 'param') params[f.name as keyof Params] = setting[f.name] as number;
    const r = resolveRun(loaded, { paramsFile: spec.params, params });
    paramSource = r.paramSource;
    let sc = r.scenario;
    for (const f of factors) if (f.kind === 'path') sc = withValue(sc, f.name, setting[f.name]);
    for (const seed of seeds) tasks.push({ scenario: sc, hash: loaded.hash, params: r.params, seed, agents, observations });
  }
  return { spec, file, loaded, factors, settings, metrics, seeds, agents, paramSource, tasks };
}
