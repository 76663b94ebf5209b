// The emulated likelihood: one Gaussian-process emulator per event (its figures as outputs, the
// shared parameters and the event's own unknowns as inputs), fitted to the bank of simulated runs,
// and the reporting-error model of each figure on top (errors.ts). Evaluating it costs a fraction
// of a millisecond, so the posterior can be sampled with thousands of particles.
import { fitEmulator, predictMeans, type Emulator } from './gp.ts';
import { logLik, type Target } from './errors.ts';
import type { Dim } from './space.ts';

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

/** Fit the emulators of every event to the bank. */
export function buildEventModels(dims: readonly Dim[], setups: readonly EventSetupLike[], bank: readonly BankRun[], seed: number): EventModel[] {
  const lastWave = Math.max(...bank.map((b) => b.wave));
  return setups.map((su, e) => {
    const inputs = dims.map((d, i) => (d.event === undefined || d.event === su.name ? i : -1)).filter((i) => i >= 0);
    const d = inputs.length;
    const m = su.targets.length;
    const n = bank.length;
    const floors = Float64Array.from(su.targets, floorOf);
    const X = new Float64Array(n * d);
    const Y = new Float64Array(n * m);
    const looWeight = new Float64Array(n);
    bank.forEach((b, i) => {
      inputs.forEach((k, c) => (X[i * d + c] = b.u[k]));
      for (let j = 0; j < m; j++) Y[i * m + j] = toLog(b.values[e][j], floors[j]);
      // The emulator's error matters where the posterior is: measure it on the latest wave.
      looWeight[i] = lastWave === 1 || b.wave === lastWave ? 1 : 0.1;
    });
    const em = fitEmulator(X, Y, n, d, m, { seed: seed + e, looWeight });
    return { event: su.name, inputs, targets: su.targets, floors, em, x: new Float64Array(d), mu: new Float64Array(m), k: new Float64Array(n) };
  });
}

/** Predicted log10 values of every figure of event model `ev` at unit point u (into ev.mu). */
export function predictEvent(ev: EventModel, u: ArrayLike<number>): Float64Array {
  for (let c = 0; c < ev.inputs.length; c++) ev.x[c] = u[ev.inputs[c]];
  predictMeans(ev.em, ev.x, ev.mu, ev.k);
  return ev.mu;
}

/** Log-likelihood of every event's figures at unit point u, by the emulators. */
export function emulatedLogLik(models: readonly EventModel[], u: ArrayLike<number>, only?: readonly number[]): number {
  let ll = 0;
  const which = only ?? models.map((_, e) => e);
  for (const e of which) {
    const ev = models[e];
    const mu = predictEvent(ev, u);
    for (let j = 0; j < ev.targets.length; j++) ll += logLik(mu[j], ev.em.outputs[j].looVar, ev.targets[j]);
  }
  return ll;
}
