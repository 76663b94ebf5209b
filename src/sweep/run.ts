// Running a sweep: its tasks go to a pool (local threads or the Redis queue) in chunks, each
// chunk's results saved to a checkpoint (.exodus/sweep-<hash>.jsonl) so --resume continues where
// an interrupted sweep stopped. Output: one tidy CSV row per setting and replicate.
import type { Pool } from '../calibrate/pool.ts';
import { hashOf, openCheckpoint } from '../calibrate/checkpoint.ts';
import { band, type Band } from '../calibrate/replicates.ts';
import { toCsv } from '../scenarios/csv.ts';
import { fmtValue } from '../model/results.ts';
import type { SweepPlan } from './plan.ts';

export interface SweepOptions {
  pool: Pool;
  /** Continue from the checkpoint of the same sweep. */
  resume?: boolean;
  checkpointDir?: string;
  /** Tasks per batch (default: all at once); a checkpoint is written after each. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  /** Stop (as if interrupted) after the current chunk. */
  signal?: AbortSignal;
}

export interface SweepResult {
  /** values[s][k][j]: metric j of setting s in replicate k. */
  values: number[][][];
  /** Runs taken from the checkpoint. */
  fromCheckpoint: number;
  checkpoint: string;
}

export class SweepInterrupted extends Error {
  override name = 'SweepInterrupted';
  constructor(readonly checkpoint: string) {
    super(`sweep interrupted; finished runs are saved in ${checkpoint} (continue with --resume)`);
  }
}

export async function runSweep(plan: SweepPlan, o: SweepOptions): Promise<SweepResult> {
  const keys = plan.tasks.map((t) => hashOf([t.hash, t.seed, t.agents, t.params, t.scenario, t.observations], 24));
  const settings = { sweep: plan.spec, scenario: plan.loaded.hash };
  const file = `${o.checkpointDir ?? '.exodus'}/sweep-${hashOf(settings)}.jsonl`;
  const ck = openCheckpoint(file, settings, Boolean(o.resume));
  const remaining = plan.tasks.map((_, i) => i).filter((i) => !ck.get(keys[i]));
  const total = plan.tasks.length;
  let done = total - remaining.length;
  o.onProgress?.(done, total);
  const chunk = o.chunk ?? Math.max(1, remaining.length);
  for (let c = 0; c < remaining.length; c += chunk) {
    const part = remaining.slice(c, c + chunk);
    const base = done;
    const outs = await o.pool.run(
      part.map((i) => plan.tasks[i]),
      (d) => o.onProgress?.(base + d, total),
    );
    outs.forEach((out, n) => {
      if (out.kind !== 'values') throw new Error('sweep: expected observed values');
      ck.put(keys[part[n]], out.values);
    });
    ck.flush();
    done += part.length;
    if (o.signal?.aborted && done < total) throw new SweepInterrupted(ck.file);
  }
  const R = plan.seeds.length;
  const values = plan.settings.map((_, s) => plan.seeds.map((_, k) => ck.get(keys[s * R + k])!));
  return { values, fromCheckpoint: ck.resumed, checkpoint: ck.file };
}

const cell = (v: number) => (Number.isFinite(v) ? fmtValue(v) : '');

/** setting, replicate, seed, one column per factor, one per metric. */
export function sweepCsv(plan: SweepPlan, r: SweepResult): string {
  const header = ['setting', 'replicate', 'seed', ...plan.factors.map((f) => f.name), ...plan.metrics.map((m) => m.name)];
  const rows: (string | number)[][] = [];
  plan.settings.forEach((setting, s) =>
    plan.seeds.forEach((seed, k) => {
      rows.push([s + 1, k + 1, seed, ...plan.factors.map((f) => setting[f.name]), ...r.values[s][k].map(cell)]);
    }),
  );
  return toCsv(header, rows);
}

/** Median and 90% band over replicates of metric j, per setting. */
export function settingBands(r: SweepResult, j: number): Band[] {
  return r.values.map((reps) => band(reps.map((v) => v[j])));
}
