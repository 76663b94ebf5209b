// The calibration's own computing that can run on other threads: fitting one event's emulator, and
// one SBC truth's posterior. Each job is a pure function of structured-cloneable arguments, so it
// gives the same bits wherever it runs (compute.ts sends it to a worker thread or runs it here).
import { fitEmulator, type Emulator, type FitOptions } from './gp.ts';
import { emulatedLogLik, type EventModel } from './emulate.ts';
import type { Target } from './errors.ts';
import { temperedSmc } from './smc.ts';
import type { Dim } from './space.ts';

export interface EmulatorJob {
  /** n x d inputs and n x m log10 values (gp.ts fitEmulator). */
  X: Float64Array;
  Y: Float64Array;
  n: number;
  d: number;
  m: number;
  fit: FitOptions;
}

export interface SbcPosteriorJob {
  dims: Dim[];
  /** The emulators judging this truth (fitted on the other half of the prior runs). */
  models: EventModel[];
  /** Its synthetic reported figures, by event. */
  synthetic: Target[][];
  rate: number;
  seed: number;
  particles: number;
}

export const JOBS = {
  emulator: (j: EmulatorJob): Emulator => fitEmulator(j.X, j.Y, j.n, j.d, j.m, j.fit),
  /** Posterior draws (unit cube) of prior x L^rate on the truth's synthetic figures. */
  sbcPosterior: (j: SbcPosteriorJob): number[][] => temperedSmc(j.dims, (u) => j.rate * syntheticLogLik(j.models, j.synthetic, u), { seed: j.seed, particles: j.particles, moves: 4 }).particles,
};

export type JobName = keyof typeof JOBS;
export type JobArgs<K extends JobName> = Parameters<(typeof JOBS)[K]>[0];
export type JobResult<K extends JobName> = ReturnType<(typeof JOBS)[K]>;

export function runJob<K extends JobName>(name: K, args: JobArgs<K>): JobResult<K> {
  return (JOBS[name] as (a: JobArgs<K>) => JobResult<K>)(args);
}

/** Log-likelihood of synthetic figures at unit point u, by the emulators (learning-rate.ts). */
export function syntheticLogLik(models: readonly EventModel[], targets: readonly Target[][], u: number[]): number {
  return emulatedLogLik(models, u, undefined, targets);
}

/** The buffers of the typed arrays in a result that own their whole buffer: moved, not copied. */
export function ownBuffers(x: unknown, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(x)) {
    if (x.byteOffset === 0 && x.byteLength === x.buffer.byteLength && x.buffer instanceof ArrayBuffer) out.add(x.buffer);
  } else if (Array.isArray(x)) {
    for (const v of x) if (v !== null && typeof v === 'object') ownBuffers(v, out);
  } else if (x !== null && typeof x === 'object') {
    for (const v of Object.values(x)) if (v !== null && typeof v === 'object') ownBuffers(v, out);
  }
  return [...out];
}
