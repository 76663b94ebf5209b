// A reported figure is a measurement with its own error. Each kind of figure gets an error model:
//
//   log10(reported) = log10(true value) + e,   e ~ Student-t(5 degrees of freedom, scale sd)
//
// with the scale sd set by the kind of measurement and the figure's confidence (table below). The
// t distribution (rather than a normal) says that reported figures are now and then far off (a
// misdated statistic, another definition of "user"), which a normal would treat as impossible. A
// range (low..high) means the true value lies in it: the chance that it does, given the model, is
// the likelihood. A bound (only low, or only high) is a one-sided range.
//
// The same model gives the 90% band of `compare`, the charts and coverage: the posterior
// predictive of the REPORTED figure, i.e. the model's value (over seeds and posterior draws) plus
// this reporting error.
import type { FigureSpec } from '../scenarios/schema.ts';
import { numericValue } from '../scenarios/load.ts';

export const KINDS = ['claim', 'estimate', 'panel', 'survey'] as const;
export type Kind = (typeof KINDS)[number];
export type Confidence = 'high' | 'medium' | 'low';

/**
 * Scale of the reporting error, in log10 units (0.1 is about +-26% at one scale unit):
 * - claim: a company's own count (sign-ups, registered users): rounded, self-serving, definitions vary.
 * - estimate: third-party app-intelligence estimates of downloads: model-based, often off by a third.
 * - panel: audience panels (Mediascope's daily and monthly audience): sampling error of a few per
 *   cent, plus universe and definition differences.
 * - survey: shares of respondents: sampling error plus wording.
 */
export const ERROR_SD: Record<Kind, Record<Confidence, number>> = {
  claim: { high: 0.08, medium: 0.12, low: 0.2 },
  estimate: { high: 0.12, medium: 0.18, low: 0.27 },
  panel: { high: 0.04, medium: 0.07, low: 0.12 },
  survey: { high: 0.06, medium: 0.1, low: 0.16 },
};

/** Degrees of freedom of the Student-t reporting error. */
export const ERROR_DF = 5;

/** The kind of a figure: as stated, or from its metric. */
export function kindOf(f: Pick<FigureSpec, 'kind' | 'metric'>): Kind {
  if (f.kind) return f.kind;
  switch (f.metric) {
    case 'dau':
    case 'mau':
      return 'panel';
    case 'installs':
      return 'estimate';
    case 'signups':
    case 'users':
      return 'claim';
    default:
      return 'survey';
  }
}

/** The reported side of a comparison, with its error model. */
export interface Target {
  id: string;
  /** The reported value (for a bound, the bound; for a range, its low end when no value is given). */
  value: number;
  /** log10 interval of a range or bound (-Infinity/Infinity for an open side); undefined for a point. */
  lo?: number;
  hi?: number;
  kind: Kind;
  confidence: Confidence;
  /** Scale of the reporting error (log10 units). */
  sd: number;
}

export function targetOf(f: FigureSpec): Target {
  const kind = kindOf(f);
  const confidence = (f.confidence ?? 'medium') as Confidence;
  const value = numericValue(f.value) ?? f.low ?? f.high ?? NaN;
  const t: Target = { id: f.id, value, kind, confidence, sd: ERROR_SD[kind][confidence] };
  if (f.low !== undefined || f.high !== undefined) {
    t.lo = f.low !== undefined && f.low > 0 ? Math.log10(f.low) : -Infinity;
    t.hi = f.high !== undefined ? (f.high > 0 ? Math.log10(f.high) : -Infinity) : Infinity;
  }
  return t;
}

/** Student-t(5) density and distribution function (closed forms for 5 degrees of freedom). */
export function tPdf(x: number): number {
  // Gamma(3) / (sqrt(5 pi) Gamma(5/2)) = 8 / (3 pi sqrt(5))
  return (8 / (3 * Math.PI * Math.sqrt(5))) * Math.pow(1 + (x * x) / 5, -3);
}

export function tCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const th = Math.atan(x / Math.sqrt(5));
  const c = Math.cos(th);
  return 0.5 + (th + Math.sin(th) * c * (1 + (2 / 3) * c * c)) / Math.PI;
}

/** Quantile of the standard Student-t(5), by bisection on tCdf (used for bands, not in loops). */
export function tQuantile(p: number): number {
  let lo = -100;
  let hi = 100;
  for (let k = 0; k < 80; k++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Log-likelihood of a reported figure given the model's log10 value `mu` with variance `varModel`
 * (seeds, emulator): the reporting error's scale is widened by the model's own spread.
 */
export function logLik(mu: number, varModel: number, t: Target): number {
  const s = Math.sqrt(t.sd * t.sd + Math.max(0, varModel));
  if (t.lo === undefined) {
    const z = (Math.log10(t.value) - mu) / s;
    return Math.log(tPdf(z) / s);
  }
  const p = tCdf((t.hi! - mu) / s) - tCdf((t.lo - mu) / s);
  return Math.log(Math.max(p, 1e-300));
}

/** Where a model value stands against a figure: log10(model / reported), 0 inside a range or bound. */
export function log10Error(model: number, t: Target): number {
  if (!(model > 0)) return t.lo === -Infinity ? 0 : -3; // nothing: meets an upper bound, misses the rest
  const m = Math.log10(model);
  const hi = t.hi ?? Infinity;
  const e = t.lo === undefined ? m - Math.log10(t.value) : m < t.lo ? m - t.lo : m > hi ? m - hi : 0;
  return Math.max(-3, Math.min(3, e));
}

/** Whether the figure (value, range or bound) meets the band [lo, hi] of the reported figure. */
export function meetsBand(band: { lo: number; hi: number }, t: Target): boolean {
  if (t.lo === undefined) return t.value >= band.lo && t.value <= band.hi;
  const hi = t.hi ?? Infinity;
  return (hi === Infinity || 10 ** hi >= band.lo) && (t.lo === -Infinity || 10 ** t.lo <= band.hi);
}
