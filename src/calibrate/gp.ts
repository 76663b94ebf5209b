// A Gaussian-process emulator of the simulator: for one event, the map from parameters (unit cube)
// to the log10 model value of each of its figures. Each output has a linear mean and a Gaussian
// process on the residual with a squared-exponential kernel; the outputs of an event share their
// length scales (one per input: inputs the event does not depend on get long ones), each has its
// own signal and noise variance (the noise is the seed-to-seed spread of a single run).
// Hyperparameters maximise the summed log marginal likelihood (Adam on their logs) on a subsample;
// the final fit uses every run. The emulator's error, for the likelihood, is the leave-one-out error
// of each output (which includes the seed noise), measured where the later waves put their runs.
import { makeRng } from '../model/rng.ts';

export interface EmulatorOutput {
  /** Linear mean: beta[0] + sum beta[1 + d] x_d. */
  beta: Float64Array;
  /** Scale of the residuals the GP models (standardised to 1). */
  scale: number;
  signal: number;
  noise: number;
  /** K^{-1} r (standardised residuals). */
  alpha: Float64Array;
  /** Leave-one-out mean squared error (log10 units squared): emulator error plus seed noise. */
  looVar: number;
}

export interface Emulator {
  n: number;
  d: number;
  X: Float64Array;
  /** Inverse squared length scales. */
  invLen2: Float64Array;
  outputs: EmulatorOutput[];
}

export interface FitOptions {
  seed: number;
  /** Runs used to fit the hyperparameters (default 220). */
  subsample?: number;
  iterations?: number;
  /** Weight of each run in the leave-one-out error (default: equal). */
  looWeight?: Float64Array;
}

/** Fit an emulator to n runs: X (n x d, in [0, 1]) and Y (n x m, log10 values). */
export function fitEmulator(X: Float64Array, Y: Float64Array, n: number, d: number, m: number, o: FitOptions): Emulator {
  const betas: Float64Array[] = [];
  const R = new Float64Array(n * m);
  const scales = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const y = Float64Array.from({ length: n }, (_, i) => Y[i * m + j]);
    const beta = linearFit(X, y, n, d);
    betas.push(beta);
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const r = y[i] - linear(beta, X, i, d);
      R[i * m + j] = r;
      ss += r * r;
    }
    scales[j] = Math.max(1e-6, Math.sqrt(ss / n));
    for (let i = 0; i < n; i++) R[i * m + j] /= scales[j];
  }

  // Hyperparameters on a subsample.
  const rng = makeRng(o.seed, 'emulator');
  const ns = Math.min(n, o.subsample ?? 220);
  const idx = sampleIndices(n, ns, rng);
  const Xs = new Float64Array(ns * d);
  const Rs = new Float64Array(ns * m);
  idx.forEach((i, k) => {
    for (let c = 0; c < d; c++) Xs[k * d + c] = X[i * d + c];
    for (let j = 0; j < m; j++) Rs[k * m + j] = R[i * m + j];
  });
  const hp = optimiseHyper(Xs, Rs, ns, d, m, o.iterations ?? 60);

  // Final fit on every run.
  const C = correlation(X, n, d, hp.invLen2);
  const outputs: EmulatorOutput[] = [];
  const looW = o.looWeight ?? new Float64Array(n).fill(1);
  for (let j = 0; j < m; j++) {
    const K = Float64Array.from(C);
    for (let a = 0; a < n * n; a++) K[a] *= hp.signal[j];
    for (let i = 0; i < n; i++) K[i * n + i] += hp.noise[j] + 1e-8;
    if (!cholesky(K, n)) throw new Error('emulator: covariance not positive definite');
    const r = Float64Array.from({ length: n }, (_, i) => R[i * m + j]);
    const alpha = cholSolve(K, n, r);
    // Leave-one-out residual of run i: alpha_i / (K^-1)_ii (Rasmussen & Williams 5.12).
    const dInv = inverseDiagonal(K, n);
    let sw = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const e = alpha[i] / dInv[i];
      s2 += looW[i] * e * e;
      sw += looW[i];
    }
    outputs.push({ beta: betas[j], scale: scales[j], signal: hp.signal[j], noise: hp.noise[j], alpha, looVar: (s2 / Math.max(sw, 1e-12)) * scales[j] * scales[j] });
  }
  return { n, d, X: Float64Array.from(X.subarray(0, n * d)), invLen2: hp.invLen2, outputs };
}

/**
 * Predicted means at point x (length d) for every output, into `out`; `k` is scratch of length n.
 * Cost: n * (d + outputs).
 */
