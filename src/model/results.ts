// What a run returns (the observation model's raw material) and how to read series out of it.
// Flows (sign-ups, installs) are kept per step so any window can be summed exactly; stocks (daily and
// monthly audience, installed base, primary app) are sampled at the observation times.
import type { Params } from './params.ts';
import { DAY_MS, isoTime } from './time.ts';

export const STOCK_METRICS = ['dau', 'mau', 'active', 'installed', 'users', 'primary'] as const;
export const FLOW_METRICS = ['signups', 'installs'] as const;
export type StockMetric = (typeof STOCK_METRICS)[number];
export type FlowMetric = (typeof FLOW_METRICS)[number];
export type Metric = StockMetric | FlowMetric;

export const METRIC_DOCS: Record<Metric, string> = {
  signups: 'first installs (new registrations) in the interval; a paid app\'s purchases',
  installs: 'installs in the interval, including re-installs and pre-installs (downloads)',
  dau: 'expected daily audience: people who use the app on a day (panel "daily audience")',
  mau: 'monthly audience: people who used the app at least once in the last 30 days',
  active: 'people with the app installed and in use (not dormant)',
  installed: 'people with the app installed, in use or dormant',
  users: 'registered users: everyone who has ever signed up',
  primary: 'people for whom the app is their main messenger',
};

/** The same series for the people of one universe (a base figures are measured on). */
export interface UniverseSeries {
  name: string;
  /** People of the universe per region (at the start). */
  population: number[];
  flows: Record<FlowMetric, Float64Array>;
  stocks: Record<StockMetric, Float64Array>;
}

export interface RunResult {
  scenario: { name: string; title: string; hash: string; projection: boolean };
  seed: number;
  agents: number;
  /** People one agent stands for, per region (at the start). */
  weights: number[];
  params: Params;
  startMs: number;
  regions: string[];
  platforms: string[];
  /** People per region at the start (the agents are weighted to these). */
  population: number[];
  /** Per day: growth of each region's population. */
  growth: number[];
  /** Start (days since start) and length of each step. */
  stepTimes: Float64Array;
  stepDt: Float64Array;
  /** Per step, index step * R * K + r * K + a; people. */
  flows: Record<FlowMetric, Float64Array>;
  /** Observation times (days since start). */
  obsTimes: Float64Array;
  /** Per observation, index obs * R * K + r * K + a; people. */
  stocks: Record<StockMetric, Float64Array>;
  /** The series of each universe, in the order of the scenario's universes. */
  universes: UniverseSeries[];
  /** Per observation, index obs * R + r: people who use no messenger yet. */
  offline: Float64Array;
  /** People who changed primary app, index from * K + to (from = K: had no messenger). */
  switches: Float64Array;
  wallMs: number;
  /** Part of wallMs spent building the population and network. */
  buildMs: number;
}

/** Region indices for "all", an id, or a list of ids. */
export function regionIndices(res: RunResult, region: string | readonly string[]): number[] {
  if (region === 'all') return res.regions.map((_, r) => r);
  const ids = typeof region === 'string' ? [region] : region;
  return ids.map((id) => {
    const r = res.regions.indexOf(id);
    if (r < 0) throw new Error(`unknown region "${id}"; the run has ${res.regions.join(', ')}`);
    return r;
  });
}

export function platformIndex(res: RunResult, platform: string): number {
  const a = res.platforms.indexOf(platform);
  if (a < 0) throw new Error(`unknown platform "${platform}"; the run has ${res.platforms.join(', ')}`);
  return a;
}

/** The series of universe u (-1: the whole population). */
export function seriesOf(res: RunResult, u = -1): { flows: RunResult['flows']; stocks: RunResult['stocks'] } {
  return u < 0 ? res : res.universes[u];
}

/** People of some regions at time t (days), in universe u (-1: everyone). */
export function populationAt(res: RunResult, regions: number[], t: number, u = -1): number {
  const base = u < 0 ? res.population : res.universes[u].population;
  return regions.reduce((sum, r) => sum + base[r] * Math.exp(res.growth[r] * t), 0);
}

