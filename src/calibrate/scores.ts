// Proper scores of a predictive distribution against a reported figure, on the log10 scale (so a
// factor of ten counts the same for a million sign-ups and for a share of 3%). The predictive is
// that of the REPORTED figure: the model values of the replicates (or the baseline's predictions),
// each plus the figure's reporting error (errors.ts). Lower is better for both.
//   CRPS: E|X - y| - E|X - X'| / 2 (Gneiting & Raftery 2007), estimated from a sample of X.
//   Interval score of the central 90% interval [l, u]: (u - l) + (2 / 0.1) * (distance of y outside it).
// A range or bound is scored at the value nearest the predictive median inside it (0 distance when
// the prediction meets it).
import { makeRng, normal } from '../model/rng.ts';
import { floorOf, toLog } from './emulate.ts';
import type { Target } from './errors.ts';

/** A sample of log10 reported values: each model value plus Student-t(5) reporting errors. */
export function reportedSample(values: readonly number[], t: Target, perValue = 40, seed = 1): number[] {
  const rng = makeRng(seed, `scores:${t.id}`);
  const floor = floorOf(t);
  const out: number[] = [];
  for (const v of values) {
    const x = toLog(v, floor);
    for (let k = 0; k < perValue; k++) {
      // Student-t(5) as a normal over the root of a chi-square(5)/5.
      let chi = 0;
      for (let d = 0; d < 5; d++) chi += normal(rng) ** 2;
      out.push(x + (t.sd * normal(rng)) / Math.sqrt(chi / 5));
    }
  }
  return out.sort((a, b) => a - b);
}

/** The log10 value a figure is scored at: its value, or the point of its range nearest `near`. */
export function observedLog10(t: Target, near: number): number {
  if (t.lo === undefined) return Math.log10(t.value);
  return Math.min(t.hi ?? Infinity, Math.max(t.lo, near));
}

/** CRPS of a sorted sample against y (O(n log n) via the sorted-sample identity). */
export function crps(sorted: readonly number[], y: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  let a = 0;
  for (const x of sorted) a += Math.abs(x - y);
  // E|X - X'| = (2 / n^2) sum_i (2i - n + 1) x_(i) for a sorted sample (0-based i).
  let b = 0;
  for (let i = 0; i < n; i++) b += (2 * i - n + 1) * sorted[i];
  return a / n - b / (n * n);
}

/** Interval score of the central (1 - alpha) interval of a sorted sample. */
export function intervalScore(sorted: readonly number[], y: number, alpha = 0.1): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const q = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(p * (n - 1))))];
  const l = q(alpha / 2);
  const u = q(1 - alpha / 2);
  return u - l + (2 / alpha) * (Math.max(0, l - y) + Math.max(0, y - u));
}

/** Both scores of one figure's predictive values. */
export function scoreFigure(values: readonly number[], t: Target): { crps: number; interval: number } {
  const s = reportedSample(values, t);
  const y = observedLog10(t, s[s.length >> 1]);
  return { crps: crps(s, y), interval: intervalScore(s, y) };
}
