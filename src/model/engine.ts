// The simulation loop. Per step: shocks set the fields; people reconsider (news and frustration via
// thinning of a region-level rate, word of mouth via the list of alerted agents, newcomers via
// arrivals) - only agents with something to decide are touched; once a day an activity sweep
// updates "last active" and, at observation times, the stock metrics.
import type { Scenario } from '../scenarios/schema.ts';
import type { Params } from './params.ts';
import { makeRng, binomial, hashUniform } from './rng.ts';
import { makeFields, resetFields, type Fields } from './fields.ts';
import { applyShocks, type CompiledShock } from './shocks/index.ts';
import { createWorld, fitConstants } from './population.ts';
import { decide, considerRate, considerRateBound, type StepLedger } from './decide.ts';
import { ACTIVE, EVER, INSTALLED, NO_APP, type World } from './world.ts';
import { parseDate, parseDuration, DAY_MS } from './time.ts';
import { STOCK_METRICS, type RunResult } from './results.ts';

export interface RunOptions {
  seed: number;
  agents?: number;
  /** Called with the share of steps done (0..1), at most about 200 times per run. */
  onProgress?: (done: number) => void;
}

/** The steps of a scenario: start time and length (days) of each. */
export function stepPlan(s: Scenario): { t: Float64Array; dt: Float64Array } {
  const t0 = parseDate(s.time.start);
  const T = (parseDate(s.time.end) - t0) / DAY_MS;
  const changes = s.time.schedule.map((c) => ({ at: (parseDate(c.from) - t0) / DAY_MS, dt: parseDuration(c.step) }));
  const ts: number[] = [];
  const dts: number[] = [];
  let dt = parseDuration(s.time.step);
  let t = 0;
  let next = 0;
  while (t < T - 1e-9) {
    while (next < changes.length && changes[next].at <= t + 1e-9) dt = changes[next++].dt;
    let len = Math.min(dt, T - t);
    if (next < changes.length && t + len > changes[next].at + 1e-9) len = changes[next].at - t;
    ts.push(t);
    dts.push(len);
    t += len;
  }
  return { t: Float64Array.from(ts), dt: Float64Array.from(dts) };
}

export function compileShocks(s: Scenario): CompiledShock[] {
  const t0 = parseDate(s.time.start);
  const day = (d: string) => (parseDate(d) - t0) / DAY_MS;
  const pid = new Map(s.platforms.map((p, a) => [p.id, a]));
  const rid = new Map(s.regions.map((r, k) => [r.id, k]));
  return s.shocks.map((spec, index) => {
    const start = day(spec.start);
    let end = Infinity;
    if (spec.type === 'outage') end = start + parseDuration(spec.duration);
    else if (spec.type === 'announcement') end = day(spec.until);
    else if ('end' in spec && spec.end) end = day(spec.end);
    else if ('duration' in spec && spec.duration) end = start + parseDuration(spec.duration);
    const regions = spec.regions === 'all' ? s.regions.map((_, k) => k) : spec.regions.map((r) => rid.get(r)!);
    const loudness = new Float64Array(s.regions.length);
    for (const r of regions) {
      loudness[r] = typeof spec.media === 'number' ? spec.media : (spec.media[s.regions[r].id] ?? 0);
    }
    return { index, spec, platforms: spec.platforms.map((p) => pid.get(p)!), regions, start, end, loudness };
  });
}

