// THE DECISION RULE: what a person does about their messengers.
//
// 1. Reconsidering (at a base rate, more with news, word of mouth, or a main app durably out of
//    reach) a person picks a MAIN APP: the highest of
//      utility of app a = app constant in the region (fitted so the starting market is at rest)
//                       + betaReach   * share of my contacts I can reach on a   (local network effect)
//                       + betaPrivacy * my privacy concern * a's reputation now
//                       + betaQuality * quality + shock effects (throttling, lost calls, promotion)
//                       - betaThreat  * threat of an announced block
//                       - if a is blocked for me: betaAvail, or the hassle of a VPN plus, if I have
//                         not learnt to get round this block, circCost * (hardness - my skill) *
//                         (1 - share of contacts who get round it): whichever is smaller
//                       - betaPrice * price + switchCost * (0.5 + inertia)  if I do not have it yet
//                       + habit if it is my main app now
//                       + my persistent taste for a (Gumbel, scale tasteScale) + momentary noise
//    An outage does not enter: everyone knows it will end. Beside the main app the person keeps the
//    apps enough contacts are on (a blocked one only by learning to get round the block, when its
//    contacts are worth the hassle), lets the others go dormant, and may ADD ONE app (a logit against
//    adding none) for what it offers that the main app lacks now: contacts there, how well known it
//    is in the region (betaKnown x log of its share of users there), being in the news,
//    privacy, features, availability, a threat to the main app; and the app's constant of adding,
//    fitted so that a calm market stays as it is (trend.ts).
// 2. When the main app does not work (an outage, a block, a shutdown), a person who tries to use it
//    notices; most wait. Those who reach for something else (at rate reachOut, times the share of
//    the app's users for whom it fails too: coAffected) choose between waiting, an app they
//    already have, and installing ONE new app: contacts there, how well known it is, or its being
//    named in the news are the reasons to install. Their main app stays what it was.
// Installs and changes of main app tell the person's contacts (word of mouth), naming the app: when
// a told contact next considers adding an app, that one weighs as if the news named it (weight 1;
// the most prominent naming counts, so hearing it from a contact adds nothing to a story naming it).
import type { World } from './world.ts';
import { ACTIVE, EVER, INSTALLED, NO_APP, REQUIRED, contactCirc, isLocal, learnCircumvention, markUsed, setActive, setPrimary, setRequired, signUp, tellLater } from './world.ts';
import { PROXY_EASE, type Fields } from './fields.ts';
import type { Params } from './params.ts';
import type { Rng } from './rng.ts';
import { gumbel, hashUniform } from './rng.ts';

/** Flows of the current step, written by decisions (index r * K + a; universes after the regions). */
export interface StepLedger {
  t: number;
  /** People one agent of region r stands for now. */
  weightNow: Float64Array;
  signups: Float64Array;
  installs: Float64Array;
  /** Per universe u (0-based), index u * R * K + r * K + a. */
  usignups: Float64Array;
  uinstalls: Float64Array;
  /** Main-app switches, index from * K + to; from = K means "no app yet". */
  switches: Float64Array;
  /** Sign-ups each app can still register in this step: per region (r * K + a), worldwide (R * K + a). */
  capacityLeft: Float64Array;
}

/** Access to an app: works, works only by getting round a block, down for now, or durably out of reach. */
export const OK = 0;
export const VIA = 1;
export const DOWN = 2;
export const CUT = 3;

/** Whether app a works for agent i in region r now. */
export function access(w: World, f: Fields, i: number, r: number, a: number): number {
  if (!f.launched[a]) return CUT;
  const k = r * w.K + a;
  let res = OK;
  const h = f.hardness[k];
  if (h >= 0) {
    if (w.circ[i] < h) return CUT;
    res = VIA;
  }
  // One outage cuts the same people off every app it hits (they share servers and networks). (A
  // shutdown of mobile internet, which comes and goes, is not a per-person state: see reachOut.)
  const sev = f.outageSeverity[k];
  if (sev > 0 && hashUniform(f.outageSalt[k], i, 0) < sev) return DOWN;
  return res;
}

