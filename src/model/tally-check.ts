// The tally (tally.ts) checked against what a full daily scan of every agent and app finds: the
// cached access codes, every counter, the monthly audience (against "last used" written the way a
// full sweep writes it, every day for everyone who can use an app) and the lists of people whose
// main app does not work. Run with RunOptions.check (tests); it throws on the first difference.
import type { World } from './world.ts';
import type { Fields } from './fields.ts';
import type { Params } from './params.ts';
import { ACTIVE, EVER, INSTALLED, NO_APP } from './world.ts';
import { access, CUT, DOWN } from './decide.ts';
import type { Tally } from './tally.ts';
import { countReach } from './population.ts';
import { DAU_Q, DAU_UNIT, IN_USE, MAU_DAYS, N_ACTIVE, N_INSTALLED, N_PRIMARY, N_USERS, REACHABLE, SLOTS, USABLE, dailyUse } from './tally.ts';

const NAMES = ['in use', 'reachable', 'usable', 'daily use', 'installed', 'users', 'active', 'primary'];

export function verifyTally(w: World, f: Fields, p: Params, day: number, tallies: readonly Tally[] = [w.tally]): void {
  const { K, R, U } = w;
  const RK = R * K;
  const shadow = tallies[0].shadowLastActive;
  if (!shadow) throw new Error('verifyTally: the run was not started in check mode');
  const c = new Float64Array((U + 1) * RK * SLOTS);
  const mau = new Float64Array((U + 1) * RK);
  let owner = 0;
  for (let i = 0; i < w.n; i++) {
    while (i >= tallies[owner].hi) owner++;
    const t = tallies[owner];
    const r = w.region[i];
    const pa = w.primary[i];
    for (let a = 0; a < K; a++) {
      const b = i * K + a;
      const st = w.status[b];
      if (st === 0 && a !== pa) continue;
      const acc = access(w, f, i, r, a);
      if ((t.code[b] & 3) !== acc) throw new Error(`tally: agent ${i} app ${a} access ${t.code[b] & 3}, a scan finds ${acc} (day ${day})`);
      if (st === 0) continue;
      const inUse = (st & ACTIVE) !== 0 && f.launched[a] === 1;
      const usable = inUse && acc !== CUT && acc !== DOWN;
      if (usable) shadow[b] = day;
      const la = shadow[b];
      const groups = [0];
      for (let u = 0; u < U; u++) if (w.universe[i] & (1 << u)) groups.push(u + 1);
      for (const g of groups) {
        const o = (g * RK + r * K + a) * SLOTS;
        if (inUse) c[o + IN_USE]++;
        if (inUse && acc !== CUT) c[o + REACHABLE]++;
        if (usable) {
          c[o + USABLE]++;
          c[o + DAU_Q] += Math.round(dailyUse(w, p, i, a, acc, f.useFactor[r * K + a], f.proxy[a]) * DAU_UNIT);
        }
        if (st & INSTALLED) c[o + N_INSTALLED]++;
        if (st & EVER) c[o + N_USERS]++;
        if (st & ACTIVE) c[o + N_ACTIVE]++;
        if (a === pa) c[o + N_PRIMARY]++;
        if (la > day - MAU_DAYS && la !== -1) mau[g * RK + r * K + a]++;
      }
    }
    // The lists of people whose main app is cut off or down.
    const code = pa === NO_APP ? 0 : access(w, f, i, r, pa);
    const want = code === CUT ? 1 : code === DOWN ? 2 : 0;
    const pos = t.aPos[i];
    const s0 = t.segLo[r];
    const s1 = t.segHi[r];
    const have = pos < 0 ? 0 : pos >= s0 && pos < s0 + t.nCut[r] ? 1 : pos >= s1 - t.nDown[r] && pos < s1 ? 2 : -1;
    if (have !== want || (pos >= 0 && t.aList[pos] !== i)) throw new Error(`tally: agent ${i} is in list ${have}, expected ${want} (day ${day})`);
  }
  for (let gk = 0; gk < (U + 1) * RK; gk++) {
    for (let s = 0; s < SLOTS; s++) {
      let counted = 0;
      for (const t of tallies) counted += t.c[gk * SLOTS + s];
      if (c[gk * SLOTS + s] !== counted) {
        throw new Error(`tally: ${NAMES[s]} of group ${Math.floor(gk / RK)} cell ${gk % RK} is ${counted}, a scan finds ${c[gk * SLOTS + s]} (day ${day})`);
      }
    }
    let m = 0;
    for (const t of tallies) m += t.mau(Math.floor(gk / RK), gk % RK);
    if (m !== mau[gk]) throw new Error(`tally: monthly audience of group ${Math.floor(gk / RK)} cell ${gk % RK} is ${m}, a scan finds ${mau[gk]} (day ${day})`);
  }
}

/**
 * Every contact's reach count (how many of their contacts have each app in use) against a count
 * from the network, at a point where no change is waiting in a block's outbox (check mode).
 */
export function verifyReach(w: World, when: string): void {
  const { K, n } = w;
  const count = new Int32Array(n * K);
  countReach(w.status, w.net, K, count);
  for (let b = 0; b < n * K; b++) {
    if (count[b] !== w.reachCount[b]) throw new Error(`reach: agent ${Math.floor(b / K)} app ${b % K} counts ${w.reachCount[b]} contacts in use, the network ${count[b]} (${when})`);
  }
}
