// The settings of a sweep: every combination of the factors' values (grid), or a Latin hypercube
// (each factor's range cut into `samples` equal strata, one value in each, strata paired at
// random), drawn from a seeded generator so the same file gives the same settings.
import seedrandom from 'seedrandom';
import { shuffler } from 'd3-array';
import type { Factor, SweepSpec } from './spec.ts';

export type Value = number | string;
export type Setting = Record<string, Value>;

/** Round away floating-point noise (0.30000000000000004 -> 0.3) and keep LHS draws readable. */
const tidy = (v: number, digits: number) => Number(v.toPrecision(digits));

/** The values of one grid factor, in order. */
export function factorValues(f: Factor): Value[] {
  if (f.values) return f.values;
  const n = f.steps!;
  const at = (k: number) => (f.scale === 'log' ? Math.exp(Math.log(f.from!) + ((Math.log(f.to!) - Math.log(f.from!)) * k) / (n - 1)) : f.from! + ((f.to! - f.from!) * k) / (n - 1));
  return Array.from({ length: n }, (_, k) => tidy(at(k), 12));
}

/** Every combination; the first factor varies slowest. */
export function gridSettings(factors: readonly Factor[]): Setting[] {
  let out: Setting[] = [{}];
  for (const f of factors) {
    const vs = factorValues(f);
    out = out.flatMap((s) => vs.map((v) => ({ ...s, [f.name]: v })));
  }
  return out;
}

/** A Latin hypercube of n settings over the factors' ranges, from the seed. */
export function lhsSettings(factors: readonly Factor[], n: number, seed: number): Setting[] {
  const rng = seedrandom.alea(`sweep-lhs:${seed}`);
  const shuffle = shuffler(() => rng());
  const out: Setting[] = Array.from({ length: n }, () => ({}));
  for (const f of factors) {
    const strata = shuffle(Array.from({ length: n }, (_, k) => k));
    for (let i = 0; i < n; i++) {
      const u = (strata[i] + rng()) / n;
      const v = f.scale === 'log' ? Math.exp(Math.log(f.from!) + u * (Math.log(f.to!) - Math.log(f.from!))) : f.from! + u * (f.to! - f.from!);
      out[i][f.name] = tidy(v, 6);
    }
  }
  return out;
}

export function settingsOf(spec: SweepSpec): Setting[] {
  return spec.design === 'lhs' ? lhsSettings(spec.vary, spec.samples!, spec.seed) : gridSettings(spec.vary);
}
