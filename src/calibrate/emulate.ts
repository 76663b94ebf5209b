// The emulated likelihood: one Gaussian-process emulator per event (its figures as outputs, the
// shared parameters and the event's own unknowns as inputs), fitted to the bank of simulated runs,
// and the reporting-error model of each figure on top (errors.ts). Evaluating it costs a fraction
// of a millisecond, so the posterior can be sampled with thousands of particles.
import { fitEmulator, predictMeans, type Emulator } from './gp.ts';
import { logLik, type Target } from './errors.ts';
import type { Dim } from './space.ts';
import type { ComputePool } from './compute.ts';
import type { EmulatorJob } from './jobs.ts';

/** One simulated candidate: its unit coordinates and, per event, the values of its figures. */
export interface BankRun {
  u: number[];
  seed: number;
  /** Design wave it was chosen in (1: from the prior). */
  wave: number;
  values: number[][];
}

export interface EventSetupLike {
  name: string;
  targets: Target[];
}

export interface EventModel {
  event: string;
  /** Indices of the dimensions the event depends on (shared ones and its own unknowns). */
  inputs: number[];
  targets: Target[];
  floors: Float64Array;
  em: Emulator;
  /** Scratch: inputs, predicted means, kernel vector. */
  x: Float64Array;
  mu: Float64Array;
  k: Float64Array;
}

/** The smallest value a figure is told apart from (three orders of magnitude below it). */
export function floorOf(t: Target): number {
  const ref = t.lo === undefined ? t.value : Number.isFinite(t.lo) ? 10 ** t.lo : Number.isFinite(t.hi!) ? 10 ** t.hi! : t.value;
  return Math.max(1e-12, Math.abs(ref) * 1e-3);
}

export function toLog(v: number, floor: number): number {
  return Math.log10(Number.isFinite(v) && v > floor ? v : floor);
}

/**
 * Fit the emulators of every event to the bank: one job per event, on the compute threads if given
 * (the same emulators, bit for bit, on any number of threads).
 */
export async function buildEventModels(dims: readonly Dim[], setups: readonly EventSetupLike[], bank: readonly BankRun[], seed: number, compute?: ComputePool): Promise<EventModel[]> {
  const lastWave = Math.max(...bank.map((b) => b.wave));
  const n = bank.length;
  const inputsOf = setups.map((su) => dims.map((d, i) => (d.event === undefined || d.event === su.name ? i : -1)).filter((i) => i >= 0));
  const floorsOf = setups.map((su) => Float64Array.from(su.targets, floorOf));
  const jobs: EmulatorJob[] = setups.map((su, e) => {
    const inputs = inputsOf[e];
    const d = inputs.length;
    const m = su.targets.length;
    const floors = floorsOf[e];
    const X = new Float64Array(n * d);
    const Y = new Float64Array(n * m);
    const looWeight = new Float64Array(n);
    bank.forEach((b, i) => {
      inputs.forEach((k, c) => (X[i * d + c] = b.u[k]));
      for (let j = 0; j < m; j++) Y[i * m + j] = toLog(b.values[e][j], floors[j]);
      // The emulator's error matters where the posterior is: measure it on the latest wave.
      looWeight[i] = lastWave === 1 || b.wave === lastWave ? 1 : 0.1;
    });
    return { X, Y, n, d, m, fit: { seed: seed + e, looWeight } };
  });
  // The fit's cost grows with the outputs (a Cholesky factor and an inverse each, per iteration).
  const ems = compute ? await compute.map('emulator', jobs, { cost: jobs.map((j) => j.m) }) : jobs.map((j) => fitEmulator(j.X, j.Y, j.n, j.d, j.m, j.fit));
  return setups.map((su, e) => {
    const em = ems[e];
    return { event: su.name, inputs: inputsOf[e], targets: su.targets, floors: floorsOf[e], em, x: new Float64Array(em.d), mu: new Float64Array(su.targets.length), k: new Float64Array(n) };
  });
}

/** Predicted log10 values of every figure of event model `ev` at unit point u (into ev.mu). */
export function predictEvent(ev: EventModel, u: ArrayLike<number>): Float64Array {
  for (let c = 0; c < ev.inputs.length; c++) ev.x[c] = u[ev.inputs[c]];
  predictMeans(ev.em, ev.x, ev.mu, ev.k);
  return ev.mu;
}

/** Log-likelihood of every event's figures (or of `targets`, by event: SBC's synthetic ones) at unit point u, by the emulators. */
export function emulatedLogLik(models: readonly EventModel[], u: ArrayLike<number>, only?: readonly number[], targets?: readonly (readonly Target[])[]): number {
  let ll = 0;
  const which = only ?? models.map((_, e) => e);
  for (const e of which) {
    const ev = models[e];
    const ts = targets?.[e] ?? ev.targets;
    const mu = predictEvent(ev, u);
    for (let j = 0; j < ts.length; j++) ll += logLik(mu[j], ev.em.outputs[j].looVar, ts[j]);
  }
  return ll;
}