export function predictMeans(em: Emulator, x: ArrayLike<number>, out: Float64Array, k: Float64Array): void {
  const { n, d, X, invLen2 } = em;
  // Four runs at a time: four independent sums over the inputs (each in c's order, as alone).
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const b0 = i * d;
    const b1 = b0 + d;
    const b2 = b1 + d;
    const b3 = b2 + d;
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    let q3 = 0;
    for (let c = 0; c < d; c++) {
      const xc = x[c];
      const w = invLen2[c];
      const z0 = xc - X[b0 + c];
      const z1 = xc - X[b1 + c];
      const z2 = xc - X[b2 + c];
      const z3 = xc - X[b3 + c];
      q0 += z0 * z0 * w;
      q1 += z1 * z1 * w;
      q2 += z2 * z2 * w;
      q3 += z3 * z3 * w;
    }
    k[i] = Math.exp(-0.5 * q0);
    k[i + 1] = Math.exp(-0.5 * q1);
    k[i + 2] = Math.exp(-0.5 * q2);
    k[i + 3] = Math.exp(-0.5 * q3);
  }
  for (; i < n; i++) {
    let q = 0;
    const b = i * d;
    for (let c = 0; c < d; c++) {
      const z = x[c] - X[b + c];
      q += z * z * invLen2[c];
    }
    k[i] = Math.exp(-0.5 * q);
  }
  // k . alpha of four outputs at a time (each sum in i's order, as alone; they overlap in the CPU).
  const m = em.outputs.length;
  let j = 0;
  for (; j + 3 < m; j += 4) {
    const a0 = em.outputs[j].alpha;
    const a1 = em.outputs[j + 1].alpha;
    const a2 = em.outputs[j + 2].alpha;
    const a3 = em.outputs[j + 3].alpha;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n; i++) {
      const ki = k[i];
      s0 += ki * a0[i];
      s1 += ki * a1[i];
      s2 += ki * a2[i];
      s3 += ki * a3[i];
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
  }
  for (; j < m; j++) {
    const a = em.outputs[j].alpha;
    let s = 0;
    for (let i = 0; i < n; i++) s += k[i] * a[i];
    out[j] = s;
  }
  for (j = 0; j < m; j++) {
    const o = em.outputs[j];
    let lin = o.beta[0];
    for (let c = 0; c < d; c++) lin += o.beta[1 + c] * x[c];
    out[j] = lin + o.scale * o.signal * out[j];
  }
}

function linear(beta: Float64Array, X: Float64Array, i: number, d: number): number {
  let v = beta[0];
  for (let c = 0; c < d; c++) v += beta[1 + c] * X[i * d + c];
  return v;
}

/** Least squares with a small ridge (the design can be nearly collinear in a few runs). */
function linearFit(X: Float64Array, y: Float64Array, n: number, d: number): Float64Array {
  const p = d + 1;
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  const row = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    row[0] = 1;
    for (let c = 0; c < d; c++) row[1 + c] = X[i * d + c];
    for (let a = 0; a < p; a++) {
      b[a] += row[a] * y[i];
      for (let c = 0; c < p; c++) A[a * p + c] += row[a] * row[c];
    }
  }
  for (let a = 1; a < p; a++) A[a * p + a] += 1e-6 * n;
  A[0] += 1e-9;
  if (!cholesky(A, p)) return new Float64Array(p);
  return cholSolve(A, p, b);
}

/** Correlation matrix exp(-1/2 sum (dx/l)^2) of n points. */
function correlation(X: Float64Array, n: number, d: number, invLen2: Float64Array): Float64Array {
  return correlationInto(new Float64Array(n * n), X, n, d, invLen2);
}

/** The same, into C (every entry written). */
function correlationInto(C: Float64Array, X: Float64Array, n: number, d: number, invLen2: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    C[i * n + i] = 1;
    for (let j = 0; j < i; j++) {
      let q = 0;
      for (let c = 0; c < d; c++) {
        const z = X[i * d + c] - X[j * d + c];
        q += z * z * invLen2[c];
      }
      const v = Math.exp(-0.5 * q);
      C[i * n + j] = v;
      C[j * n + i] = v;
    }
  }
  return C;
}

/**
 * Adam ascent on the summed log marginal likelihood over log length scales (shared) and log
 * signal and noise variances (per output), with weak priors that keep them in sensible ranges.
 *
 * Speed without changing a bit: every sum below adds the same terms in the same order as the
 * straightforward version did; only memory layouts (contiguous inner loops) and buffer reuse differ.
 */
