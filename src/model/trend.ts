// Markets at rest, and markets that move before any shock.
//
// At rest: left alone, a market of messengers stays much as it is (surveys a year apart differ by
// a few points), but the model's own rules would not keep it so: someone without an app most of
// their contacts use would add it at the next reconsideration, and keep it. So each app has a
// constant of ADDING it, per region (w.addConst, like the main-app constants asc), fitted once at
// the build from the world as built, so that without shocks as many people add the app as let it
// go: the people who do not use an app at the start are taken to have their reasons. Shocks move
// people from there (news, word of mouth, failures), and an app nobody uses at the start (one
// launched later) has no constant: trialBias alone. Nor do the constants hold back someone whose
// main app is durably out of reach (decide.ts): they are not at rest.
//
// Growth: a scenario may state an app's reported growth in a region
// (RegionInput.apps[].trend: per day). The model has no cause for it (content, marketing, people
// buying smartphones), so it comes in as background adoption: someone not using the app takes it
// up at a hazard w.trend[k] times the share of their contacts reachable there (it spreads through
// contacts, as such growth does). The hazard is fitted once at the build, from the world as built
// and the model's own rules, so that the world without shocks grows at the stated rate:
//
//   stated growth x users = background adoptions kept + trials kept - secondary users dropping
//
// each term counted on a sample of the region's users: trials at the base rate of reconsidering
// (pickTrial's chances), dropping at the same rate (a secondary app is kept in proportion to the
// contacts there, up to dormancyReach), and what an adopter keeps at their review by the same rule.
// Where the model's own flows already give the stated growth or more, the hazard is 0.
import type { World } from './world.ts';
import type { Fields } from './fields.ts';
import type { Params } from './params.ts';
import type { ModelInput } from './input.ts';
import { ACTIVE, NO_APP, REQUIRED } from './world.ts';
import { canAdopt, reach, trialWeights } from './decide.ts';
import { refreshKnown } from './tally.ts';
import { makeRng } from './rng.ts';

/** Users sampled per region for the fit (the fit's noise is well below the figures' own). */
const SAMPLE = 4000;

/** The flows of one region and app at the start, per day, per sampled user (fitTrends). */
export interface TrendFlows {
  /** Users of the app. */
  users: number;
  /** Background adoptions kept, per unit of the hazard. */
  perHazard: number;
  /** Trials kept (at the base rate of reconsidering). */
  trials: number;
  /** Secondary users letting the app go dormant (same rate). */
  drops: number;
}

/**
 * Fit w.addConst (the market at rest), then w.trend for every region and app with a stated trend
 * (after the main apps are assigned).
 */
export function fitTrends(w: World, f: Fields, p: Params, input: ModelInput, seed: number): void {
  w.trend.fill(0);
  w.addConst.fill(0);
  // How well known each app is, as the first step will see it (the fit reads it through trials).
  const known = w.known.slice();
  const inUse = new Float64Array(w.R * w.K);
  for (let i = 0; i < w.n; i++) for (let a = 0; a < w.K; a++) if (w.status[i * w.K + a] & ACTIVE && f.launched[a]) inUse[w.region[i] * w.K + a]++;
  refreshKnown(w, inUse);
  const rest = makeRng(seed, 'rest');
  for (let r = 0; r < w.R; r++) fitAddConstants(w, f, p, r, inUse, () => rest());
  const rng = makeRng(seed, 'trend');
  for (let r = 0; r < w.R; r++) {
    for (const app of input.regions[r].apps) {
      const g = app.trend ?? 0;
      if (g <= 0) continue;
      const fl = trendFlows(w, f, p, r, app.platform, () => rng());
      const need = g * fl.users + fl.drops - fl.trials;
      w.trend[r * w.K + app.platform] = need > 0 && fl.perHazard > 0 ? need / fl.perHazard : 0;
    }
  }
  w.known.set(known);
}

/** Passes of the constants' fit: each app's constant moves the others' chances a little. */
const SWEEPS = 3;
/** Lowest adding constant (utility): below it an app is practically never added. */
const ADD_FLOOR = -15;
/** People sampled per region for the losses (all in a smaller region). */
const DROP_SAMPLE = 250_000;

/**
 * Fit the adding constants of region r so that each app used at the start gains, without shocks,
 * as many users as it loses. Per reconsideration (whatever its rate, which cancels): a person adds
 * a with chance P0 (pickTrial's, then kept at once and at the review, as trendFlows counts them)
 * and lets it go with chance D (a secondary user whose contacts there are few); and each add is
 * told to the adopter's contacts, who at their next reconsideration (the app stays named to them
 * until then) add it with chance Pa instead of P0. With A = D adds per reconsideration at rest:
 *
 *   P0 + degree x D x (Pa - P0) = D
 *
 * A constant only holds adding back (<= 0): where an app loses more users than it gains, raising
 * it would feed word of mouth and contacts there without end (the more users, the more reasons to
 * add it), so such a market shrinks slowly, as small apps without news do.
 */