/** Share of agent i's contacts reachable on app a (active there, and the app works for them). */
export function reach(w: World, f: Fields, i: number, r: number, a: number): number {
  const n = w.reachCount[i * w.K + a];
  if (n === 0) return 0; // (no contact there: the degree need not be read)
  const deg = w.net.offsets[i + 1] - w.net.offsets[i];
  return deg > 0 ? (n / deg) * f.availShare[r * w.K + a] : 0;
}

/**
 * Share of the users of app a in region r for whom it does not work now (down or cut off). Someone
 * whose app fails while everyone else's works blames their phone and waits; when it fails for
 * most users it is the service (contacts ask, the news says so), and they look elsewhere. An
 * outage hits people at random, so this is also, on average, the share of one's own contacts hit.
 */
export function coAffected(w: World, f: Fields, r: number, a: number): number {
  return 1 - f.availShare[r * w.K + a];
}

/** What installing an app costs agent i (trying something new; more for people set in their ways). */
function switchCost(w: World, p: Params, i: number): number {
  return p.switchCost * (0.5 + w.inertia[i]);
}

/** Agent i's persistent taste for app a: a pure function of the run's seed. */
export function taste(w: World, p: Params, i: number, a: number): number {
  return p.tasteScale * gumbel(hashUniform(w.tasteSalt, i, a));
}

/**
 * Rate (per day) at which agent i reconsiders because of news (not word of mouth or frustration):
 * news for everyone in the region, and news of harm to an app i uses (the loudest such story).
 */
export function newsRate(w: World, f: Fields, p: Params, i: number, r: number): number {
  const K = w.K;
  const base = i * K;
  const rk = r * K;
  let users = 0;
  let usersPrivacy = 0;
  for (let a = 0; a < K; a++) {
    if (!(w.status[base + a] & ACTIVE)) continue;
    if (f.mediaUsers[rk + a] > users) users = f.mediaUsers[rk + a];
    if (f.mediaPrivacyUsers[rk + a] > usersPrivacy) usersPrivacy = f.mediaPrivacyUsers[rk + a];
  }
  return p.considerBase + p.considerMedia * (f.media[r] + users + w.privacy[i] * (f.mediaPrivacy[r] + usersPrivacy));
}

/** Upper bound of newsRate over the agents of region r (for thinning). */
export function newsRateBound(f: Fields, p: Params, r: number): number {
  const K = f.K;
  let users = 0;
  let usersPrivacy = 0;
  for (let a = 0; a < K; a++) {
    users = Math.max(users, f.mediaUsers[r * K + a]);
    usersPrivacy = Math.max(usersPrivacy, f.mediaPrivacyUsers[r * K + a]);
  }
  return p.considerBase + p.considerMedia * (f.media[r] + users + f.mediaPrivacy[r] + usersPrivacy);
}

/**
 * Extra rate (per day) at which a person of region r whose main app is durably out of reach
 * (access CUT) reconsiders. The engine draws them from the tally's list of people cut off.
 */
export function frustrationRate(f: Fields, p: Params, r: number): number {
  return f.durable[r] ? p.considerFrustration : 0;
}

/** Skill needed for a blocked app, or -1; and the one-off cost for agent i of learning to get round it. */
function learnCost(w: World, f: Fields, p: Params, i: number, k: number): number {
  const h = f.hardness[k];
  const gap = h - w.circ[i];
  if (h < 0 || gap <= 0) return 0;
  // Contacts who already get round blocks this hard show how (simple contagion of know-how).
  const { offsets, nbrs } = w.net;
  const o0 = offsets[i];
  const o1 = offsets[i + 1];
  let able = 0;
  for (let x = o0; x < o1; x++) if (contactCirc(w, nbrs[x]) >= h) able++;
  const help = o1 > o0 ? able / (o1 - o0) : 0;
  return p.circCost * gap * (1 - help);
}