function optimiseHyper(X: Float64Array, R: Float64Array, n: number, d: number, m: number, iterations: number) {
  const P = d + 2 * m;
  const theta = new Float64Array(P);
  for (let c = 0; c < d; c++) theta[c] = Math.log(0.4); // log length scale
  for (let j = 0; j < m; j++) {
    theta[d + 2 * j] = Math.log(0.8); // log signal variance
    theta[d + 2 * j + 1] = Math.log(0.2); // log noise variance
  }
  const mom = new Float64Array(P);
  const vel = new Float64Array(P);
  const grad = new Float64Array(P);
  const lr = 0.08;
  const nn = n * n;
  // Squared distances by input, one n x n block per input (so the gradient's sums run contiguously).
  const D2 = new Float64Array(nn * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let c = 0; c < d; c++) D2[c * nn + i * n + k] = (X[i * d + c] - X[k * d + c]) ** 2;
  const G = new Float64Array(nn);
  const C = new Float64Array(nn);
  const K = new Float64Array(nn);
  const Kinv = new Float64Array(nn);
  const Mt = new Float64Array(nn);
  const r = new Float64Array(n);
  for (let it = 1; it <= iterations; it++) {
    grad.fill(0);
    const invLen2 = Float64Array.from({ length: d }, (_, c) => Math.exp(-2 * theta[c]));
    correlationInto(C, X, n, d, invLen2);
    G.fill(0);
    for (let j = 0; j < m; j++) {
      const sf = Math.exp(theta[d + 2 * j]);
      const sn = Math.exp(theta[d + 2 * j + 1]);
      for (let a = 0; a < nn; a++) K[a] = sf * C[a];
      for (let i = 0; i < n; i++) K[i * n + i] += sn + 1e-8;
      if (!cholesky(K, n)) continue;
      for (let i = 0; i < n; i++) r[i] = R[i * m + j];
      const alpha = cholSolve(K, n, r);
      cholInverseInto(Kinv, Mt, K, n);
      let trWC = 0;
      let trW = 0;
      for (let i = 0; i < n; i++) {
        const ai = alpha[i];
        const row = i * n;
        for (let k = 0; k < n; k++) {
          const w = ai * alpha[k] - Kinv[row + k];
          const c = C[row + k];
          trWC += w * c;
          G[row + k] += sf * w * c;
        }
        trW += ai * ai - Kinv[row + i];
      }
      grad[d + 2 * j] = 0.5 * sf * trWC - (theta[d + 2 * j] - Math.log(0.8)) / 4;
      grad[d + 2 * j + 1] = 0.5 * sn * trW - (theta[d + 2 * j + 1] - Math.log(0.05)) / 9;
    }
    lengthGradient(grad, G, D2, nn, d);
    for (let c = 0; c < d; c++) grad[c] = 0.5 * grad[c] * invLen2[c] - (theta[c] - Math.log(0.5)) / 4;
    for (let q = 0; q < P; q++) {
      mom[q] = 0.9 * mom[q] + 0.1 * grad[q];
      vel[q] = 0.999 * vel[q] + 0.001 * grad[q] * grad[q];
      const mh = mom[q] / (1 - 0.9 ** it);
      const vh = vel[q] / (1 - 0.999 ** it);
      theta[q] += (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
    for (let c = 0; c < d; c++) theta[c] = Math.min(Math.log(20), Math.max(Math.log(0.03), theta[c]));
    for (let j = 0; j < m; j++) {
      theta[d + 2 * j] = Math.min(Math.log(20), Math.max(Math.log(1e-3), theta[d + 2 * j]));
      theta[d + 2 * j + 1] = Math.min(Math.log(5), Math.max(Math.log(1e-5), theta[d + 2 * j + 1]));
    }
  }
  return {
    invLen2: Float64Array.from({ length: d }, (_, c) => Math.exp(-2 * theta[c])),
    signal: Float64Array.from({ length: m }, (_, j) => Math.exp(theta[d + 2 * j])),
    noise: Float64Array.from({ length: m }, (_, j) => Math.exp(theta[d + 2 * j + 1])),
  };
}

/** grad[c] = sum over a of G[a] D2[c nn + a], in a's order; four inputs at a time share G's loads. */
function lengthGradient(grad: Float64Array, G: Float64Array, D2: Float64Array, nn: number, d: number): void {
  let c = 0;
  for (; c + 3 < d; c += 4) {
    const b0 = c * nn;
    const b1 = b0 + nn;
    const b2 = b1 + nn;
    const b3 = b2 + nn;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let a = 0; a < nn; a++) {
      const g = G[a];
      s0 += g * D2[b0 + a];
      s1 += g * D2[b1 + a];
      s2 += g * D2[b2 + a];
      s3 += g * D2[b3 + a];
    }
    grad[c] = s0;
    grad[c + 1] = s1;
    grad[c + 2] = s2;
    grad[c + 3] = s3;
  }
  for (; c < d; c++) {
    let s = 0;
    const b = c * nn;
    for (let a = 0; a < nn; a++) s += G[a] * D2[b + a];
    grad[c] = s;
  }
}

function sampleIndices(n: number, k: number, rng: () => number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, k).sort((a, b) => a - b);
}