export function simulate(s: Scenario, p: Params, opts: RunOptions, meta: { hash: string }): RunResult {
  const wall0 = performance.now();
  const seed = opts.seed;
  const plan = stepPlan(s);
  const S = plan.t.length;
  const T = S ? plan.t[S - 1] + plan.dt[S - 1] : 0;
  const w = createWorld(s, opts.agents ?? s.agents, seed, plan.t, T);
  const { K, R } = w;
  const RK = R * K;
  const shocks = compileShocks(s);
  const f = makeFields(R, K);
  const launch = w.platforms.map((pl) => pl.launchDay);
  const basePrivacy = w.platforms.map((pl) => pl.privacy);
  w.platforms.forEach((pl, a) => {
    f.voice[a] = pl.voice ? 1 : 0;
    f.slowLinks[a] = pl.slowLinks ? 1 : 0;
  });
  const setFields = (t: number) => {
    resetFields(f, launch, basePrivacy, t);
    applyShocks(shocks, t, f, p);
  };
  // App constants are fitted to the world before any shock: a shock under way at the start (e.g.
  // a promotion) must move people, not be absorbed into the constants.
  resetFields(f, launch, basePrivacy, 0);
  const hasUsers = new Uint8Array(R * K);
  s.regions.forEach((reg, r) => {
    for (const [id, v] of Object.entries(reg.apps)) {
      const a = w.platforms.findIndex((pl) => pl.id === id);
      if ((typeof v === 'number' ? v : v.active) > 0 && w.platforms[a].launchDay <= 0) hasUsers[r * K + a] = 1;
    }
  });
  fitConstants(w, f, p, seed, hasUsers);
  setFields(0);
  const buildMs = performance.now() - wall0;

  const observe = parseDuration(s.time.observe);
  const O = Math.floor(T / observe + 1e-9) + 1 + 1; // t = 0, every `observe`, and the end
  const stocks = Object.fromEntries(STOCK_METRICS.map((m) => [m, new Float64Array(O * RK)])) as RunResult['stocks'];
  const obsTimes = new Float64Array(O);
  const offline = new Float64Array(O * R);
  const signups = new Float64Array(S * RK);
  const installs = new Float64Array(S * RK);
  const switches = new Float64Array((K + 1) * K);
  const ledger: StepLedger = { t: 0, signups, installs, switches, capacityLeft: new Float64Array(K) };
  const rng = makeRng(seed, 'steps');
  const arrival = s.regions.map((r) => r.arrival);

  let obs = 0;
  const observeNow = (t: number) => {
    sweep(w, f, p, Math.floor(t + 1e-9), stocks, obs * RK);
    for (let r = 0; r < R; r++) offline[obs * R + r] = w.waitingCount[r] * w.weight[r];
    obsTimes[obs++] = t;
  };
  observeNow(0);
  let nextObs = observe;
  let lastSweepDay = 0;
  let progressMark = 0;

  for (let step = 0; step < S; step++) {
    const t = plan.t[step];
    const dt = plan.dt[step];
    setFields(t);
    ledger.t = t;
    ledger.signups = signups.subarray(step * RK, (step + 1) * RK);
    ledger.installs = installs.subarray(step * RK, (step + 1) * RK);
    for (let a = 0; a < K; a++) ledger.capacityLeft[a] = w.platforms[a].capacityPerDay * dt;

    // 1. News and frustration: draw candidates at the region's upper-bound rate, keep each with
    //    probability (own rate / bound). Cost is proportional to the people who reconsider.
    for (let r = 0; r < R; r++) {
      const bound = considerRateBound(f, p, r);
      const a0 = w.regionStart[r];
      const size = w.regionStart[r + 1] - a0;
      const k = binomial(rng, size, 1 - Math.exp(-bound * dt));
      for (let m = 0; m < k; m++) {
        const i = a0 + Math.floor(rng() * size);
        if (w.primary[i] === NO_APP) continue;
        if (rng() * bound < considerRate(w, f, p, i, r)) decide(w, f, p, i, rng, ledger);
      }
    }

    // 2. Word of mouth: people whose contacts recently adopted or switched and who are due now.
    w.wake.current = step;
    for (let i = w.wake.pop(step); i >= 0; i = w.wake.pop(step)) {
      if (w.primary[i] !== NO_APP) decide(w, f, p, i, rng, ledger);
    }

    // 3. Newcomers: people starting to use a messenger at all (market growth).
    for (let r = 0; r < R; r++) {
      const wc = w.waitingCount[r];
      if (wc === 0 || arrival[r] === 0) continue;
      const k = binomial(rng, wc, 1 - Math.exp(-arrival[r] * dt));
      const list = w.regionStart[r];
      for (let m = 0; m < k && w.waitingCount[r] > 0; m++) {
        const idx = Math.floor(rng() * w.waitingCount[r]);
        const i = w.waiting[list + idx];
        decide(w, f, p, i, rng, ledger);
        // Only people who got an app leave the queue (a full registration server turns some away).
        if (w.primary[i] !== NO_APP) w.waiting[list + idx] = w.waiting[list + --w.waitingCount[r]];
      }
    }

    // 4. Pre-installs (a promoted app installed for people, dormant until they use it).
    for (let r = 0; r < R; r++) {
      for (let a = 0; a < K; a++) {
        const rate = f.preinstall[r * K + a];
        if (rate <= 0) continue;
        const a0 = w.regionStart[r];
        const size = w.regionStart[r + 1] - a0;
        const k = binomial(rng, size, 1 - Math.exp(-rate * dt));
        for (let m = 0; m < k; m++) {
          const b = (a0 + Math.floor(rng() * size)) * K + a;
          if (w.status[b] & INSTALLED) continue;
          w.status[b] |= INSTALLED;
          ledger.installs[r * K + a] += w.weight[r];
        }
      }
    }

    // 5. Daily activity sweep and observations at the end of the step.
    const tEnd = t + dt;
    const day = Math.floor(tEnd + 1e-9);
    if (tEnd >= nextObs - 1e-9 || step === S - 1) {
      setFields(tEnd);
      observeNow(tEnd);
      lastSweepDay = day;
      while (nextObs <= tEnd + 1e-9) nextObs += observe;
    } else if (day > lastSweepDay) {
      setFields(tEnd);
      sweep(w, f, p, day, null, 0);
      lastSweepDay = day;
    }

    if (opts.onProgress && step + 1 >= progressMark) {
      opts.onProgress((step + 1) / S);
      progressMark = step + 1 + Math.max(1, Math.floor(S / 200));
    }
  }

  return {
    scenario: { name: s.name, title: s.title, hash: meta.hash, projection: s.projection },
    seed,
    agents: w.n,
    params: p,
    start: s.time.start,
    startMs: parseDate(s.time.start),
    regions: w.regionIds,
    platforms: w.platforms.map((pl) => pl.id),
    population: Array.from(w.population),
    stepTimes: plan.t,
    stepDt: plan.dt,
    flows: { signups, installs },
    obsTimes: obsTimes.slice(0, obs),
    stocks: Object.fromEntries(Object.entries(stocks).map(([m, v]) => [m, v.slice(0, obs * RK)])) as RunResult['stocks'],
    offline: offline.slice(0, obs * R),
    switches,
    wallMs: performance.now() - wall0,
    buildMs,
  };
}

