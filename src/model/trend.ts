// Markets that move before any shock. A scenario may state an app's reported growth in a region
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

/** Fit w.trend for every region and app with a stated trend (after the main apps are assigned). */
export function fitTrends(w: World, f: Fields, p: Params, input: ModelInput, seed: number): void {
  w.trend.fill(0);
  if (!input.regions.some((r) => r.apps.some((a) => (a.trend ?? 0) > 0))) return;
  // How well known each app is, as the first step will see it (the fit reads it through trials).
  const known = w.known.slice();
  const inUse = new Float64Array(w.R * w.K);
  for (let i = 0; i < w.n; i++) for (let a = 0; a < w.K; a++) if (w.status[i * w.K + a] & ACTIVE && f.launched[a]) inUse[w.region[i] * w.K + a]++;
  refreshKnown(w, inUse);
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
