// A plain object-per-agent implementation of the same decision rule, written the way a first
// prototype (or a Mesa/NetLogo model) would be: agents are objects, contacts are arrays of object
// references, and every agent is visited every step. Used only as the benchmark's baseline.
import { makeRng, normal } from '../src/model/rng.ts';
import type { Params } from '../src/model/params.ts';

interface AppState { installed: boolean; active: boolean; lastActive: number }
interface Agent { region: number; privacy: number; inertia: number; apps: AppState[]; primary: number; contacts: Agent[]; attention: number }

export interface ObjectRunSpec {
  agents: number;
  shares: number[][]; // per region, per app: initial active share
  steps: number;
  dt: number;
  outage: { app: number; from: number; to: number; severity: number; media: number };
}

export function runObjectModel(spec: ObjectRunSpec, p: Params, seed: number): { decisions: number } {
  const rng = makeRng(seed, 'object-model');
  const K = spec.shares[0].length;
  const R = spec.shares.length;
  const agents: Agent[] = [];
  for (let i = 0; i < spec.agents; i++) {
    const region = Math.floor((i * R) / spec.agents);
    const apps: AppState[] = [];
    let primary = -1;
    for (let a = 0; a < K; a++) {
      const on = rng() < spec.shares[region][a];
      apps.push({ installed: on, active: on, lastActive: on ? 0 : -1 });
      if (on && primary < 0) primary = a;
    }
    agents.push({ region, privacy: 1 / (1 + Math.exp(-normal(rng))), inertia: 1 / (1 + Math.exp(-normal(rng))), apps, primary: Math.max(0, primary), contacts: [], attention: 0 });
  }
  for (let i = 0; i < spec.agents; i++) {
    const k = 6;
    for (let m = 0; m < k; m++) {
      const j = (i + 1 + Math.floor(rng() * 20)) % spec.agents;
      agents[i].contacts.push(agents[j]);
      agents[j].contacts.push(agents[i]);
    }
  }
  let decisions = 0;
  const u = new Array<number>(K);
  for (let s = 0; s < spec.steps; s++) {
    const t = s * spec.dt;
    const down = t >= spec.outage.from && t < spec.outage.to;
    const media = t >= spec.outage.from ? spec.outage.media * Math.exp(-p.mediaDecay * Math.max(0, t - spec.outage.to)) : 0;
    for (const ag of agents) {
      ag.attention *= Math.exp(-p.womDecay * spec.dt);
      const cut = down && ag.primary === spec.outage.app && rng() < spec.outage.severity;
      const rate = p.considerBase + p.considerMedia * media + (cut ? p.considerFrustration : 0) + p.womRate * ag.attention;
      if (rng() >= 1 - Math.exp(-rate * spec.dt)) continue;
      decisions++;
      const reach = new Array<number>(K).fill(0);
      for (const c of ag.contacts) for (let a = 0; a < K; a++) if (c.apps[a].active) reach[a] += 1 / ag.contacts.length;
      let best = -Infinity;
      for (let a = 0; a < K; a++) {
        let x = p.betaReach * reach[a];
        if (down && a === spec.outage.app) x -= p.betaAvail;
        if (!ag.apps[a].installed) x -= p.switchCost * (0.5 + ag.inertia);
        if (a === ag.primary) x += p.habit;
        u[a] = x;
        best = Math.max(best, x);
      }
      const probs = u.map((x) => Math.exp(x - best));
      const sum = probs.reduce((x, y) => x + y, 0);
      let pick = rng() * sum;
      let j = 0;
      for (; j < K - 1; j++) if ((pick -= probs[j]) < 0) break;
      const changed = !ag.apps[j].installed || j !== ag.primary;
      ag.apps[j].installed = true;
      ag.apps[j].active = true;
      ag.primary = j;
      for (let a = 0; a < K; a++) if (a !== j && ag.apps[a].installed) ag.apps[a].active = rng() < Math.min(1, reach[a] / p.dormancyReach);
      if (changed) for (const c of ag.contacts) c.attention += 1;
    }
    if (Math.floor(t + spec.dt) > Math.floor(t)) for (const ag of agents) for (const st of ag.apps) if (st.active) st.lastActive = Math.floor(t + spec.dt);
  }
  return { decisions };
}
