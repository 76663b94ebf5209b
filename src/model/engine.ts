// The simulation loop. Per step: shocks set the fields; people reconsider (news and frustration via
// thinning of a region-level rate, word of mouth and trial reviews via a calendar, newcomers via
// arrivals); people whose main app does not work reach for something else; only agents with
// something to decide are touched. Once a day a sweep takes the share of each app's users who can
// still reach it and, at observation times, the stock metrics from counters kept up to date as
// people change their apps (tally.ts): its cost does not grow with the number of agents.
import type { Params } from './params.ts';
import type { ModelInput } from './input.ts';
import { makeRng, binomial } from './rng.ts';
import { makeFields, resetFields, type Fields } from './fields.ts';
import { applyShocks } from './shocks/index.ts';
import { createWorld, assignMainApps } from './population.ts';
import { access, coAffected, frustrationRate, newsRate, newsRateBound, reachOut, reconsider, require, CUT, type StepLedger } from './decide.ts';
import { NO_APP, preinstall, type World } from './world.ts';
import { STOCK_METRICS, type RunResult, type StockMetric, type UniverseSeries } from './results.ts';
import { DAU_Q, DAU_UNIT, IN_USE, N_ACTIVE, N_INSTALLED, N_PRIMARY, N_USERS, REACHABLE, SLOTS, refreshKnown, type Tally } from './tally.ts';
import { verifyTally } from './tally-check.ts';
import { AgentBatch } from './order.ts';

export interface RunOptions {
  seed: number;
  agents?: number;
  /**
   * Progress: the share done (0..1) of building the world (phase 'build') and of the steps
   * ('run', from 0 once the world is built), at most about 200 times per phase.
   */
  onProgress?: (done: number, phase: 'build' | 'run') => void;
  /** Verify the incremental counters against a full scan at every daily sweep (slow; for tests). */
  check?: boolean;
}

/**
 * The steps of a run: start time and length (days) of each. Steps follow the scenario's step and
 * schedule, and are cut at every shock's start and end, so that a shock shorter than a step (a
 * 4-hour outage in daily steps, an announcement a few hours before a block) is never skipped.
 */
export function stepPlan(input: Pick<ModelInput, 'days' | 'step' | 'schedule' | 'shocks'>): { t: Float64Array; dt: Float64Array } {
  const T = input.days;
  const changes = input.schedule;
  const cuts = [...new Set(input.shocks.flatMap((s) => [s.start, s.end]).filter((x) => x > 1e-9 && x < T - 1e-9))].sort((a, b) => a - b);
  const ts: number[] = [];
  const dts: number[] = [];
  let dt = input.step;
  let t = 0;
  let next = 0;
  let cut = 0;
  while (t < T - 1e-9) {
    while (next < changes.length && changes[next].at <= t + 1e-9) dt = changes[next++].dt;
    while (cut < cuts.length && cuts[cut] <= t + 1e-9) cut++;
    // The step ends at the next of: a full step, the end, a change of step length, a shock's
    // boundary; landing exactly on the boundary (no drift of sums of floating-point steps).
    let to = Math.min(t + dt, T);
    if (next < changes.length && changes[next].at < to - 1e-9) to = changes[next].at;
    if (cut < cuts.length && cuts[cut] < to - 1e-9) to = cuts[cut];
    ts.push(t);
    dts.push(to - t);
    t = to;
  }
  return { t: Float64Array.from(ts), dt: Float64Array.from(dts) };
}

