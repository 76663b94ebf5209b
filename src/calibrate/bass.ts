// A simple aggregate baseline: Bass diffusion, one curve per app and event.
//
// From the first shock of the event (t_s), the share of a geography's population using an app
// moves as x(t) = x0 + s F(t - t_s), F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}):
//   p  innovation (media) rate, 1/day;  q  imitation (word of mouth) rate, 1/day;
//   s  share of the population that ends up joining (s > 0) or leaving (s < 0).
// x0 is the metric's share at the scenario's start, as the engine builds the market (the same
// facts of the event the agent-based model starts from). Stock figures (dau, mau, users, ...) are
// read as population x x(t); sign-ups and installs in a window as population x s x (F(t2) - F(t1)).
//
// Fair comparison (leave-one-event-out). In-sample, p, q and s are fitted per app and event to
// that app's figures (with a weak pull towards p = 0.01, q = 0.3 when there are fewer figures than
// parameters). To predict a left-out event, the baseline may not see its figures either: it takes
// the median p, q and s of the same role - the app hit by the shock, or an alternative to it - over
// the apps of the other events; its predictive sample is the predictions made with each of those
// fits, and its band adds the figure's reporting error like the model's (errors.ts). So both
// methods see the same facts of the event and none of its figures.
import type { LoadedScenario } from '../scenarios/load.ts';
import type { Observation, Quantity } from '../model/observe.ts';
import { compileShocks } from '../scenarios/compile.ts';
import { FLOW_METRICS, regionIndices, platformIndex, stockAtObs, type RunResult, type StockMetric } from '../model/results.ts';
import { comparedFigures } from './replicates.ts';
import { summarise, median, type FitSummary } from './loss.ts';
import { logLik, log10Error, meetsBand, targetOf, type Target } from './errors.ts';
import { floorOf, toLog } from './emulate.ts';
import { predictiveBand } from './fittable.ts';
import { cmaes } from './optimise.ts';

export interface BassParams {
  p: number;
  q: number;
  s: number;
}

export type AppRole = 'hit' | 'alternative';

export interface BassFigure {
  id: string;
  obs: Observation;
  reported: Target;
  flow: boolean;
  /** People in the figure's regions, and in all regions (for share-of-total). */
  pop: number;
  popAll: number;
  /** The metric at the start, in people, in the figure's regions and in all regions. */
  x0: number;
  x0All: number;
  /** Days from the scenario start to the first shock. */
  tShock: number;
}

export interface BassApp {
  event: string;
  platform: string;
  role: AppRole;
  figures: BassFigure[];
}

/** Cumulative Bass adoption share F(t) (0 before the start). */
export function bassF(t: number, p: number, q: number): number {
  if (t <= 0) return 0;
  const e = Math.exp(-(p + q) * t);
  return (1 - e) / (1 + (q / p) * e);
}

/** The baseline's value of a figure (a ratio of two of its values for a relative figure). */
export function bassValue(f: BassFigure, b: BassParams): number {
  const v = bassQuantity(f, f.obs, b);
  if (!f.obs.relativeTo) return v;
  const d = bassQuantity(f, f.obs.relativeTo, b);
  return d > 0 ? v / d : v > 0 ? Infinity : 1;
}

function bassQuantity(f: BassFigure, o: Quantity, b: BassParams): number {
  const F = (t: number) => bassF(t - f.tShock, b.p, b.q);
  if (f.flow) {
    const v = (n: number) => Math.max(0, n * b.s * (F(o.to) - F(o.from)));
    if (o.as === 'count') return v(f.pop);
    if (o.as === 'percent') return (100 * v(f.pop)) / f.pop;
    const all = v(f.popAll);
    return all > 0 ? (100 * v(f.pop)) / all : 0;
  }
  // Stocks: daily audience over a period is the average over it; others at the window's end.
  const t = o.metric === 'dau' && o.to - o.from > 1.5 ? (o.from + o.to) / 2 : o.to;
  const v = (x0: number, n: number) => Math.max(0, x0 + n * b.s * F(t));
  if (o.as === 'count') return v(f.x0, f.pop);
  if (o.as === 'percent') return (100 * v(f.x0, f.pop)) / f.pop;
  const all = v(f.x0All, f.popAll);
  return all > 0 ? (100 * v(f.x0, f.pop)) / all : 0;
}