/**
 * Hassle (utility) of using app a round a block: a VPN to switch on and off, slower links. An app
 * with a built-in proxy halves it, as it halves the skill needed (PROXY_EASE): no VPN to run.
 */
export function viaHassle(f: Fields, p: Params, a: number): number {
  return p.betaAvail * p.vpnHassle * (f.proxy[a] ? 1 - PROXY_EASE : 1);
}

/** What a durably unreachable app costs agent i: the hassle of a VPN plus learning it, or betaAvail. */
function cutPenalty(w: World, f: Fields, p: Params, i: number, r: number, a: number): { cost: number; learn: boolean } {
  const k = r * w.K + a;
  // Hardness 1 is a block nobody gets round (the scale's end): there is nothing to learn.
  if (f.hardness[k] >= 0 && f.hardness[k] < 1) {
    const c = viaHassle(f, p, a) + learnCost(w, f, p, i, k);
    if (c < p.betaAvail) return { cost: c, learn: true };
  }
  return { cost: p.betaAvail, learn: false };
}

/**
 * Utility of each app as a main app for agent i, into w.scratchU (-Infinity: not a choice);
 * w.scratchW[a] = 1 where choosing a means learning to get
 * round its block. The choice is among the apps in use (switching the main app means having tried
 * the new one first); a newcomer, who uses none, chooses among every app and installs it.
 * `withConstants` = false leaves out the app constants and tastes (used when fitting the constants).
 */
export function mainUtilities(w: World, f: Fields, p: Params, i: number, withConstants = true): void {
  const K = w.K;
  const r = w.region[i];
  const base = i * K;
  const U = w.scratchU;
  const learn = w.scratchW;
  const primary = w.primary[i];
  let inUse = false;
  for (let a = 0; a < K && !inUse; a++) inUse = Boolean(w.status[base + a] & ACTIVE && f.launched[a]);
  for (let a = 0; a < K; a++) {
    learn[a] = 0;
    const st = w.status[base + a];
    const k = r * K + a;
    // Not launched; not in use while other apps are; or a new sign-up to an app that is down.
    if (!f.launched[a] || (inUse && !(st & ACTIVE))) {
      U[a] = -Infinity;
      continue;
    }
    const ac = access(w, f, i, r, a);
    if (!(st & EVER) && (ac === DOWN || f.outageSeverity[k] > 0)) {
      U[a] = -Infinity;
      continue;
    }
    let u = p.betaReach * reach(w, f, i, r, a) + p.betaPrivacy * w.privacy[i] * f.privacy[k] + p.betaQuality * f.quality[a] + f.utility[k];
    u -= p.betaThreat * f.threat[k];
    if (ac === VIA) u -= viaHassle(f, p, a);
    else if (ac === CUT) {
      const c = cutPenalty(w, f, p, i, r, a);
      u -= c.cost;
      learn[a] = c.learn ? 1 : 0;
    }
    if (!(st & INSTALLED)) u -= p.betaPrice * f.price[a] + switchCost(w, p, i);
    if (a === primary) u += p.habit;
    if (withConstants) u += w.asc[k] + taste(w, p, i, a);
    U[a] = u;
  }
}