export function simulate(input: ModelInput, p: Params, opts: RunOptions, meta: { hash: string }): RunResult {
  const wall0 = performance.now();
  const seed = opts.seed;
  const plan = stepPlan(input);
  const S = plan.t.length;
  const T = S ? plan.t[S - 1] + plan.dt[S - 1] : 0;
  const w = createWorld(input, opts.agents ?? input.agents, seed, plan.t, T);
  const { K, R, U } = w;
  const RK = R * K;
  const f = makeFields(R, K);
  const setFields = (t: number) => {
    resetFields(f, input.platforms, t);
    applyShocks(input.shocks, t, f, p);
  };
  // App constants are fitted to the world before any shock: a shock under way at the start (e.g.
  // a promotion) must move people, not be absorbed into the constants.
  resetFields(f, input.platforms, 0);
  assignMainApps(w, f, p, input, seed);
  setFields(0);
  w.tally.start(w, f, p);
  if (opts.check) w.tally.shadowLastActive = Int32Array.from(w.lastActive);
  const pass = new Float64Array(RK).fill(1);
  const buildMs = performance.now() - wall0;
  opts.onProgress?.(0, 'run');

  const observe = input.observe;
  const O = Math.floor(T / observe + 1e-9) + 1 + 1; // t = 0, every `observe`, and the end
  const newStocks = () => Object.fromEntries(STOCK_METRICS.map((m) => [m, new Float64Array(O * RK)])) as RunResult['stocks'];
  const stocks = newStocks();
  const ustocks = Array.from({ length: U }, newStocks);
  const obsTimes = new Float64Array(O);
  const offline = new Float64Array(O * R);
  const signups = new Float64Array(S * RK);
  const installs = new Float64Array(S * RK);
  const usignups = new Float64Array(S * U * RK);
  const uinstalls = new Float64Array(S * U * RK);
  const switches = new Float64Array((K + 1) * K);
  const weightNow = new Float64Array(R);
  const ledger: StepLedger = {
    t: 0,
    weightNow,
    signups: new Float64Array(RK),
    installs: new Float64Array(RK),
    usignups: new Float64Array(U * RK),
    uinstalls: new Float64Array(U * RK),
    switches,
    capacityLeft: new Float64Array(RK + K),
  };
  const rng = makeRng(seed, 'steps');
  const arrival = input.regions.map((r) => r.arrival);
  const setWeights = (t: number) => {
    for (let r = 0; r < R; r++) weightNow[r] = w.weight[r] * Math.exp(w.growth[r] * t);
  };

  let obs = 0;
  const observeNow = (t: number) => {
    setWeights(t);
    sweep(w, f, p, Math.floor(t + 1e-9), pass, { stocks, ustocks, at: obs * RK }, opts.check);
    for (let r = 0; r < R; r++) offline[obs * R + r] = w.waitingCount[r] * weightNow[r];
    obsTimes[obs++] = t;
  };
  observeNow(0);
  let nextObs = observe;
  let lastSweepDay = 0;
  let progressMark = 0;
  const batch = new AgentBatch();

  for (let step = 0; step < S; step++) {
    const t = plan.t[step];
    const dt = plan.dt[step];
    const mid = t + dt / 2;
    setFields(t);
    w.tally.refresh(w, f, false);
    setWeights(t);
    // Reach: the share of an app's users who can reach it (blocks, shutdowns: from the last sweep;
    // an outage: its severity).
    for (let r = 0; r < R; r++) {
      for (let a = 0; a < K; a++) {
        const k = r * K + a;
        f.availShare[k] = pass[k] * (1 - f.outageSeverity[k]) * (f.netHits[k] ? 1 - f.netCut[r] : 1);
      }
    }
    refreshKnown(w);
    ledger.t = t;
    // This step's flows are written into the ledger's own arrays, then copied (no views per step).
    ledger.signups.fill(0);
    ledger.installs.fill(0);
    ledger.usignups.fill(0);
    ledger.uinstalls.fill(0);
    // Registration capacity of the step. What was left unused is carried into the next step, up to
    // one agent's weight: a capacity smaller than one agent per step would otherwise register
    // nobody in a small run and some people in a large one (results would depend on the agents).
    let wMax = 0;
    for (let r = 0; r < R; r++) wMax = Math.max(wMax, weightNow[r]);
    for (let k = 0; k < RK + K; k++) {
      const left = Math.max(0, ledger.capacityLeft[k]);
      ledger.capacityLeft[k] = f.capacity[k] * 24 * dt + Math.min(left, k < RK ? weightNow[Math.floor(k / K)] : wMax);
    }

    // People drawn in this step are visited in index order (order.ts: memory locality).
    const tally = w.tally;
    for (let r = 0; r < R; r++) {
      const a0 = w.regionStart[r];
      const size = w.regionStart[r + 1] - a0;
      // 1. News and frustration, as one thinned process: candidates at the region's upper-bound
      //    rate (news, plus frustration where some main apps are durably out of reach), each kept
      //    with probability (own rate / bound). Cost is proportional to the people who reconsider:
      //    the candidates' share that only frustration could keep is drawn from the tally's list of
      //    people cut off, the rest from the whole region, with the same chances as one pass.
      const boundN = newsRateBound(f, p, r);
      const fr = frustrationRate(f, p, r);
      const bound = boundN + fr;
      const q = 1 - Math.exp(-bound * dt);
      const k = binomial(rng, size, fr > 0 ? (q * boundN) / bound : q);
      batch.clear();
      for (let m = 0; m < k; m++) batch.push(a0 + Math.floor(rng() * size));
      batch.sort();
      for (let m = 0; m < k; m++) {
        const i = batch.buf[m];
        if (w.primary[i] === NO_APP || (fr > 0 && tally.isCut(w, i))) continue;
        if (rng() * boundN < newsRate(w, f, p, i, r)) reconsider(w, f, p, i, rng, ledger);
      }
      // People cut off, drawn from the list as it is now; someone who has moved on by their turn
      // is a miss, so everyone in the list keeps the same chance.
      const cut0 = fr > 0 ? tally.nCut[r] : 0;
      const kf = binomial(rng, cut0, q);
      batch.clear();
      for (let m = 0; m < kf; m++) batch.push(tally.aList[a0 + Math.floor(rng() * cut0)]);
      batch.sort();
      for (let m = 0; m < kf; m++) {
        const i = batch.buf[m];
        if (tally.isCut(w, i) && rng() * bound < newsRate(w, f, p, i, r) + fr) reconsider(w, f, p, i, rng, ledger);
      }
      // 2a. Mobile-internet shutdowns: on a given day a share netCut of people is cut off; those
      //     whose main app it hits, and who would use it today, reach for an app that still works.
      const cutShare = f.netCut[r];
      if (cutShare > 0) {
        const ks = binomial(rng, size, 1 - Math.exp(-p.reachOut * cutShare * dt));
        batch.clear();
        for (let m = 0; m < ks; m++) batch.push(a0 + Math.floor(rng() * size));
        batch.sort();
        for (let m = 0; m < ks; m++) {
          const i = batch.buf[m];
          const pa = w.primary[i];
          if (pa === NO_APP || !f.netHits[r * K + pa]) continue;
          if (rng() < Math.min(1, p.usePrimary * w.activity[i])) reachOut(w, f, p, i, rng, ledger, true);
        }
      }
      // 2. Main app not working (cut off or down; the tally's lists): people who try to use it
      //    notice (use is spread over the day: the chance to have noticed grows with the time since
      //    it failed); they reach for something else at rate reachOut.
      if (!f.disrupted[r]) continue;
      const nc = tally.nCut[r];
      const nAff = nc + tally.nDown[r];
      const a1 = w.regionStart[r + 1] - nAff; // where the down list begins, minus the cut list
      const kr = binomial(rng, nAff, 1 - Math.exp(-p.reachOut * dt));
      batch.clear();
      for (let m = 0; m < kr; m++) {
        const x = Math.floor(rng() * nAff);
        batch.push(tally.aList[x < nc ? a0 + x : a1 + x]);
      }
      batch.sort();
      // reachOut changes neither main apps nor access, so these people stay in the lists.
      for (let m = 0; m < kr; m++) {
        const i = batch.buf[m];
        const pa = w.primary[i];
        const use = Math.min(1, p.usePrimary * w.activity[i]);
        const noticed = use * (1 - Math.exp(-p.sessionsPerDay * Math.max(0, mid - f.downSince[r * K + pa])));
        if (rng() < noticed * coAffected(w, f, r, pa)) reachOut(w, f, p, i, rng, ledger);
      }
    }

    // 3. Word of mouth and trial reviews: people who are due now (a kick since they were filed
    //    redraws their time: then they are no longer due now).
    w.wake.current = step;
    batch.clear();
    w.wake.drain(step, batch);
    batch.sort();
    for (let m = 0; m < batch.n; m++) {
      const i = batch.buf[m];
      if (w.wake.due[i] !== step) continue;
      w.wake.due[i] = -1;
      if (w.primary[i] !== NO_APP) reconsider(w, f, p, i, rng, ledger);
    }

    // 4. Newcomers: people starting to use a messenger at all (market growth).
    for (let r = 0; r < R; r++) {
      const wc = w.waitingCount[r];
      if (wc === 0 || arrival[r] === 0) continue;
      const k = binomial(rng, wc, 1 - Math.exp(-arrival[r] * dt));
      const list = w.regionStart[r];
      for (let m = 0; m < k && w.waitingCount[r] > 0; m++) {
        const idx = Math.floor(rng() * w.waitingCount[r]);
        const i = w.waiting[list + idx];
        reconsider(w, f, p, i, rng, ledger);
        // Only people who got an app leave the queue (a full registration server turns some away).
        if (w.primary[i] !== NO_APP) w.waiting[list + idx] = w.waiting[list + --w.waitingCount[r]];
      }
    }

    // 5. Pre-installs (a promoted app installed for people, dormant until they open it: then it is
    //    their install and sign-up) and people required to use an app.
    for (let r = 0; r < R; r++) {
      const a0 = w.regionStart[r];
      const size = w.regionStart[r + 1] - a0;
      for (let a = 0; a < K; a++) {
        if (!f.launched[a]) continue;
        const pre = f.preinstall[r * K + a];
        if (pre > 0) {
          const k = binomial(rng, size, 1 - Math.exp(-pre * dt));
          for (let m = 0; m < k; m++) preinstall(w, a0 + Math.floor(rng() * size), a);
        }
        const req = f.require[r * K + a];
        if (req > 0) {
          const k = binomial(rng, size, 1 - Math.exp(-req * dt));
          for (let m = 0; m < k; m++) {
            const i = a0 + Math.floor(rng() * size);
            if (w.primary[i] !== NO_APP && access(w, f, i, r, a) !== CUT) require(w, f, i, r, a, ledger);
          }
        }
      }
    }

    signups.set(ledger.signups, step * RK);
    installs.set(ledger.installs, step * RK);
    usignups.set(ledger.usignups, step * U * RK);
    uinstalls.set(ledger.uinstalls, step * U * RK);

    // 6. Daily activity sweep and observations at the end of the step.
    const tEnd = t + dt;
    const day = Math.floor(tEnd + 1e-9);
    if (tEnd >= nextObs - 1e-9 || step === S - 1) {
      setFields(tEnd);
      observeNow(tEnd);
      lastSweepDay = day;
      while (nextObs <= tEnd + 1e-9) nextObs += observe;
    } else if (day > lastSweepDay) {
      setFields(tEnd);
      sweep(w, f, p, day, pass, null, opts.check);
      lastSweepDay = day;
    }

    if (opts.onProgress && step + 1 >= progressMark) {
      opts.onProgress((step + 1) / S, 'run');
      progressMark = step + 1 + Math.max(1, Math.floor(S / 200));
    }
  }

  const universes: UniverseSeries[] = input.universes.map((name, u) => ({
    name,
    population: input.regions.map((reg) => reg.population * reg.universeShare[u]),
    flows: { signups: sliceUniverse(usignups, S, U, u, RK), installs: sliceUniverse(uinstalls, S, U, u, RK) },
    stocks: Object.fromEntries(Object.entries(ustocks[u]).map(([m, v]) => [m, v.slice(0, obs * RK)])) as RunResult['stocks'],
  }));
  return {
    scenario: { name: input.name, title: input.title, hash: meta.hash, projection: input.projection },
    seed,
    agents: w.n,
    weights: Array.from(w.weight),
    params: p,
    startMs: input.startMs,
    regions: w.regionIds,
    platforms: w.platforms.map((pl) => pl.id),
    population: Array.from(w.population),
    growth: Array.from(w.growth),
    stepTimes: plan.t,
    stepDt: plan.dt,
    flows: { signups, installs },
    obsTimes: obsTimes.slice(0, obs),
    stocks: Object.fromEntries(Object.entries(stocks).map(([m, v]) => [m, v.slice(0, obs * RK)])) as RunResult['stocks'],
    universes,
    offline: offline.slice(0, obs * R),
    switches,
    wallMs: performance.now() - wall0,
    buildMs,
  };
}

