// Inputs of the chart builders. They are plain, serialisable records so that a chart can be
// rebuilt from files (CSV/JSON written by `exodus run`, `compare`, `calibrate`) without the engine.
// The shapes the diagnose and sensitivity files share with src/calibrate are the same types (type-only imports).
import type { PriorPredictive } from '../calibrate/diagnose.ts';
import type { SensitivityCell } from '../calibrate/sensitivity.ts';

/** One point of a model time series summarised over replicates (median and 90% band). */
export interface BandRow {
  /** ISO 8601 timestamp of the observation (of a flow: the start of its interval, see `end`). */
  time: string;
  /**
   * Flows (sign-ups, installs) only: end of the interval the row counts, so the chart draws it as
   * a step over [time, end). Without it a flow row counts the interval since the previous row.
   */
  end?: string;
  region: string; // region id, or "all"
  platform: string;
  metric: string; // model metric name, e.g. "dau", "mau", "signups"
  median: number;
  lo: number; // 5th percentile over replicates
  hi: number; // 95th percentile over replicates
}

/** A reported figure placed on a chart, with the model's value for the same observation. */
export interface FigurePoint {
  id: string;
  event: string;
  /** ISO date (start of the window the figure describes, or its single date). */
  date: string;
  /** ISO date of the end of the window, when the figure spans one. */
  dateEnd?: string;
  platform: string;
  /** The model metric the figure is compared with (see src/model/metrics.ts). */
  metric: string;
  /** The figure's own wording, e.g. "mobile daily audience". */
  label: string;
  geography: string;
  region: string;
  unit: string;
  reported: number;
  /** Where the figure is given as a range (e.g. 29M–40M). */
  reportedLo?: number;
  reportedHi?: number;
  source: string;
  url: string;
  confidence: 'high' | 'medium' | 'low';
  model?: { median: number; lo: number; hi: number };
  /**
   * Whether the model's 90% band covers the figure, as decided by `exodus compare`. Optional
   * (added for the charts): when absent the charts work it out from `model`.
   */
  inside?: boolean;
}

/** A shock period to shade on a time-series chart. */
export interface ShockSpan {
  type: string;
  label: string;
  /** A shorter label for charts where the full one does not fit, e.g. "WhatsApp down". */
  short?: string;
  start: string;
  /** Absent for shocks without an end inside the simulated span. */
  end?: string;
  platforms: string[];
  regions: string[];
}

/**
 * The model's running total of a window figure (sign-ups or installs "in 24 h", "over a week"):
 * the same sum the figure names, from the window's start to each time inside it, so the curve
 * ends exactly at the model value the fit table compares with the reported figure.
 */
export interface WindowCurve {
  /** The figure's id (a FigurePoint of the same chart). */
  figure: string;
  platform: string;
  /** Milliseconds since the window's start, ascending, from 0 to the window's length. */
  points: { elapsed: number; median: number; lo: number; hi: number }[];
}

/** People who changed primary app from `from` to `to` during the run (weighted, real people). */
export interface FlowCell {
  event: string;
  from: string;
  to: string;
  value: number;
}

/** One reported figure against the model, as printed by `exodus compare`. */
export interface FitRow {
  event: string;
  id: string;
  date: string;
  platform: string;
  metric: string;
  geography: string;
  confidence: 'high' | 'medium' | 'low';
  reported: number;
  median: number;
  lo: number;
  hi: number;
  log10_ratio: number;
  inside: boolean;
  /** How the figure is given (fit tables have it): people, or percent of a population or total. */
  as?: 'count' | 'percent' | 'share-of-total';
  /** The figure's unit as the data state it (e.g. "%", "people"), when there is one. */
  unit?: string;
  /** A ratio to another date, place or figure (relativeTo): drawn on a panel of its own. */
  relative?: boolean;
}

/** One draw of the calibration posterior (posterior.csv: equally weighted draws, or weighted particles). */
export interface PosteriorDraw {
  param: string;
  value: number;
  weight: number;
}

/** Progress of a calibration, one row per design wave (generations.csv). */
export interface GenerationRow {
  generation: number;
  phase: string; // "optimiser" | "abc"
  best_loss: number;
  median_loss: number;
  epsilon?: number;
}

/** Leave-one-event-out prediction summary for one event and one method. */
export interface CrossvalRow {
  event: string;
  /** exodus (the model), bass (a diffusion baseline), nothing ("nothing happens": no shocks). */
  method: 'exodus' | 'bass' | 'nothing';
  median_abs_log10: number;
  max_abs_log10: number;
  coverage: number;
  figures: number;
  /** Proper scores on the log10 scale (lower is better): CRPS, and the 90% interval score. */
  crps?: number;
  interval_score?: number;
}

/** Provenance printed under every chart and in the report. */
export interface ChartSource {
  /** e.g. "Model: exodus 0.1.0, 20 replicates, seed 1. Reported: Mediascope via TASS." */
  note: string;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics of a calibration (`exodus diagnose` → diagnostics.json, `exodus sensitivity` →
// sensitivity-<method>.csv), as the charts read them back.

/** Simulation-based calibration of one parameter. */
export interface SbcParameter {
  param: string;
  /** Share of the true values inside the central 50% and 90% posterior intervals. */
  coverage50: number;
  coverage90: number;
  /** p-value of a chi-square test of uniform ranks. */
  uniformityP?: number;
  /** Rank of each true value among the posterior draws (0..posteriorDraws). */
  ranks: number[];
}

export interface SbcSummary {
  /** Synthetic draws from the prior (true parameter sets). */
  truths: number;
  /** Posterior draws each true value is ranked among (ranks run 0..posteriorDraws). */
  posteriorDraws: number;
  /** Pooled over parameters. */
  coverage50: number;
  coverage90: number;
  parameters: SbcParameter[];
}

/** Posterior sd against prior sd of one parameter (unit coordinates). */
export interface IdentifiabilityRow {
  key: string;
  priorSd: number;
  posteriorSd: number;
  ratio: number;
  verdict: string;
}

/** What the prior alone implies for one figure: the 5%, 50% and 95% points of the prior runs (as diagnose writes it). */
export type PriorPredictiveRow = PriorPredictive;

export interface DiagnosticsData {
  sbc: SbcSummary;
  identifiability: IdentifiabilityRow[];
  priorPredictive: PriorPredictiveRow[];
}

/** One figure x parameter cell of a sensitivity analysis (Morris or Sobol), as sensitivity writes it. */
export type SensitivityRow = SensitivityCell;

/** How a figure is named on a crowded axis: a short label, and its wording for tooltips. */
export interface FigureName {
  event: string;
  id: string;
  short: string;
  wording?: string;
}