/** Agent i reconsiders its apps at time t. */
export function reconsider(w: World, f: Fields, p: Params, i: number, rng: Rng, ledger: StepLedger): void {
  const K = w.K;
  const r = w.region[i];
  const base = i * K;
  const U = w.scratchU;
  const primary = w.primary[i];
  let told = false;
  let toldApp = NO_APP;
  // A contact who told me they are on an app names it to me, as the news names apps.
  const heard = w.heard[i];
  w.heard[i] = NO_APP;

  // 1. Perhaps add one app beside the main one, for what it offers that the main app lacks now.
  if (primary !== NO_APP) {
    const c = pickTrial(w, f, p, i, r, primary, heard, rng);
    if (c >= 0) {
      const installed = Boolean(w.status[base + c] & INSTALLED);
      if (register(w, f, i, r, c, ledger)) {
        told = !installed;
        toldApp = c;
        w.wake.scheduleAt(i, ledger.t + p.trialReview * -Math.log(1 - rng()));
      }
    }
  }

  // 2. The main app: the best utility, with a little momentary noise.
  mainUtilities(w, f, p, i);
  let j = -1;
  let best = -Infinity;
  for (let a = 0; a < K; a++) {
    if (U[a] === -Infinity) continue;
    const u = U[a] + p.noise * gumbel(rng());
    if (u > best) {
      best = u;
      j = a;
    }
  }
  if (j < 0) return;
  if (w.scratchW[j]) learnCircumvention(w, i, f.hardness[r * K + j]);
  const st = w.status[base + j];
  if (!(st & INSTALLED) || !(st & EVER)) {
    if (!register(w, f, i, r, j, ledger)) return; // registration overloaded: try again later
    if (!(st & INSTALLED)) {
      told = true;
      toldApp = j;
    }
  } else setActive(w, i, j, true);
  if (j !== primary) {
    ledger.switches[(primary === NO_APP ? K : primary) * K + j] += ledger.weightNow[r];
    setPrimary(w, i, j);
    told = true;
    toldApp = j;
  }

  // 3. Other apps in use stay in use while enough contacts are there (a short outage makes nobody
  //    give up an app). One blocked beyond what the person can get round is kept only if they learn
  //    to get round the block (getsRound); otherwise it goes dormant.
  for (let a = 0; a < K; a++) {
    if (a === j || !(w.status[base + a] & ACTIVE)) continue;
    if (w.status[base + a] & REQUIRED && f.require[r * K + a] > 0) continue;
    const rc = reach(w, f, i, r, a);
    // Access afresh: learning in step 2 may have opened this app too.
    if (access(w, f, i, r, a) === CUT && !getsRound(w, f, p, i, r, a, rc, rng)) {
      setActive(w, i, a, false);
      continue;
    }
    if (rng() >= Math.min(1, rc / p.dormancyReach)) setActive(w, i, a, false);
  }
  if (told) tellContacts(w, p, i, toldApp, ledger.t, rng);
}

/**
 * Agent i keeps app a, which a block puts beyond what they can get round, beside their main app:
 * do they learn to get round it (a VPN, a proxy)? A logit of what the app offers, the contacts
 * they would reach there (rc) and their taste for it, against the hassle and the learning
 * (cutPenalty); true when they learnt. A block nobody can learn to get round is never got round.
 */
function getsRound(w: World, f: Fields, p: Params, i: number, r: number, a: number, rc: number, rng: Rng): boolean {
  const c = cutPenalty(w, f, p, i, r, a);
  if (!c.learn) return false;
  const u = p.betaReach * rc + taste(w, p, i, a) - c.cost;
  if (rng() * (1 + Math.exp(Math.min(50, u))) < 1) return false;
  learnCircumvention(w, i, f.hardness[r * w.K + a]);
  return true;
}

/**
 * Logit choice of one app to add beside main app j (-1: none): what it offers that j lacks now.
 * `heard`: the app a contact just told i about (NO_APP: none), named to i like news names apps.
 */
function pickTrial(w: World, f: Fields, p: Params, i: number, r: number, j: number, heard: number, rng: Rng): number {
  const W = w.scratchU;
  const sum = trialWeights(w, f, p, i, r, j, heard);
  let pick = rng() * sum - 1;
  if (pick < 0) return -1;
  for (let c = 0; c < w.K; c++) {
    pick -= W[c];
    if (pick < 0 && W[c] > 0) return c;
  }
  return -1;
}

/**
 * The weights of pickTrial's logit into w.scratchU (0: not a choice), and their sum with the
 * option of adding nothing (weight 1): the chance to add c is scratchU[c] / sum.
 */
