// Leave-one-event-out cross-validation: for each event, calibrate on all the others, predict it, and
// score the prediction against its figures. Three predictions of each left-out event:
//   exodus:  the agent-based model as exodus compare gives it: median and band over replicates,
//            replicate k with posterior draw k of the fold's calibration and the event's own
//            unknowns ("fitted:") drawn from their priors
//            (they cannot be fitted without the event's figures);
//   bass:    a Bass diffusion curve per app from the fits on the other events (bass.ts);
//   nothing: "nothing happens": the same scenario with its shocks removed (the market as it was,
//            with its own growth), with the fold's central estimate.
// Each is scored with the fit summary of `exodus compare` (median and max |log10 ratio|, coverage of
// the 90% band of the reported figure) and with two proper scores on the log10 scale (scores.ts):
// the CRPS and the interval score of the 90% interval. Lower scores are better.
import type { LoadedScenario } from '../scenarios/load.ts';
import type { CrossvalRow } from '../charts/types.ts';
import { toCsv } from '../scenarios/csv.ts';
import { resolveRun } from '../api.ts';
import { makeRng } from '../model/rng.ts';
import { calibrate, resolveEvents, type CalibrateOptions, type CalibrateProgress, type CalibrationResult } from './calibrate.ts';
import { fitTable, type FitTable } from './fittable.ts';
import { resampleDraws } from './posterior.ts';
import { createPool, defaultWorkers, type Pool } from './pool.ts';
import { bassApps, bassInSample, bassSummary, fitBass, predictBass, type BassApp, type BassParams, type BassPrediction } from './bass.ts';
import { comparedFigures, observeReplicates, type ParamDraw } from './replicates.ts';
import type { FitSummary } from './loss.ts';
import { calibrationAgents } from './resolution.ts';
import { candidateOf, eventDims, priorDraw } from './space.ts';
import { scoreFigure } from './scores.ts';
import { targetOf } from './errors.ts';

export interface CrossvalOptions extends Omit<CalibrateOptions, 'events' | 'onProgress'> {
  events: (string | LoadedScenario)[];
  /** Replicates of each prediction (default 20). */
  replicates?: number;
  /** Agents of the predictions (default: each scenario's). */
  predictAgents?: number;
  onFold?: (event: string, k: number, n: number) => void;
  onProgress?: (p: CalibrateProgress) => void;
  onPredict?: (done: number) => void;
}

export interface MethodScore {
  summary: FitSummary;
  /** Mean CRPS and mean 90% interval score over the figures (log10 scale). */
  crps: number;
  interval: number;
}

export interface Fold {
  event: string;
  calibration: CalibrationResult;
  exodus: FitTable;
  nothing: FitTable;
  bass: BassPrediction[];
  scores: { exodus: MethodScore; bass: MethodScore; nothing: MethodScore };
  /** Bass fitted to the event's own figures (in-sample; for reference, not a prediction). */
  bassInSample: FitSummary;
}

export interface CrossvalResult {
  folds: Fold[];
  rows: CrossvalRow[];
}

