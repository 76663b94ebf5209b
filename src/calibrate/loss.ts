// How far the model is from a reported figure, and how a set of figures is summarised.
//
// Error of one figure: e = log10(model / reported), where `model` is the median over replicates.
//   - A figure given as a range (low..high) has e = 0 when the model is inside the range, else the
//     log-ratio to the nearest end.
//   - |e| is capped at 3 (a factor of 1000), so a model value of 0 gives a finite error.
// Loss of a candidate parameter set (what calibration minimises):
//   loss = mean over events of [ sum_f w_f e_f^2 / sum_f w_f ]
//   over the figures with role "compare", with confidence weights w = 1 (high), 0.5 (medium),
//   0.25 (low). Each event counts equally, whatever its number of figures, so an event with many
//   figures does not swamp one with few. The model value is the median over the seeds (common
//   random numbers: the same seeds for every candidate), not the mean of per-seed losses: the
//   loss scores the model's central prediction, the replicate band is scored by coverage.
// Summary (what `exodus compare` reports): median and max of |e| over figures, and coverage, the
// share of figures whose reported value (or range) meets the model's 90% band over replicates.
import type { FigureSpec } from '../scenarios/schema.ts';
import { numericValue } from '../scenarios/load.ts';
import type { Band } from './replicates.ts';

export const CONFIDENCE_WEIGHTS = { high: 1, medium: 0.5, low: 0.25 } as const;
export type Confidence = keyof typeof CONFIDENCE_WEIGHTS;
export const MAX_ABS_LOG10 = 3;

/** The reported side of a comparison: a value, and a range where the figure is one. */
export interface Reported {
  value: number;
  low?: number;
  high?: number;
  confidence: Confidence;
}

export function reportedOf(f: FigureSpec): Reported {
  const range = f.low !== undefined && f.high !== undefined && f.high >= f.low;
  return { value: numericValue(f.value) ?? f.low ?? f.high!, low: range ? f.low : undefined, high: range ? f.high : undefined, confidence: f.confidence ?? 'medium' };
}

const clampE = (e: number) => (Number.isNaN(e) ? MAX_ABS_LOG10 : Math.max(-MAX_ABS_LOG10, Math.min(MAX_ABS_LOG10, e)));

/** log10(model / reported), 0 inside a reported range, capped at +-3. */
export function log10Error(model: number, r: Reported): number {
  if (!(model > 0)) return -MAX_ABS_LOG10;
  if (r.low !== undefined && r.high !== undefined) {
    if (model < r.low) return r.low > 0 ? clampE(Math.log10(model / r.low)) : 0;
    if (model > r.high) return r.high > 0 ? clampE(Math.log10(model / r.high)) : MAX_ABS_LOG10;
    return 0;
  }
  if (!(r.value > 0)) return MAX_ABS_LOG10;
  return clampE(Math.log10(model / r.value));
}

/** Whether the reported value (or range) meets the band [lo, hi]. */
export function insideBand(b: { lo: number; hi: number }, r: Reported): boolean {
  if (r.low !== undefined && r.high !== undefined) return r.high >= b.lo && r.low <= b.hi;
  return r.value >= b.lo && r.value <= b.hi;
}

/** Median of a sample (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Weighted mean squared log10 error of one event's figures (model = median over seeds). */
export function eventLoss(models: readonly number[], reported: readonly Reported[]): number {
  let num = 0;
  let den = 0;
  for (let j = 0; j < reported.length; j++) {
    const w = CONFIDENCE_WEIGHTS[reported[j].confidence];
    const e = log10Error(models[j], reported[j]);
    num += w * e * e;
    den += w;
  }
  return den > 0 ? num / den : 0;
}

/** Loss of a candidate: the mean of its events' losses. */
export function totalLoss(eventLosses: readonly number[]): number {
  return eventLosses.length ? eventLosses.reduce((a, b) => a + b, 0) / eventLosses.length : 0;
}

export interface FitSummary {
  median_abs_log10: number;
  max_abs_log10: number;
  coverage: number;
  figures: number;
}

/** Median and max |log10 error| and band coverage of some compared figures. */
export function summarise(rows: readonly { log10_ratio: number; inside: boolean }[]): FitSummary {
  if (rows.length === 0) return { median_abs_log10: NaN, max_abs_log10: NaN, coverage: NaN, figures: 0 };
  const abs = rows.map((r) => Math.abs(r.log10_ratio));
  return {
    median_abs_log10: median(abs),
    max_abs_log10: Math.max(...abs),
    coverage: rows.filter((r) => r.inside).length / rows.length,
    figures: rows.length,
  };
}

/** A figure compared: its error and whether it lies in the band. */
export function compareFigure(b: Band, r: Reported): { log10_ratio: number; inside: boolean } {
  return { log10_ratio: log10Error(b.median, r), inside: insideBand(b, r) };
}