function fitAddConstants(w: World, f: Fields, p: Params, r: number, inUse: Float64Array, rand: () => number): void {
  const K = w.K;
  const lo = w.regionStart[r];
  const size = w.regionStart[r + 1] - lo;
  if (size === 0) return;
  const picks: number[] = [];
  const draws = size <= SAMPLE ? size : SAMPLE;
  let degree = 0;
  for (let m = 0; m < draws; m++) {
    const i = size <= SAMPLE ? lo + m : lo + Math.floor(rand() * size);
    if (w.primary[i] === NO_APP) continue;
    picks.push(i);
    degree += w.net.offsets[i + 1] - w.net.offsets[i];
  }
  const m = picks.length;
  if (m === 0) return;
  degree /= m;
  // Who could add each app (and how surely they would keep it).
  const keep2 = new Float64Array(m * K);
  for (let s = 0; s < m; s++) {
    const i = picks[s];
    for (let a = 0; a < K; a++) if (!(w.status[i * K + a] & ACTIVE)) keep2[s * K + a] = Math.min(1, reach(w, f, i, r, a) / p.dormancyReach) ** 2;
  }
  // Who would let it go: rare (a secondary user with few contacts there), so counted on a larger
  // sample than the trials' (a few reads per person).
  const drops = new Float64Array(K);
  const many = Math.min(size, DROP_SAMPLE);
  let users = 0;
  for (let x = 0; x < many; x++) {
    const i = size <= DROP_SAMPLE ? lo + x : lo + Math.floor(rand() * size);
    const j = w.primary[i];
    if (j === NO_APP) continue;
    users++;
    for (let a = 0; a < K; a++) {
      const st = w.status[i * K + a];
      if (st & ACTIVE && a !== j && !(st & REQUIRED)) drops[a] += 1 - Math.min(1, reach(w, f, i, r, a) / p.dormancyReach);
    }
  }
  for (let a = 0; a < K; a++) drops[a] /= Math.max(1, users);
  // Per sampled person and app: its weight and the sum of the others' (with the option of adding
  // nothing), unnamed and named.
  const W0 = new Float64Array(m * K);
  const R0 = new Float64Array(m * K);
  const Wa = new Float64Array(m * K);
  const Ra = new Float64Array(m * K);
  const fit = new Uint8Array(K);
  for (let a = 0; a < K; a++) fit[a] = inUse[r * K + a] > 0 && f.launched[a] ? 1 : 0;
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (let s = 0; s < m; s++) {
      const i = picks[s];
      const j = w.primary[i];
      const sum = trialWeights(w, f, p, i, r, j, NO_APP);
      for (let a = 0; a < K; a++) {
        W0[s * K + a] = w.scratchU[a];
        R0[s * K + a] = sum - w.scratchU[a];
      }
      for (let a = 0; a < K; a++) {
        if (!fit[a] || keep2[s * K + a] === 0) continue;
        const sa = trialWeights(w, f, p, i, r, j, a);
        Wa[s * K + a] = w.scratchU[a];
        Ra[s * K + a] = sa - w.scratchU[a];
      }
    }
    for (let a = 0; a < K; a++) {
      if (!fit[a]) continue;
      // Gains per reconsideration with the constant moved by d (increasing in d), less the losses.
      const excess = (d: number) => {
        const e = Math.exp(d);
        let p0 = 0;
        let pa = 0;
        for (let s = 0; s < m; s++) {
          const k2 = keep2[s * K + a];
          if (k2 === 0) continue;
          const w0 = W0[s * K + a] * e;
          const wa = Wa[s * K + a] * e;
          if (w0 > 0) p0 += (k2 * w0) / (R0[s * K + a] + w0);
          if (wa > 0) pa += (k2 * wa) / (Ra[s * K + a] + wa);
        }
        p0 /= m;
        pa /= m;
        return p0 + degree * drops[a] * (pa - p0) - drops[a];
      };
      const c = w.addConst[r * K + a];
      let dLo = ADD_FLOOR - c;
      let dHi = -c;
      if (excess(dHi) <= 0) dLo = dHi;
      else if (excess(dLo) >= 0) dHi = dLo;
      for (let it = 0; it < 50 && dHi - dLo > 1e-4; it++) {
        const mid = 0.5 * (dLo + dHi);
        if (excess(mid) < 0) dLo = mid;
        else dHi = mid;
      }
      w.addConst[r * K + a] = c + 0.5 * (dLo + dHi);
    }
  }
}
/** The flows of app a in region r on a sample of its people who use a messenger (TrendFlows). */
export function trendFlows(w: World, f: Fields, p: Params, r: number, a: number, rand: () => number): TrendFlows {
  const K = w.K;
  const lo = w.regionStart[r];
  const size = w.regionStart[r + 1] - lo;
  const out: TrendFlows = { users: 0, perHazard: 0, trials: 0, drops: 0 };
  if (size === 0) return out;
  const kept = (i: number) => Math.min(1, reach(w, f, i, r, a) / p.dormancyReach);
  const draws = size <= SAMPLE ? size : SAMPLE;
  let sampled = 0;
  for (let m = 0; m < draws; m++) {
    const i = size <= SAMPLE ? lo + m : lo + Math.floor(rand() * size);
    const j = w.primary[i];
    if (j === NO_APP) continue;
    sampled++;
    const st = w.status[i * K + a];
    if (st & ACTIVE) {
      out.users++;
      if (a !== j && !(st & REQUIRED)) out.drops += p.considerBase * (1 - kept(i));
      continue;
    }
    if (!canAdopt(w, f, i, r, a)) continue;
    const keep = kept(i);
    out.perHazard += reach(w, f, i, r, a) * keep;
    // A trial is checked at once (the same reconsideration lets apps without contacts go) and again
    // at its review.
    const sum = trialWeights(w, f, p, i, r, j, NO_APP);
    out.trials += (p.considerBase * w.scratchU[a] * keep * keep) / sum;
  }
  if (sampled > 0) {
    out.users /= sampled;
    out.perHazard /= sampled;
    out.trials /= sampled;
    out.drops /= sampled;
  }
  return out;
}