/** The apps of an event with compared figures, with what the baseline needs; `start` is a run (t = 0 state). */
export function bassApps(loaded: LoadedScenario, start: RunResult): BassApp[] {
  const s = loaded.scenario;
  const shocks = compileShocks(s);
  const tShock = shocks.length ? Math.min(...shocks.map((c) => c.start)) : 0;
  const hit = new Set(shocks.filter((c) => c.spec.type !== 'promotion' && c.spec.type !== 'announcement').flatMap((c) => c.platformIds));
  const all = regionIndices(start, 'all');
  const popOf = (rs: number[]) => rs.reduce((a, r) => a + start.population[r], 0);
  const byApp = new Map<string, BassFigure[]>();
  for (const { figure, obs } of comparedFigures(loaded)) {
    const rs = regionIndices(start, obs.regions);
    const a = platformIndex(start, obs.platform);
    const flow = (FLOW_METRICS as readonly string[]).includes(obs.metric);
    const x0Of = (r: number[]) => (flow ? 0 : stockAtObs(start, obs.metric as StockMetric, r, a, 0));
    const bf: BassFigure = { id: figure.id, obs, reported: targetOf(figure), flow, pop: popOf(rs), popAll: popOf(all), x0: x0Of(rs), x0All: x0Of(all), tShock };
    byApp.set(obs.platform, [...(byApp.get(obs.platform) ?? []), bf]);
  }
  return [...byApp].map(([platform, figures]) => ({ event: s.name, platform, role: hit.has(platform) ? 'hit' : 'alternative', figures }));
}

const P_RANGE = [1e-4, 5] as const;
const Q_RANGE = [1e-3, 10] as const;
const S_RANGE = [-1, 1] as const;
const logMap = (u: number, [a, b]: readonly [number, number]) => Math.exp(Math.log(a) + Math.min(1, Math.max(0, u)) * (Math.log(b) - Math.log(a)));
const toParams = (u: number[]): BassParams => ({ p: logMap(u[0], P_RANGE), q: logMap(u[1], Q_RANGE), s: S_RANGE[0] + Math.min(1, Math.max(0, u[2])) * (S_RANGE[1] - S_RANGE[0]) });

/** Fit p, q, s to one app's figures (the same likelihood as the agent-based model, plus a weak prior). */
export async function fitBass(app: BassApp): Promise<BassParams> {
  const prior = (b: BassParams) => 0.001 * ((Math.log10(b.p) + 2) ** 2 + (Math.log10(b.q) - Math.log10(0.3)) ** 2);
  const f = async (us: number[][]) =>
    us.map((u) => {
      const b = toParams(u);
      const ll = app.figures.reduce((a, x) => a + logLik(toLog(bassValue(x, b), floorOf(x.reported)), 0, x.reported), 0);
      return -ll + prior(b);
    });
  let best: { loss: number; u: number[] } = { loss: Infinity, u: [0.5, 0.5, 0.5] };
  // A few starts (growth and decline, fast and slow); deterministic.
  for (const [k, x0] of [[0.5, 0.5, 0.55], [0.3, 0.6, 0.45], [0.7, 0.7, 0.52], [0.5, 0.3, 0.5]].entries()) {
    const r = await cmaes(f, x0, { seed: 11 + k, budget: 400, sigma0: 0.2 });
    if (r.bestLoss < best.loss) best = { loss: r.bestLoss, u: r.best };
  }
  return toParams(best.u);
}

export interface BassPrediction {
  id: string;
  platform: string;
  reported: Target;
  /** The predictions with each of the fits used (the baseline's predictive sample). */
  samples: number[];
  median: number;
  lo: number;
  hi: number;
  log10_ratio: number;
  inside: boolean;
}

/**
 * Predict an event's figures from fits on other events: the median p, q, s of the same role
 * (all roles when none), band from the predictions of each fit.
 */
export function predictBass(apps: readonly BassApp[], fits: readonly { role: AppRole; params: BassParams }[]): BassPrediction[] {
  const out: BassPrediction[] = [];
  for (const app of apps) {
    const same = fits.filter((f) => f.role === app.role);
    const use = same.length ? same : fits;
    if (use.length === 0) continue;
    const pooled: BassParams = {
      p: Math.exp(median(use.map((f) => Math.log(f.params.p)))),
      q: Math.exp(median(use.map((f) => Math.log(f.params.q)))),
      s: median(use.map((f) => f.params.s)),
    };
    for (const fig of app.figures) {
      const m = bassValue(fig, pooled);
      const samples = use.map((f) => bassValue(fig, f.params));
      const b = predictiveBand([m, ...samples], fig.reported);
      out.push({ id: fig.id, platform: app.platform, reported: fig.reported, samples: [m, ...samples], median: m, lo: b.lo, hi: b.hi, log10_ratio: log10Error(m, fig.reported), inside: meetsBand(b, fig.reported) });
    }
  }
  return out;
}

/** In-sample: each app's own fit, scored on its own figures (no band: coverage = inside a range). */
export function bassInSample(app: BassApp, b: BassParams): BassPrediction[] {
  return app.figures.map((fig) => {
    const m = bassValue(fig, b);
    const band = predictiveBand([m], fig.reported);
    return { id: fig.id, platform: app.platform, reported: fig.reported, samples: [m], median: m, lo: band.lo, hi: band.hi, log10_ratio: log10Error(m, fig.reported), inside: meetsBand(band, fig.reported) };
  });
}

export function bassSummary(preds: readonly BassPrediction[]): FitSummary {
  return summarise(preds);
}
