// Every random draw of a run comes from one of these generators, seeded from the run's seed.
// Alea (from seedrandom) is fast, has a 2^116 period and gives identical streams on every platform.
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1). */
  (): number;
}

/** A generator owned by a run. `stream` separates independent uses (network, population, steps). */
export function makeRng(seed: number, stream: string): Rng {
  const g = seedrandom.alea(`${seed}:${stream}`);
  return () => g();
}

/** Standard normal draw (Box–Muller; one value per call keeps the stream simple and reproducible). */
export function normal(rng: Rng): number {
  let u = rng();
  while (u <= 1e-300) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Poisson draw; exact inversion for small means, a rounded normal approximation for large ones. */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 30) {
    const l = Math.exp(-mean);
    let k = 0;
    let p = rng();
    while (p > l) {
      k++;
      p *= rng();
    }
    return k;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
}

/** Binomial(n, p) draw: inversion for small n·p, otherwise a normal approximation (n is large there). */
export function binomial(rng: Rng, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const mean = n * p;
  if (mean < 30) {
    // Poisson is accurate for the small p used here; clamp to n.
    return Math.min(n, poisson(rng, mean));
  }
  const sd = Math.sqrt(mean * (1 - p));
  return Math.min(n, Math.max(0, Math.round(mean + sd * normal(rng))));
}

/**
 * A uniform in [0, 1) that is a pure function of (seed, a, b): used where a fixed per-agent draw is
 * needed for a shock (who is hit by a partial outage) without storing it. splitmix32-style mixing.
 */
export function hashUniform(seed: number, a: number, b: number): number {
  let h = (seed ^ Math.imul(a + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/** Standard Gumbel draw from a uniform u in [0, 1) (the noise of logit choice). */
export function gumbel(u: number): number {
  const x = u < 1e-12 ? 1e-12 : u > 1 - 1e-12 ? 1 - 1e-12 : u;
  return -Math.log(-Math.log(x));
}
