// The observation model: a reported figure names a metric, a window, a geography and a unit; this
// computes exactly that quantity from a run, so a panel's monthly audience is compared with the
// model's monthly audience, a sign-up count with sign-ups in the same window, and so on.
import type { FigureSpec, Scenario } from '../scenarios/schema.ts';
import { DAY_MS, parseDate, parseDuration, parsePeriodEnd } from './time.ts';
import {
  FLOW_METRICS,
  flowIn,
  regionIndices,
  platformIndex,
  stockAt,
  stockMean,
  type FlowMetric,
  type Metric,
  type RunResult,
  type StockMetric,
} from './results.ts';

export interface Observation {
  id: string;
  metric: Metric;
  platform: string;
  regions: string | string[];
  /** Window in days since the scenario start. */
  from: number;
  to: number;
  as: 'count' | 'percent' | 'share-of-total';
}

/** Days since start of a figure's window: its date's period, or [date, date + window). */
export function figureWindow(f: FigureSpec, s: Scenario): { from: number; to: number } {
  const t0 = parseDate(s.time.start);
  const from = parseDate(f.date!);
  const to = f.window ? from + parseDuration(f.window) * DAY_MS : parsePeriodEnd(f.date!);
  return { from: (from - t0) / DAY_MS, to: (to - t0) / DAY_MS };
}

export function observation(f: FigureSpec, s: Scenario): Observation {
  const { from, to } = figureWindow(f, s);
  return { id: f.id, metric: f.metric as Metric, platform: f.platform, regions: f.region, from, to, as: f.as };
}

/** The model's value of one observation in one run. */
export function observe(res: RunResult, o: Observation): number {
  const a = platformIndex(res, o.platform);
  const rs = regionIndices(res, o.regions);
  const value = (regions: number[]) => {
    if ((FLOW_METRICS as readonly string[]).includes(o.metric)) return flowIn(res, o.metric as FlowMetric, regions, a, o.from, o.to);
    // Daily audience over a period is the period's average (as panels report it); other stocks are
    // read at the end of the window.
    if (o.metric === 'dau' && o.to - o.from > 1.5) return stockMean(res, 'dau', regions, a, o.from, o.to);
    return stockAt(res, o.metric as StockMetric, regions, a, o.to);
  };
  const v = value(rs);
  if (o.as === 'count') return v;
  if (o.as === 'percent') return (100 * v) / rs.reduce((sum, r) => sum + res.population[r], 0);
  const total = value(res.regions.map((_, r) => r));
  return total > 0 ? (100 * v) / total : 0;
}