export function trialWeights(w: World, f: Fields, p: Params, i: number, r: number, j: number, heard: number): number {
  const K = w.K;
  const base = i * K;
  const rj = r * K + j;
  const aj = access(w, f, i, r, j);
  const mainPenalty = aj === VIA ? viaHassle(f, p, j) : aj === CUT ? cutPenalty(w, f, p, i, r, j).cost : 0;
  const mainSide = p.betaPrivacy * w.privacy[i] * f.privacy[rj] + f.utility[rj] + p.betaQuality * f.quality[j] - p.betaThreat * f.threat[rj] - mainPenalty;
  let sum = 1; // the option of adding nothing
  // The adding constants hold back the adds a market at rest does not have; someone whose main
  // app is durably out of reach is not at rest: what kept them off the other apps gives way.
  const atRest = aj !== CUT;
  const W = w.scratchU;
  for (let c = 0; c < K; c++) {
    W[c] = 0;
    const k = r * K + c;
    // Apps in use, not launched, down anywhere in the region or in the news for failing (a story
    // of an outage makes nobody try the app that failed, while the story lasts), not working.
    if (c === j || !f.launched[c] || w.status[base + c] & ACTIVE || f.outageSeverity[k] > 0 || f.failing[k] > 0) continue;
    const ac = access(w, f, i, r, c);
    if (ac === DOWN || ac === CUT) continue;
    let u =
      p.trialBias +
      (atRest ? w.addConst[k] : 0) +
      p.betaReach * reach(w, f, i, r, c) +
      p.betaKnown * w.known[k] +
      p.betaMention * (c === heard ? Math.max(f.salience[k], 1) : f.salience[k]) +
      p.betaPrivacy * w.privacy[i] * f.privacy[k] +
      f.utility[k] +
      p.betaQuality * f.quality[c] -
      p.betaThreat * f.threat[k] -
      (ac === VIA ? viaHassle(f, p, c) : 0) -
      mainSide +
      taste(w, p, i, c);
    if (!(w.status[base + c] & INSTALLED)) u -= p.betaPrice * f.price[c] + switchCost(w, p, i);
    W[c] = Math.exp(Math.min(50, u));
    sum += W[c];
  }
  return sum;
}

/**
 * Agent i's main app does not work now and they reach for something else: wait, use an app they
 * have, or install one (a logit; waiting has utility 0). The main app stays what it was. `offline`:
 * they are cut off from mobile internet today, so only exempt apps and apps for slow links work.
 */
export function reachOut(w: World, f: Fields, p: Params, i: number, rng: Rng, ledger: StepLedger, offline = false): void {
  const K = w.K;
  const r = w.region[i];
  const base = i * K;
  const primary = w.primary[i];
  const W = w.scratchU;
  let sum = 1;
  for (let a = 0; a < K; a++) {
    W[a] = 0;
    const k = r * K + a;
    // (The tests that need no state of i come first: access reads i's skill.)
    if (a === primary || !f.launched[a] || (offline && f.netHits[k]) || (!(w.status[base + a] & EVER) && f.outageSeverity[k] > 0)) continue;
    const ac = access(w, f, i, r, a);
    if (ac === DOWN || ac === CUT) continue;
    let u = p.betaNeed + p.betaReach * reach(w, f, i, r, a) + p.betaKnown * w.known[k] + taste(w, p, i, a) - (ac === VIA ? viaHassle(f, p, a) : 0);
    if (!(w.status[base + a] & INSTALLED)) {
      u += p.betaMention * f.salience[k] - p.betaPrice * f.price[a] - switchCost(w, p, i);
    }
    W[a] = Math.exp(Math.min(50, u));
    sum += W[a];
  }
  let pick = rng() * sum - 1;
  if (pick < 0) return; // waits
  let c = -1;
  for (let a = 0; a < K; a++) {
    pick -= W[a];
    if (pick < 0 && W[a] > 0) {
      c = a;
      break;
    }
  }
  if (c < 0) return;
  const installed = Boolean(w.status[base + c] & INSTALLED);
  if (!register(w, f, i, r, c, ledger)) return;
  markUsed(w, i, c, Math.floor(ledger.t + 1e-9));
  if (!installed) {
    w.wake.scheduleAt(i, ledger.t + p.trialReview * -Math.log(1 - rng()));
    tellContacts(w, p, i, c, ledger.t, rng);
  }
}