/** Sum of a flow over [from, to) days, pro rata for steps cut by the window. */
export function flowIn(res: RunResult, metric: FlowMetric, regions: number[], a: number, from: number, to: number, u = -1): number {
  const K = res.platforms.length;
  const RK = res.regions.length * K;
  const v = seriesOf(res, u).flows[metric];
  let sum = 0;
  for (let s = 0; s < res.stepTimes.length; s++) {
    const t0 = res.stepTimes[s];
    const t1 = t0 + res.stepDt[s];
    if (t1 <= from || t0 >= to) continue;
    const frac = (Math.min(t1, to) - Math.max(t0, from)) / (t1 - t0);
    let x = 0;
    for (const r of regions) x += v[s * RK + r * K + a];
    sum += x * frac;
  }
  return sum;
}

/** A stock at the observation nearest to t (days). */
export function stockAt(res: RunResult, metric: StockMetric, regions: number[], a: number, t: number, u = -1): number {
  const o = nearestObs(res, t);
  return stockAtObs(res, metric, regions, a, o, u);
}

export function stockAtObs(res: RunResult, metric: StockMetric, regions: number[], a: number, o: number, u = -1): number {
  const K = res.platforms.length;
  const RK = res.regions.length * K;
  const v = seriesOf(res, u).stocks[metric];
  let x = 0;
  for (const r of regions) x += v[o * RK + r * K + a];
  return x;
}

/** Mean of a stock over the observations in [from, to) days (e.g. a month's average daily audience). */
export function stockMean(res: RunResult, metric: StockMetric, regions: number[], a: number, from: number, to: number, u = -1): number {
  let sum = 0;
  let n = 0;
  for (let o = 0; o < res.obsTimes.length; o++) {
    const t = res.obsTimes[o];
    if (t < from || t >= to) continue;
    sum += stockAtObs(res, metric, regions, a, o, u);
    n++;
  }
  return n ? sum / n : stockAt(res, metric, regions, a, (from + to) / 2, u);
}

export function nearestObs(res: RunResult, t: number): number {
  let best = 0;
  for (let o = 1; o < res.obsTimes.length; o++) {
    if (Math.abs(res.obsTimes[o] - t) < Math.abs(res.obsTimes[best] - t)) best = o;
  }
  return best;
}

export interface TidyRow {
  time: string;
  region: string;
  platform: string;
  metric: Metric;
  value: number;
}

/**
 * Long-format rows (time, region, platform, metric, value) at the observation times, per region and
 * for "all"; flows are summed over the interval ending at each observation.
 */
export function tidyRows(res: RunResult): TidyRow[] {
  const rows: TidyRow[] = [];
  const R = res.regions.length;
  const regionSets: [string, number[]][] = res.regions.map((id, r) => [id, [r]]);
  if (R > 1) regionSets.push(['all', res.regions.map((_, r) => r)]);
  for (let o = 0; o < res.obsTimes.length; o++) {
    const t = res.obsTimes[o];
    const prev = o === 0 ? t : res.obsTimes[o - 1];
    const time = isoTime(res.startMs + t * DAY_MS);
    for (const [rid, rs] of regionSets) {
      for (let a = 0; a < res.platforms.length; a++) {
        const platform = res.platforms[a];
        for (const m of FLOW_METRICS) rows.push({ time, region: rid, platform, metric: m, value: o === 0 ? 0 : flowIn(res, m, rs, a, prev, t) });
        for (const m of STOCK_METRICS) rows.push({ time, region: rid, platform, metric: m, value: stockAtObs(res, m, rs, a, o) });
      }
    }
  }
  return rows;
}

/** Round to 6 significant digits so outputs are stable text. */
export function fmtValue(v: number): string {
  if (v === 0) return '0';
  return String(Number(v.toPrecision(6)));
}
