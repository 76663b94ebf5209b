// THE DECISION RULE: what a person does when they (re)consider their messengers.
//
//   utility of app a = constant of the app in the region (fitted to the initial market shares)
//                    + betaReach   * share of my contacts active on a        (local network effect)
//                    + betaPrivacy * my privacy concern * a's reputation now
//                    + shock effects (throttling, lost features, promotion)   (Fields.utility)
//                    - betaThreat  * threat of an announced block
//                    - betaAvail   if a does not work for me now (outage; block I cannot get round)
//                    - betaAvail * vpnHassle   if I reach it only through a VPN/proxy
//                    - betaPrice * price + switchCost * (0.5 + inertia)   if I do not have it yet
//                    + habit       if a is my primary app now
//
// The person picks a primary app by logit choice; if they do not have it they install it (a
// sign-up the first time, if the app has capacity left). Beside it they may try other apps
// (trialUtility: contacts there, and what the main app lacks right now: privacy, features,
// availability); secondary apps stay in use while enough contacts are on them. Installs and
// switches tell the person's contacts (word of mouth).
import type { World } from './world.ts';
import { ACTIVE, EVER, INSTALLED, NO_APP } from './world.ts';
import type { Fields } from './fields.ts';
import type { Params } from './params.ts';
import type { Rng } from './rng.ts';
import { hashUniform } from './rng.ts';

/** Flows of the current step, written by decisions (index r * K + a). */
export interface StepLedger {
  t: number;
  signups: Float64Array;
  installs: Float64Array;
  /** Primary-app switches, index from * K + to; from = K means "no app yet". */
  switches: Float64Array;
  /** Sign-ups each app can still register in this step (people). */
  capacityLeft: Float64Array;
}

/** Whether app a works for agent i now: 0 no, 1 yes, 2 yes but only by getting round a block. */
export function access(w: World, f: Fields, i: number, r: number, a: number): 0 | 1 | 2 {
  if (!f.launched[a]) return 0;
  const k = r * w.K + a;
  const sev = f.outageSeverity[k];
  if (sev > 0 && hashUniform(f.outageSalt[k], i, a) < sev) return 0;
  const hard = f.blockHardness[k];
  if (hard >= 0) return w.skill[i] >= hard ? 2 : 0;
  return 1;
}

/** Current word-of-mouth attention of agent i (decays lazily). */
export function attentionNow(w: World, i: number, t: number, p: Params): number {
  const a = w.attn[i];
  return a === 0 ? 0 : a * Math.exp(-p.womDecay * (t - w.attnT[i]));
}

/** Rate (per day) at which agent i reconsiders because of news and frustration (not word of mouth). */
export function considerRate(w: World, f: Fields, p: Params, i: number, r: number): number {
  let rate = p.considerBase + p.considerMedia * (f.media[r] + 2 * w.privacy[i] * f.mediaPrivacy[r]);
  const pa = w.primary[i];
  if (f.disrupted[r] && pa !== NO_APP && access(w, f, i, r, pa) === 0) rate += p.considerFrustration;
  return rate;
}

/** Upper bound of considerRate over the agents of region r (for thinning). */
export function considerRateBound(f: Fields, p: Params, r: number): number {
  return (
    p.considerBase +
    p.considerMedia * (f.media[r] + 2 * f.mediaPrivacy[r]) +
    (f.disrupted[r] ? p.considerFrustration : 0)
  );
}

/**
 * Fill w.scratchU with agent i's utility of each app divided by the logit scale (-Infinity for apps
 * not launched), w.scratchReach with the share of contacts on each app and w.scratchAccess.
 * `withConstants` = false leaves out the app constants (used when fitting them).
 */
export function utilities(w: World, f: Fields, p: Params, i: number, withConstants = true): void {
  const K = w.K;
  const r = w.region[i];
  const base = i * K;
  const reach = w.scratchReach;
  const U = w.scratchU;
  const acc = w.scratchAccess;

  // Share of my contacts active on each app.
  reach.fill(0);
  const o0 = w.net.offsets[i];
  const o1 = w.net.offsets[i + 1];
  for (let x = o0; x < o1; x++) {
    const jb = w.net.nbrs[x] * K;
    for (let a = 0; a < K; a++) if (w.status[jb + a] & ACTIVE) reach[a]++;
  }
  const deg = o1 - o0;
  if (deg > 0) for (let a = 0; a < K; a++) reach[a] /= deg;

  const primary = w.primary[i];
  const cost = p.switchCost * (0.5 + w.inertia[i]);
  for (let a = 0; a < K; a++) {
    acc[a] = access(w, f, i, r, a);
    if (!f.launched[a]) {
      U[a] = -Infinity;
      continue;
    }
    const k = r * K + a;
    const pl = w.platforms[a];
    let u = p.betaReach * reach[a] + p.betaPrivacy * w.privacy[i] * f.privacy[k] + f.utility[k];
    if (withConstants) u += w.asc[k];
    u -= p.betaThreat * f.threat[k];
    if (acc[a] === 0) u -= p.betaAvail;
    else if (acc[a] === 2) u -= p.betaAvail * p.vpnHassle;
    if (!(w.status[base + a] & INSTALLED)) u -= p.betaPrice * pl.price + cost;
    if (a === primary) u += p.habit;
    U[a] = u / p.logitScale;
  }
}