/**
 * Background adoption (the scenario's trend): agent i takes up app a for reasons the model does
 * not follow (its content, new contacts), through contacts already there. Like a trial, it is
 * reviewed after a while (kept while enough contacts are there); unlike a trial it tells nobody:
 * the trend is fitted as it stands and must not feed a cascade of its own.
 */
export function adoptInBackground(w: World, f: Fields, p: Params, i: number, r: number, a: number, rng: Rng, ledger: StepLedger): void {
  if (register(w, f, i, r, a, ledger)) w.wake.scheduleAt(i, ledger.t + p.trialReview * -Math.log(1 - rng()));
}

/** Whether app a can be taken up in the background by agent i now (not used yet, and it works). */
export function canAdopt(w: World, f: Fields, i: number, r: number, a: number): boolean {
  const k = r * w.K + a;
  if (w.primary[i] === NO_APP || w.status[i * w.K + a] & ACTIVE || f.outageSeverity[k] > 0 || f.failing[k] > 0) return false;
  const ac = access(w, f, i, r, a);
  return ac === OK || ac === VIA;
}

/** Agent i is required to use app a (school, work, public services): it installs it and keeps it. */
export function require(w: World, f: Fields, i: number, r: number, a: number, ledger: StepLedger): void {
  if (register(w, f, i, r, a, ledger)) setRequired(w, i, a);
}

/**
 * Put app a in use for agent i. A first install (or the first opening of a pre-installed app) is
 * an install and a sign-up, and needs registration capacity: false when there is none left now.
 */
function register(w: World, f: Fields, i: number, r: number, a: number, ledger: StepLedger): boolean {
  const K = w.K;
  const b = i * K + a;
  const st = w.status[b];
  if (st & INSTALLED && st & EVER) {
    setActive(w, i, a, true);
    return true;
  }
  const wt = ledger.weightNow[r];
  const rk = r * K + a;
  const wk = w.R * K + a;
  if (!(st & EVER)) {
    if (ledger.capacityLeft[rk] < wt || ledger.capacityLeft[wk] < wt) return false;
    ledger.capacityLeft[rk] -= wt;
    ledger.capacityLeft[wk] -= wt;
    ledger.signups[rk] += wt;
  }
  ledger.installs[rk] += wt;
  if (w.U > 0) {
    const m = w.universe[i];
    const RK = w.R * K;
    for (let u = 0; u < w.U; u++) {
      if (!(m & (1 << u))) continue;
      if (!(st & EVER)) ledger.usignups[u * RK + rk] += wt;
      ledger.uinstalls[u * RK + rk] += wt;
    }
  }
  signUp(w, i, a);
  setActive(w, i, a, true);
  return true;
}

/** Word of mouth: contacts of i hear that i installed or moved to app a, and may reconsider. */
function tellContacts(w: World, p: Params, i: number, app: number, t: number, rng: Rng): void {
  const o1 = w.net.offsets[i + 1];
  for (let x = w.net.offsets[i]; x < o1; x++) {
    const j = w.net.nbrs[x];
    if (isLocal(w, j)) hear(w, p, j, app, t, rng);
    else tellLater(w, j, app, t);
  }
}

/**
 * Contact j hears at time t that someone they know installed or moved to app `app`: the app is
 * named to them (heard), attention, a wake-up.
 */
export function hear(w: World, p: Params, j: number, app: number, t: number, rng: Rng): void {
  w.heard[j] = app;
  const a = w.attn[j];
  const att = (a === 0 ? 0 : a * Math.exp(-p.womDecay * (t - w.attnT[j]))) + 1;
  w.attn[j] = att;
  w.attnT[j] = t;
  w.wake.schedule(j, t, att, p.womRate, p.womDecay, rng);
}