/** Universe u's per-step flows out of the interleaved per-step buffer (step, universe, region, app). */
function sliceUniverse(buf: Float64Array, S: number, U: number, u: number, RK: number): Float64Array {
  const out = new Float64Array(S * RK);
  for (let s = 0; s < S; s++) out.set(buf.subarray((s * U + u) * RK, (s * U + u + 1) * RK), s * RK);
  return out;
}

interface SweepOut {
  stocks: RunResult['stocks'];
  ustocks: RunResult['stocks'][];
  at: number;
}

/**
 * Once a day: people in use of an app they can reach used it today, and `pass` gets the share of
 * each app's users who can reach it (blocks, shutdowns). With `out`, also write the stock metrics at
 * offset `at` (index r * K + a), weighted to real people. All of it reads the tally's counters.
 */
function sweep(w: World, f: Fields, p: Params, day: number, pass: Float64Array, out: SweepOut | null, check = false): void {
  const { K, R, U } = w;
  const RK = R * K;
  const t = w.tally;
  t.sweep(w, f, day);
  if (check) verifyTally(w, f, p, day);
  for (let k = 0; k < RK; k++) {
    const inUse = t.c[k * SLOTS + IN_USE];
    pass[k] = inUse > 0 ? t.c[k * SLOTS + REACHABLE] / inUse : 1;
  }
  if (!out) return;
  for (let r = 0; r < R; r++) {
    const wt = w.weight[r] * Math.exp(w.growth[r] * day);
    for (let a = 0; a < K; a++) {
      const k = r * K + a;
      writeStocks(out.stocks, out.at + k, t, k, wt);
      for (let u = 0; u < U; u++) writeStocks(out.ustocks[u], out.at + k, t, (u + 1) * RK + k, wt);
    }
  }
}

/** Stocks of one cell of the tally (gk: group * R * K + r * K + a), weighted to people. */
function writeStocks(s: Record<StockMetric, Float64Array>, at: number, t: Tally, gk: number, wt: number): void {
  const o = gk * SLOTS;
  const c = t.c;
  s.dau[at] = (c[o + DAU_Q] / DAU_UNIT) * wt;
  s.mau[at] = t.mau(Math.floor(gk / t.RK), gk % t.RK) * wt;
  s.installed[at] = c[o + N_INSTALLED] * wt;
  s.users[at] = c[o + N_USERS] * wt;
  s.active[at] = c[o + N_ACTIVE] * wt;
  s.primary[at] = c[o + N_PRIMARY] * wt;
}