export async function crossval(o: CrossvalOptions): Promise<CrossvalResult> {
  const loaded = resolveEvents(o.events);
  if (loaded.length < 2) throw new Error('crossval: needs at least two events');
  const pool = o.pool ?? createPool(o.workers ?? defaultWorkers());
  const replicates = o.replicates ?? 20;
  const seed = o.seed ?? 1;
  const agentsFor = (l: LoadedScenario) => (typeof o.agents === 'number' ? o.agents : (o.agents?.[l.scenario.name] ?? o.agents?.['*'] ?? calibrationAgents(l)));
  try {
    // The market at the start of each event (for the Bass baseline): one run at default parameters.
    const starts = await pool.run(
      loaded.map((l) => {
        const r = resolveRun(l, { useCalibrated: false });
        return { scenario: r.scenario, hash: l.hash, params: r.params, seed, agents: agentsFor(l) };
      }),
    );
    const apps: BassApp[][] = loaded.map((l, i) => {
      const s = starts[i];
      if (s.kind !== 'result') throw new Error('expected a result');
      return bassApps(l, s.result);
    });
    const fits: { event: string; role: BassApp['role']; params: BassParams; app: BassApp }[] = [];
    for (const list of apps) for (const app of list) fits.push({ event: app.event, role: app.role, params: await fitBass(app), app });

    const folds: Fold[] = [];
    for (let k = 0; k < loaded.length; k++) {
      const left = loaded[k];
      const name = left.scenario.name;
      o.onFold?.(name, k, loaded.length);
      const cal = await calibrate({ ...o, events: loaded.filter((_, i) => i !== k), pool });
      // The left-out event's unknowns from their priors, one draw per replicate.
      const dims = eventDims(left);
      const rng = makeRng(seed, `crossval:${name}`);
      const draws: ParamDraw[] = resampleDraws(cal.posterior, replicates).map((d) => ({
        params: d.params,
        events: dims.length ? { [name]: candidateOf(dims, priorDraw(dims, rng)).events[name] } : {},
      }));
      const figs = comparedFigures(left);
      const obs = figs.map((f) => f.obs);
      const agents = o.predictAgents ?? left.scenario.agents;
      // As exodus compare gives it: median and band over the fold's posterior draws.
      const values = await observeReplicates(left, obs, { replicates, seed, agents, useCalibrated: false, draws, pool, onProgress: o.onPredict });
      const meta = { params: cal.params, fitted: {}, paramSource: `fold without ${name}: posterior draws; its own unknowns from their priors`, posterior: true, seed, agents };
      const exodus = fitTable(left, values, meta);
      // Nothing happens: the same market without its shocks.
      const calm: LoadedScenario = { ...left, scenario: { ...left.scenario, shocks: [], fitted: [] }, hash: `${left.hash}-noshocks` };
      const calmValues = await observeReplicates(calm, obs, { replicates, seed, agents, useCalibrated: false, params: cal.point.params, pool });
      const nothing = fitTable(calm, calmValues, { ...meta, paramSource: `fold without ${name}: central estimate, no shocks`, posterior: false });
      const others = fits.filter((f) => f.event !== name);
      const bass = predictBass(apps[k], others);
      const own = fits.filter((f) => f.event === name).flatMap((f) => bassInSample(f.app, f.params));
      const targets = figs.map((f) => targetOf(f.figure));
      const score = (samples: (j: number) => number[] | undefined, summary: FitSummary): MethodScore => {
        let c = 0;
        let s = 0;
        let n = 0;
        targets.forEach((t, j) => {
          const xs = samples(j);
          if (!xs?.length) return;
          const sc = scoreFigure(xs, t);
          c += sc.crps;
          s += sc.interval;
          n++;
        });
        return { summary, crps: n ? c / n : NaN, interval: n ? s / n : NaN };
      };
      const bassById = new Map(bass.map((b) => [b.id, b.samples]));
      folds.push({
        event: name,
        calibration: cal,
        exodus,
        nothing,
        bass,
        bassInSample: bassSummary(own),
        scores: {
          exodus: score((j) => values.map((v) => v[j]), exodus.summary),
          nothing: score((j) => calmValues.map((v) => v[j]), nothing.summary),
          bass: score((j) => bassById.get(targets[j].id), bassSummary(bass)),
        },
      });
    }
    const rows: CrossvalRow[] = folds.flatMap((f) => (['exodus', 'bass', 'nothing'] as const).map((method) => ({ event: f.event, method, ...pick(f.scores[method]) })));
    return { folds, rows };
  } finally {
    if (!o.pool) await pool.close();
  }
}

const pick = (s: MethodScore) => ({ median_abs_log10: s.summary.median_abs_log10, max_abs_log10: s.summary.max_abs_log10, coverage: s.summary.coverage, figures: s.summary.figures, crps: s.crps, interval_score: s.interval });
const r4 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? String(Number(v.toFixed(4))) : '');

export function crossvalCsv(rows: readonly CrossvalRow[]): string {
  return toCsv(
    ['event', 'method', 'median_abs_log10', 'max_abs_log10', 'coverage', 'figures', 'crps', 'interval_score'],
    rows.map((r) => [r.event, r.method, r4(r.median_abs_log10), r4(r.max_abs_log10), r4(r.coverage), r.figures, r4(r.crps), r4(r.interval_score)]),
  );
}
