// How a set of compared figures is summarised (what `exodus compare`, calibrate and crossval
// print): median and max |log10(model median / reported)| over the figures (0 inside a reported
// range or bound, capped at 3), and coverage: the share of figures whose reported value (or
// range, or bound) meets the 90% posterior predictive band of the reported figure (errors.ts).

export interface FitSummary {
  median_abs_log10: number;
  max_abs_log10: number;
  coverage: number;
  figures: number;
}

/** Median of a sample (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
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