/**
 * Once a day: people active on an app they can reach used it today (lastActive). With `out`, also
 * write the stock metrics at offset `at` (index r * K + a), weighted to real people.
 */
function sweep(w: World, f: Fields, p: Params, day: number, out: RunResult['stocks'] | null, at: number): void {
  const { K, R } = w;
  const { status, lastActive, skill, activity, primary } = w;
  for (let r = 0; r < R; r++) {
    const wt = w.weight[r];
    const a0 = w.regionStart[r];
    const a1 = w.regionStart[r + 1];
    const rk = r * K;
    for (let i = a0; i < a1; i++) {
      const base = i * K;
      const pa = primary[i];
      for (let a = 0; a < K; a++) {
        const st = status[base + a];
        if (st === 0) continue;
        // Inlined access(): launched, not cut off by an outage, not blocked (or got round it).
        if (st & ACTIVE && f.launched[a]) {
          const sev = f.outageSeverity[rk + a];
          const hard = f.blockHardness[rk + a];
          if ((hard < 0 || skill[i] >= hard) && (sev <= 0 || hashUniform(f.outageSalt[rk + a], i, a) >= sev)) {
            lastActive[base + a] = day;
            if (out) {
              const use = (a === pa ? p.usePrimary : p.useSecondary) * activity[i] * f.useFactor[rk + a];
              out.dau[at + rk + a] += wt * (use > 1 ? 1 : use);
            }
          }
        }
        if (!out) continue;
        const last = lastActive[base + a];
        if (last > day - 30 && last !== -1) out.mau[at + rk + a] += wt;
        if (st & INSTALLED) out.installed[at + rk + a] += wt;
        if (st & EVER) out.users[at + rk + a] += wt;
        if (st & ACTIVE) out.active[at + rk + a] += wt;
      }
      if (out && pa !== NO_APP) out.primary[at + rk + pa] += wt;
    }
  }
}
