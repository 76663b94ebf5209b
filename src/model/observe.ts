// The observation model: a reported figure names a metric, a window, a geography, a base (universe)
// and a unit; this computes exactly that quantity from a run, so a panel's monthly audience is
// compared with the model's monthly audience, a sign-up count with sign-ups in the same window, a
// ratio ("x times the usual day") with the same ratio of two model quantities, and so on.
// (src/scenarios/compile.ts turns a scenario's figures into observations.)
import {
  FLOW_METRICS,
  flowIn,
  populationAt,
  regionIndices,
  platformIndex,
  stockAt,
  stockMean,
  type FlowMetric,
  type Metric,
  type RunResult,
  type StockMetric,
} from './results.ts';

/** One model quantity: a metric of an app over a window, in some regions and universe. */
export interface Quantity {
  metric: Metric;
  platform: string;
  regions: string | string[];
  /** Universe name, or undefined for the whole population. */
  universe?: string;
  /** Window in days since the scenario start. */
  from: number;
  to: number;
  as: 'count' | 'percent' | 'share-of-total';
}

export interface Observation extends Quantity {
  id: string;
  /** A relative figure: the observation is this quantity divided by `relativeTo`. */
  relativeTo?: Quantity;
}

/** The model's value of one quantity in one run. */
export function quantity(res: RunResult, q: Quantity): number {
  const a = platformIndex(res, q.platform);
  const rs = regionIndices(res, q.regions);
  const u = q.universe === undefined ? -1 : res.universes.findIndex((x) => x.name === q.universe);
  if (q.universe !== undefined && u < 0) throw new Error(`unknown universe "${q.universe}"`);
  const value = (regions: number[]) => {
    if ((FLOW_METRICS as readonly string[]).includes(q.metric)) return flowIn(res, q.metric as FlowMetric, regions, a, q.from, q.to, u);
    // Daily audience over a period is the period's average (as panels report it); other stocks are
    // read at the end of the window.
    if (q.metric === 'dau' && q.to - q.from > 1.5) return stockMean(res, 'dau', regions, a, q.from, q.to, u);
    return stockAt(res, q.metric as StockMetric, regions, a, q.to, u);
  };
  const v = value(rs);
  if (q.as === 'count') return v;
  if (q.as === 'percent') return (100 * v) / populationAt(res, rs, q.to, u);
  const total = value(res.regions.map((_, r) => r));
  return total > 0 ? (100 * v) / total : 0;
}

/**
 * The model's value of one observation in one run. A relative figure is the ratio of two
 * quantities, each with half an agent added (a continuity correction: a run too small to resolve a
 * quantity gives a finite ratio, and at full scale the correction vanishes).
 */
export function observe(res: RunResult, o: Observation): number {
  const v = quantity(res, o);
  if (!o.relativeTo) return v;
  const d = quantity(res, o.relativeTo);
  return (v + halfAgent(res, o)) / (d + halfAgent(res, o.relativeTo));
}

/** Half the people one agent stands for in a quantity's regions, in the quantity's unit. */
function halfAgent(res: RunResult, q: Quantity): number {
  const rs = regionIndices(res, q.regions);
  const people = rs.reduce((a, r) => a + res.population[r], 0);
  const agents = rs.reduce((a, r) => a + res.population[r] / res.weights[r], 0);
  const w = people / Math.max(1, agents) / 2;
  return q.as === 'percent' ? (100 * w) / people : q.as === 'share-of-total' ? 0 : w;
}
