// Leave-one-event-out cross-validation: for each event, calibrate on all the others, predict it,
// and score the prediction with the same fit summary as `exodus compare`; beside it, the Bass
// baseline predicts the same event from the other events' per-app fits (see bass.ts).
// The left-out event's own per-event unknowns ("fitted:") cannot be fitted without its figures:
// the prediction uses the values written in its scenario file.
import type { LoadedScenario } from '../scenarios/load.ts';
import type { CrossvalRow } from '../charts/types.ts';
import { toCsv } from '../scenarios/csv.ts';
import { resolveRun } from '../api.ts';
import { calibrate, resolveEvents, type CalibrateOptions, type CalibrateProgress, type CalibrationResult } from './calibrate.ts';
import { compareScenario, type FitTable } from './fittable.ts';
import { resampleDraws } from './posterior.ts';
import { createPool, defaultWorkers, type Pool } from './pool.ts';
import { bassApps, bassInSample, bassSummary, fitBass, predictBass, type BassApp, type BassParams, type BassPrediction } from './bass.ts';
import type { FitSummary } from './loss.ts';
import { calibrationAgents } from './resolution.ts';

export interface CrossvalOptions extends Omit<CalibrateOptions, 'events' | 'onProgress' | 'pool'> {
  /** Where the runs go (default: local worker threads, closed at the end); the caller closes its own. */
  pool?: Pool;
  events: (string | LoadedScenario)[];
  /** Replicates of each prediction (default 10). */
  replicates?: number;
  /** Agents of the predictions (default: each scenario's). */
  predictAgents?: number;
  onFold?: (event: string, k: number, n: number) => void;
  onProgress?: (p: CalibrateProgress) => void;
  onPredict?: (done: number) => void;
}

export interface Fold {
  event: string;
  calibration: CalibrationResult;
  exodus: FitTable;
  bass: BassPrediction[];
  bassSummary: FitSummary;
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
  const agentsFor = (l: LoadedScenario) => (typeof o.agents === 'number' ? o.agents : (o.agents?.[l.scenario.name] ?? o.agents?.['*'] ?? calibrationAgents(l)));
  try {
    // The market at the start of each event (for the Bass baseline): one run at default parameters.
    const starts = await pool.run(
      loaded.map((l) => {
        const r = resolveRun(l, { useCalibrated: false });
        return { scenario: r.scenario, hash: l.hash, params: r.params, seed: o.seed ?? 1, agents: agentsFor(l) };
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
      const train = loaded.filter((_, i) => i !== k);
      const cal = await calibrate({ ...o, events: train, pool });
      const draws = resampleDraws(cal.posterior, o.replicates ?? 10);
      const exodus = await compareScenario(left, {
        replicates: o.replicates ?? 10,
        seed: o.seed ?? 1,
        agents: o.predictAgents ?? left.scenario.agents,
        useCalibrated: false,
        params: draws.length ? undefined : cal.point.params,
        draws: draws.map((d) => ({ params: d.params })),
        pool,
        onProgress: o.onPredict,
      });
      const others = fits.filter((f) => f.event !== name);
      const bass = predictBass(apps[k], others);
      const own = fits.filter((f) => f.event === name).flatMap((f) => bassInSample(f.app, f.params));
      folds.push({ event: name, calibration: cal, exodus, bass, bassSummary: bassSummary(bass), bassInSample: bassSummary(own) });
    }
    const rows: CrossvalRow[] = folds.flatMap((f) => [
      { event: f.event, method: 'exodus' as const, ...pick(f.exodus.summary) },
      { event: f.event, method: 'bass' as const, ...pick(f.bassSummary) },
    ]);
    return { folds, rows };
  } finally {
    if (!o.pool) await pool.close();
  }
}

const pick = (s: FitSummary) => ({ median_abs_log10: s.median_abs_log10, max_abs_log10: s.max_abs_log10, coverage: s.coverage, figures: s.figures });
const r4 = (v: number) => (Number.isFinite(v) ? String(Number(v.toFixed(4))) : '');

export function crossvalCsv(rows: readonly CrossvalRow[]): string {
  return toCsv(['event', 'method', 'median_abs_log10', 'max_abs_log10', 'coverage', 'figures'], rows.map((r) => [r.event, r.method, r4(r.median_abs_log10), r4(r.max_abs_log10), r4(r.coverage), r.figures]));
}
