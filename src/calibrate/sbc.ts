// Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018): draw "true"
// parameters from the prior, simulate data from them, compute the posterior with the inference
// procedure under test, and rank each true value among L posterior draws. If the procedure is
// calibrated, every rank is uniform on 0..L and the central 50% and 90% posterior intervals hold
// about 50% and 90% of the true values. Too narrow a posterior shows as U-shaped ranks and low
// coverage, a biased one as skewed ranks.

export interface SbcResult {
  /** ranks[k][d]: rank of true value d of draw k among L posterior draws (0..L). */
  ranks: number[][];
  L: number;
  /** Per dimension: share of true values inside the central 50% and 90% posterior intervals. */
  coverage50: number[];
  coverage90: number[];
  /** Pooled over dimensions. */
  pooled50: number;
  pooled90: number;
  /** Per dimension: p-value of a chi-square test of uniform ranks (bins of equal width). */
  uniformityP: number[];
  bins: number;
}

/**
 * Run SBC on given truths: `posterior(k)` returns posterior draws (rows: draws, columns: the
 * dimensions of truths[k]) for synthetic data simulated from truths[k].
 */
export async function sbc(truths: readonly (readonly number[])[], posterior: (k: number) => Promise<number[][]> | number[][], L = 99, bins = 10): Promise<SbcResult> {
  const D = truths[0]?.length ?? 0;
  const ranks: number[][] = [];
  const in50 = new Array<number>(D).fill(0);
  const in90 = new Array<number>(D).fill(0);
  for (let k = 0; k < truths.length; k++) {
    const all = await posterior(k);
    const draws = thinTo(all, L);
    const r: number[] = [];
    for (let d = 0; d < D; d++) {
      const xs = draws.map((u) => u[d]).sort((a, b) => a - b);
      const t = truths[k][d];
      // Ties (a draw equal to the truth) are split at random-free midpoint: count half.
      let below = 0;
      for (const x of xs) below += x < t ? 1 : x === t ? 0.5 : 0;
      const rank = Math.round(below);
      r.push(rank);
      // The central interval of level a holds the truth when its rank is among the a(L'+1) middle
      // ranks of 0..L' (L' = draws available): under calibration exactly a of the time. (Nearest-rank
      // quantiles of the draws would make a "90%" interval of 99 draws hold 88%.)
      const Lk = xs.length;
      const inside = (a: number) => {
        const lo = Math.round(((1 - a) / 2) * (Lk + 1));
        return rank >= lo && rank <= Lk - lo;
      };
      if (inside(0.5)) in50[d]++;
      if (inside(0.9)) in90[d]++;
    }
    ranks.push(r);
  }
  const n = truths.length;
  const uniformityP = Array.from({ length: D }, (_, d) => chiSquareUniformP(ranks.map((r) => r[d]), L, bins));
  return {
    ranks,
    L,
    coverage50: in50.map((x) => x / n),
    coverage90: in90.map((x) => x / n),
    pooled50: in50.reduce((a, b) => a + b, 0) / (n * D),
    pooled90: in90.reduce((a, b) => a + b, 0) / (n * D),
    uniformityP,
    bins,
  };
}

/** L draws evenly spread over a (possibly larger) sample. */
function thinTo(xs: readonly number[][], L: number): number[][] {
  if (xs.length <= L) return xs.slice();
  return Array.from({ length: L }, (_, k) => xs[Math.floor(((k + 0.5) * xs.length) / L)]);
}

/** p-value of the chi-square test that ranks 0..L fall evenly into `bins` bins. */
export function chiSquareUniformP(ranks: readonly number[], L: number, bins: number): number {
  const counts = new Array<number>(bins).fill(0);
  for (const r of ranks) counts[Math.min(bins - 1, Math.floor((r / (L + 1)) * bins))]++;
  const e = ranks.length / bins;
  const x2 = counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
  return 1 - regularizedGammaP((bins - 1) / 2, x2 / 2);
}

/** Regularised lower incomplete gamma P(a, x) (series for x < a + 1, continued fraction beyond). */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnGa = logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-14) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - lnGa);
  }
  // Lentz's continued fraction for Q(a, x).
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - lnGa) * h;
}

/** log Gamma (Lanczos, g = 7). */
export function logGamma(z: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
