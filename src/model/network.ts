// The contact network, generated per scenario and stored as CSR (offsets + neighbour indices).
// Agents of a region occupy a contiguous index block; most ties go to nearby indices inside the
// block (so neighbours share neighbours: triangles), a few cross regions. Degrees are heavy-tailed.
import type { Rng } from './rng.ts';
import { plainAlloc, type Alloc } from './alloc.ts';

export interface Network {
  /** offsets[i] .. offsets[i+1] index the contacts of agent i in `nbrs`. */
  offsets: Uint32Array;
  nbrs: Uint32Array;
}

export interface NetworkSettings {
  degree: number;
  tail: number;
  crossRegion: number;
  locality: number;
  /** Largest degree drawn: fixed, so that the network's shape does not change with the agent count. */
  maxDegree: number;
}

/** xmin of a Pareto(xmin, alpha) truncated at max whose mean is `mean` (bisection). */
function paretoXmin(mean: number, alpha: number, max: number): number {
  // E[min(X, max)] = xmin + integral from xmin to max of (xmin / x)^(alpha - 1) dx, since the
  // degree is drawn with survival function (xmin / x)^(alpha - 1).
  const truncMean = (xmin: number) =>
    xmin >= max ? max : xmin + (Math.pow(xmin, alpha - 1) * (Math.pow(max, 2 - alpha) - Math.pow(xmin, 2 - alpha))) / (2 - alpha);
  let lo = 0.01;
  let hi = mean;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (truncMean(mid) < mean) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Build an undirected network. Each agent draws a target degree from a Pareto law with the given
 * mean and exponent, and creates half of it as ties; ties are stored in both directions.
 * regionStart has R+1 entries: region r holds agents regionStart[r] .. regionStart[r+1]-1.
 * `stream` makes the network's random stream; it is made twice: the ties are drawn once to count
 * each agent's contacts and drawn again, identically, to fill them in (no list of ties: at a
 * hundred million agents that list would be the largest thing in memory).
 */
export function buildNetwork(regionStart: Uint32Array, s: NetworkSettings, stream: () => Rng, progress?: (done: number) => void, alloc: Alloc = plainAlloc): Network {
  const n = regionStart[regionStart.length - 1];
  const alpha = s.tail;
  // The cap is fixed (not a share of n): hubs of the same size at 10k and at 10M agents.
  const maxDeg = Math.max(4, Math.min(s.maxDegree, Math.floor(n / 10)));
  const xmin = paretoXmin(s.degree, alpha, maxDeg);
  const inv = -1 / (alpha - 1);

  // How many ties each agent initiates (half its drawn degree): two draws per agent.
  const initiated = new Uint16Array(n);
  const drawInitiated = (rng: Rng) => {
    for (let i = 0; i < n; i++) {
      const d = Math.min(maxDeg, xmin * Math.pow(1 - rng(), inv));
      // Stochastic rounding keeps the mean exact.
      const half = d / 2;
      initiated[i] = Math.floor(half) + (rng() < half - Math.floor(half) ? 1 : 0);
    }
  };
  const first = stream();
  drawInitiated(first);
  // Count the contacts, then offsets, then draw the same ties again into place (CSR).
  const deg = new Uint32Array(n);
  drawTies(regionStart, s, initiated, first, deg, null, null);
  progress?.(0.5);
  const offsets = alloc(Uint32Array, n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + deg[i];
  const nbrs = alloc(Uint32Array, offsets[n]);
  const fill = deg;
  fill.set(offsets.subarray(0, n));
  const again = stream();
  for (let i = 0; i < n; i++) (again(), again()); // the two draws per agent of drawInitiated
  drawTies(regionStart, s, initiated, again, null, fill, nbrs);
  progress?.(1);
  return { offsets, nbrs };
}

/** The ties, in a fixed order: counted into `deg`, or stored at `fill` into `nbrs`. */
function drawTies(regionStart: Uint32Array, s: NetworkSettings, initiated: Uint16Array, rng: Rng, deg: Uint32Array | null, fill: Uint32Array | null, nbrs: Uint32Array | null): void {
  const n = regionStart[regionStart.length - 1];
  const R = regionStart.length - 1;
  for (let r = 0; r < R; r++) {
    const a = regionStart[r];
    const size = regionStart[r + 1] - a;
    if (size < 2) continue;
    for (let i = a; i < a + size; i++) {
      const k = initiated[i];
      // Reach of local ties grows with the agent's degree so hubs are not confined to a clique.
      const scale = Math.max(1, s.locality * k);
      for (let m = 0; m < k; m++) {
        let j: number;
        if (R > 1 && rng() < s.crossRegion) {
          j = Math.floor(rng() * (n - size));
          if (j >= a) j += size; // uniform over agents outside this region
        } else {
          // Geometric offset (>= 1) on a ring inside the region block.
          const off = 1 + Math.floor(-Math.log(1 - rng()) * scale);
          const o = off % size || 1;
          const pos = i - a + (rng() < 0.5 ? o : size - o);
          j = a + (pos % size);
        }
        if (j === i) continue;
        if (deg) {
          deg[i]++;
          deg[j]++;
        } else {
          nbrs![fill![i]++] = j;
          nbrs![fill![j]++] = i;
        }
      }
    }
  }
}

/** Average local clustering coefficient over a sample of agents (for tests and diagnostics). */
export function clustering(net: Network, sample: number, rng: Rng): number {
  const n = net.offsets.length - 1;
  const mark = new Int32Array(n).fill(-1);
  let sum = 0;
  let count = 0;
  for (let s = 0; s < sample; s++) {
    const i = Math.floor(rng() * n);
    const a = net.offsets[i];
    const b = net.offsets[i + 1];
    const k = b - a;
    if (k < 2) continue;
    for (let x = a; x < b; x++) mark[net.nbrs[x]] = i;
    let links = 0;
    for (let x = a; x < b; x++) {
      const j = net.nbrs[x];
      for (let y = net.offsets[j]; y < net.offsets[j + 1]; y++) if (mark[net.nbrs[y]] === i) links++;
    }
    sum += links / (k * (k - 1));
    count++;
  }
  return count ? sum / count : 0;
}
