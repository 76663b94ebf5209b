// The search space of a calibration and its prior: the behavioural parameters marked `fit: true` in
// src/model/params.ts (shared by all events; prior uniform on their scale between min and max) and
// the per-event unknowns each scenario declares under `fitted:` (prior uniform, or a normal from the
// facts of the event, truncated to [min, max]). Everything runs in the unit cube: u = 0..1 maps to
// min..max, on a log scale where the scale is "log".
import { PARAM_SPECS, paramSpec } from '../model/params.ts';
import { getPath, pathsOf, type LoadedScenario } from '../scenarios/load.ts';
import { normal, type Rng } from '../model/rng.ts';
import { EVENT_SEP } from './posterior.ts';

export interface Dim {
  /** "betaReach", or "<event>/<name>" for a per-event quantity. */
  key: string;
  name: string;
  event?: string;
  min: number;
  max: number;
  scale: 'log' | 'linear';
  /** The value in the scenario file or the parameter's default (natural units). */
  start: number;
  /** Prior in unit coordinates: uniform, or a normal (mean mu, sd sigma) truncated to [0, 1]. */
  prior: { kind: 'uniform' } | { kind: 'normal'; mu: number; sigma: number };
}

/** A point of the space in natural units. */
export interface Candidate {
  params: Record<string, number>;
  events: Record<string, Record<string, number>>;
}

export interface SpaceOptions {
  /** Behavioural parameters to fit (default: those with fit: true). */
  fit?: readonly string[];
  /** Leave the per-event unknowns out (they stay at the scenario's value). */
  noFitted?: boolean;
}

export function buildSpace(events: readonly LoadedScenario[], o: SpaceOptions = {}): Dim[] {
  const names = o.fit ?? PARAM_SPECS.filter((s) => s.fit).map((s) => s.name);
  const dims: Dim[] = names.map((name) => {
    const s = paramSpec(name);
    if (!s) throw new Error(`unknown parameter "${name}"`);
    return { key: name, name, min: s.min, max: s.max, scale: s.scale, start: s.default, prior: { kind: 'uniform' } };
  });
  if (!o.noFitted) for (const l of events) dims.push(...eventDims(l));
  return dims;
}

/** The per-event unknowns of one scenario as dimensions with their priors. */
export function eventDims(l: LoadedScenario): Dim[] {
  const ev = l.scenario.name;
  return l.scenario.fitted.map((q) => {
    const own = getPath(l.scenario, pathsOf(q)[0]) as number;
    const d: Dim = { key: `${ev}${EVENT_SEP}${q.name}`, name: q.name, event: ev, min: q.min, max: q.max, scale: q.scale, start: clamp(own, q.min, q.max), prior: { kind: 'uniform' } };
    if (q.prior) {
      const width = q.scale === 'log' ? Math.log10(q.max) - Math.log10(q.min) : q.max - q.min;
      d.prior = { kind: 'normal', mu: toUnit(d, q.prior.centre), sigma: q.prior.spread / width };
    }
    return d;
  });
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Natural value of a unit coordinate (clamped into [0, 1]), rounded to 5 significant digits. */
export function fromUnit(d: Dim, u: number): number {
  const c = clamp(u, 0, 1);
  const v = d.scale === 'log' ? Math.exp(Math.log(d.min) + c * (Math.log(d.max) - Math.log(d.min))) : d.min + c * (d.max - d.min);
  return clamp(Number(v.toPrecision(5)), d.min, d.max);
}

export function toUnit(d: Pick<Dim, 'min' | 'max' | 'scale'>, v: number): number {
  const c = clamp(v, d.min, d.max);
  return d.scale === 'log' ? (Math.log(c) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min)) : (c - d.min) / (d.max - d.min);
}

export function candidateOf(dims: readonly Dim[], u: ArrayLike<number>): Candidate {
  const c: Candidate = { params: {}, events: {} };
  dims.forEach((d, i) => {
    const v = fromUnit(d, u[i]);
    if (d.event) (c.events[d.event] ??= {})[d.name] = v;
    else c.params[d.name] = v;
  });
  return c;
}

export function unitOf(dims: readonly Dim[], c: Candidate): number[] {
  return dims.map((d) => toUnit(d, (d.event ? c.events[d.event]?.[d.name] : c.params[d.name]) ?? d.start));
}

// --- The prior ---

/** Standard normal CDF (Abramowitz-Stegun 7.1.26) and its inverse (Acklam). */
export function normCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

export function normQuantile(p: number): number {
  const q = Math.min(1 - 1e-15, Math.max(1e-15, p));
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (q < lo) {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  }
  if (q > 1 - lo) return -normQuantile(1 - q);
  const r = q - 0.5;
  const s = r * r;
  return ((((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r) / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
}

/** The unit coordinate at prior quantile p of one dimension. */
export function priorQuantile(d: Dim, p: number): number {
  if (d.prior.kind === 'uniform') return p;
  const { mu, sigma } = d.prior;
  const a = normCdf((0 - mu) / sigma);
  const b = normCdf((1 - mu) / sigma);
  return clamp(mu + sigma * normQuantile(a + p * (b - a)), 0, 1);
}

/** Log prior density of a point of the unit cube (up to a constant); -Infinity outside. */
export function logPrior(dims: readonly Dim[], u: ArrayLike<number>): number {
  let lp = 0;
  for (let i = 0; i < dims.length; i++) {
    const x = u[i];
    if (!(x >= 0 && x <= 1)) return -Infinity;
    const pr = dims[i].prior;
    if (pr.kind === 'normal') lp -= 0.5 * ((x - pr.mu) / pr.sigma) ** 2;
  }
  return lp;
}

/** Prior standard deviation of each dimension in unit coordinates (for identifiability). */
export function priorSd(d: Dim): number {
  if (d.prior.kind === 'uniform') return Math.sqrt(1 / 12);
  // By quadrature of the truncated normal.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  for (let k = 0; k < 400; k++) {
    const x = (k + 0.5) / 400;
    const w = Math.exp(-0.5 * ((x - d.prior.mu) / d.prior.sigma) ** 2);
    s0 += w;
    s1 += w * x;
    s2 += w * x * x;
  }
  const m = s1 / s0;
  return Math.sqrt(Math.max(0, s2 / s0 - m * m));
}

/**
 * n points from the prior: a Latin hypercube in prior-quantile space (each dimension's n strata
 * each used once), mapped through each dimension's prior quantile function.
 */
export function priorSample(dims: readonly Dim[], n: number, rng: Rng): number[][] {
  const D = dims.length;
  const cols = dims.map(() => {
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    return perm;
  });
  return Array.from({ length: n }, (_, k) => Array.from({ length: D }, (_, i) => priorQuantile(dims[i], (cols[i][k] + rng()) / n)));
}

/** One draw from the prior (for prior predictive checks and the left-out event of crossval). */
export function priorDraw(dims: readonly Dim[], rng: Rng): number[] {
  return dims.map((d) => {
    if (d.prior.kind === 'uniform') return rng();
    for (let t = 0; t < 1000; t++) {
      const x = d.prior.mu + d.prior.sigma * normal(rng);
      if (x >= 0 && x <= 1) return x;
    }
    return clamp(d.prior.mu, 0, 1);
  });
}