/** In-place Cholesky factorisation (lower triangle of A, row-major); false if not positive definite. */
export function cholesky(A: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = A[rj + j];
    for (let k = 0; k < j; k++) s -= A[rj + k] * A[rj + k];
    if (!(s > 0)) return false;
    const dj = Math.sqrt(s);
    A[rj + j] = dj;
    // Rows below, four at a time: each row's sum runs over k in the same order as alone, but the
    // four independent sums overlap in the CPU (a single sum waits on every addition).
    let i = j + 1;
    for (; i + 3 < n; i += 4) {
      const r0 = i * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let t0 = A[r0 + j];
      let t1 = A[r1 + j];
      let t2 = A[r2 + j];
      let t3 = A[r3 + j];
      for (let k = 0; k < j; k++) {
        const a = A[rj + k];
        t0 -= A[r0 + k] * a;
        t1 -= A[r1 + k] * a;
        t2 -= A[r2 + k] * a;
        t3 -= A[r3 + k] * a;
      }
      A[r0 + j] = t0 / dj;
      A[r1 + j] = t1 / dj;
      A[r2 + j] = t2 / dj;
      A[r3 + j] = t3 / dj;
    }
    for (; i < n; i++) {
      const ri = i * n;
      let t = A[ri + j];
      for (let k = 0; k < j; k++) t -= A[ri + k] * A[rj + k];
      A[ri + j] = t / dj;
    }
  }
  return true;
}

/** Solve (L L^T) x = b with the factor from cholesky(). */
export function cholSolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b as ArrayLike<number>);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * x[k];
    x[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/**
 * L^{-1} of a Cholesky factor, stored transposed into Mt: Mt[j * n + i] = (L^{-1})_ij for i >= j
 * (the other entries are not written). Column j of L^{-1} is then a contiguous row of Mt, which
 * every use below walks along. Each entry is the sum of the textbook column-by-column inverse,
 * term for term in the same order; rows are taken two at a time, so that two independent sums
 * overlap in the CPU (the second row's last term waits for the first row's entry).
 */
function lowerInverseT(Mt: Float64Array, L: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    const cj = j * n;
    Mt[cj + j] = 1 / L[cj + j];
    let i = j + 1;
    for (; i + 1 < n; i += 2) {
      const r0 = i * n;
      const r1 = r0 + n;
      let s0 = 0;
      let s1 = 0;
      for (let k = j; k < i; k++) {
        const v = Mt[cj + k];
        s0 += L[r0 + k] * v;
        s1 += L[r1 + k] * v;
      }
      const m0 = -s0 / L[r0 + i];
      Mt[cj + i] = m0;
      s1 += L[r1 + i] * m0;
      Mt[cj + i + 1] = -s1 / L[r1 + i + 1];
    }
    for (; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s += L[ri + k] * Mt[cj + k];
      Mt[cj + i] = -s / L[ri + i];
    }
  }
  return Mt;
}

/** (L L^T)^{-1} from a Cholesky factor, into out (Mt: scratch of n * n). */
function cholInverseInto(out: Float64Array, Mt: Float64Array, L: Float64Array, n: number): Float64Array {
  lowerInverseT(Mt, L, n);
  // out_ij = sum over k >= i of (L^{-1})_ki (L^{-1})_kj, for j <= i: four j at a time (same sums).
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    let j = 0;
    for (; j + 3 <= i; j += 4) {
      const c0 = j * n;
      const c1 = c0 + n;
      const c2 = c1 + n;
      const c3 = c2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = i; k < n; k++) {
        const v = Mt[ci + k];
        s0 += v * Mt[c0 + k];
        s1 += v * Mt[c1 + k];
        s2 += v * Mt[c2 + k];
        s3 += v * Mt[c3 + k];
      }
      out[ci + j] = s0;
      out[c0 + i] = s0;
      out[ci + j + 1] = s1;
      out[c1 + i] = s1;
      out[ci + j + 2] = s2;
      out[c2 + i] = s2;
      out[ci + j + 3] = s3;
      out[c3 + i] = s3;
    }
    for (; j <= i; j++) {
      const cj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += Mt[ci + k] * Mt[cj + k];
      out[ci + j] = s;
      out[cj + i] = s;
    }
  }
  return out;
}

/** Diagonal of (L L^T)^{-1}: squared column norms of L^{-1}. */
function inverseDiagonal(L: Float64Array, n: number): Float64Array {
  const Mt = lowerInverseT(new Float64Array(n * n), L, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    let s = 0;
    for (let k = i; k < n; k++) s += Mt[ci + k] * Mt[ci + k];
    out[i] = s;
  }
  return out;
}