/** Agent i reconsiders its apps at time t. */
export function decide(w: World, f: Fields, p: Params, i: number, rng: Rng, ledger: StepLedger): void {
  const K = w.K;
  const r = w.region[i];
  const base = i * K;
  const reach = w.scratchReach;
  const U = w.scratchU;
  const primary = w.primary[i];
  utilities(w, f, p, i);
  let best = -Infinity;
  for (let a = 0; a < K; a++) if (U[a] > best) best = U[a];

  // Logit choice of the primary app.
  let sum = 0;
  for (let a = 0; a < K; a++) {
    U[a] = U[a] === -Infinity ? 0 : Math.exp(U[a] - best);
    sum += U[a];
  }
  let pick = rng() * sum;
  let j = 0;
  for (; j < K - 1; j++) {
    pick -= U[j];
    if (pick < 0) break;
  }
  while (U[j] === 0 && j > 0) j--; // numerical edge: never pick an app that is not available

  const wt = w.weight[r];
  const rk = r * K;
  let told = false;
  const st = w.status[base + j];
  if (!(st & INSTALLED)) {
    if (ledger.capacityLeft[j] < wt) return; // registration overloaded: try again later
    ledger.capacityLeft[j] -= wt;
    ledger.installs[rk + j] += wt;
    if (!(st & EVER)) ledger.signups[rk + j] += wt;
    w.status[base + j] = st | INSTALLED | ACTIVE | EVER;
    told = true;
  } else {
    // A pre-installed app registers its user on first use.
    if (!(st & EVER)) ledger.signups[rk + j] += wt;
    w.status[base + j] = st | ACTIVE | EVER;
  }

  if (j !== primary) {
    ledger.switches[(primary === NO_APP ? K : primary) * K + j] += wt;
    w.primary[i] = j;
    told = true;
  }

  // Secondary apps. One in use stays in use while enough contacts are there (and it can be reached
  // at all: a short outage makes nobody give up an app, a block one cannot get round does). One not
  // in use - not installed, or installed and dormant - is tried with probability sigmoid(W): people
  // add an app beside their main one for what the main one lacks right now.
  const acc = w.scratchAccess;
  const p0 = primary === NO_APP ? -1 : primary;
  for (let a = 0; a < K; a++) {
    if (a === j) continue;
    const s = w.status[base + a];
    if (s & ACTIVE) {
      const blockedForMe = f.blockHardness[rk + a] >= 0 && w.skill[i] < f.blockHardness[rk + a];
      const keep = blockedForMe || !f.launched[a] ? 0 : Math.min(1, reach[a] / p.dormancyReach);
      if (rng() >= keep) w.status[base + a] = s & ~ACTIVE;
      continue;
    }
    if (!f.launched[a] || acc[a] === 0 || a === p0) continue;
    const W = trialUtility(w, f, p, i, a, p0, !(s & INSTALLED));
    if (rng() * (1 + Math.exp(-W)) >= 1) continue;
    if (!(s & INSTALLED)) {
      if (ledger.capacityLeft[a] < wt) continue;
      ledger.capacityLeft[a] -= wt;
      ledger.installs[rk + a] += wt;
      told = true;
    }
    if (!(s & EVER)) ledger.signups[rk + a] += wt;
    w.status[base + a] = s | INSTALLED | ACTIVE | EVER;
  }

  if (told) tellContacts(w, p, i, ledger.t, rng);
}

/**
 * Utility of trying app a beside the main app p0 (-1: none yet): contacts on it, what it offers
 * that the main app lacks now (privacy, features, availability), against the cost of installing.
 */
export function trialUtility(w: World, f: Fields, p: Params, i: number, a: number, p0: number, notInstalled: boolean): number {
  const rk = w.region[i] * w.K;
  const acc = w.scratchAccess;
  let W = p.trialBias + p.betaReach * w.scratchReach[a] + p.betaPrivacy * w.privacy[i] * f.privacy[rk + a] + f.utility[rk + a];
  W -= p.betaThreat * f.threat[rk + a] + p.betaAvail * unavailability(acc[a], p);
  if (p0 >= 0) {
    W -= p.betaPrivacy * w.privacy[i] * f.privacy[rk + p0] + f.utility[rk + p0];
    W += p.betaThreat * f.threat[rk + p0] + p.betaAvail * unavailability(acc[p0], p);
  }
  if (notInstalled) W -= p.betaPrice * w.platforms[a].price + p.switchCost * (0.5 + w.inertia[i]);
  return W;
}

/** How unavailable an app is to a person: 1 not at all, vpnHassle only round a block, 0 fine. */
function unavailability(access: number, p: Params): number {
  return access === 0 ? 1 : access === 2 ? p.vpnHassle : 0;
}

/** Word of mouth: contacts of i hear that i installed or switched, and may reconsider. */
function tellContacts(w: World, p: Params, i: number, t: number, rng: Rng): void {
  const o1 = w.net.offsets[i + 1];
  for (let x = w.net.offsets[i]; x < o1; x++) {
    const j = w.net.nbrs[x];
    const att = attentionNow(w, j, t, p) + p.womKick;
    w.attn[j] = att;
    w.attnT[j] = t;
    w.wake.schedule(j, t, att, p.considerWom, p.womDecay, rng);
  }
}
