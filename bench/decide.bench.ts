// Cost of one decision: a built-in event's world, fields at a given day, then many reconsiderations
// of random people (timed) and their parts. node --import tsx bench/decide.bench.ts [event] [agents] [day]
import { loadScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { compileScenario } from '../src/scenarios/compile.ts';
import { stepPlan } from '../src/model/engine.ts';
import { createWorld, assignMainApps } from '../src/model/population.ts';
import { makeFields, resetFields } from '../src/model/fields.ts';
import { applyShocks } from '../src/model/shocks/index.ts';
import { makeRng } from '../src/model/rng.ts';
import { mainUtilities, reconsider, type StepLedger } from '../src/model/decide.ts';

const [ev = 'russia-blocks-2024-2026', nArg = '1000000', dayArg = '420'] = process.argv.slice(2);
const loaded = loadScenario(ev);
const r = resolveRun(loaded, { useCalibrated: false });
const input = compileScenario(r.scenario);
const plan = stepPlan(input);
const p = r.params;
const w = createWorld(input, Number(nArg), 1, plan.t, input.days);
const f = makeFields(w.R, w.K);
resetFields(f, input.platforms, 0);
assignMainApps(w, f, p, input, 1);
const day = Number(dayArg);
resetFields(f, input.platforms, day);
applyShocks(input.shocks, day, f, p);
w.tally.start(w, f, p);
const RK = w.R * w.K;
const ledger: StepLedger = {
  t: day, weightNow: Float64Array.from(w.weight), signups: new Float64Array(RK), installs: new Float64Array(RK),
  usignups: new Float64Array(RK * w.U), uinstalls: new Float64Array(RK * w.U), switches: new Float64Array((w.K + 1) * w.K),
  capacityLeft: new Float64Array(RK + w.K).fill(Infinity),
};
w.wake.current = plan.t.findIndex((t) => t >= day);
const rng = makeRng(7, 'bench');
const picks = Int32Array.from({ length: 2_000_000 }, () => Math.floor(rng() * w.n));
const time = (label: string, n: number, fn: (i: number) => void) => {
  for (let k = 0; k < Math.min(n, 20000); k++) fn(picks[k]); // warm up
  const t0 = performance.now();
  for (let k = 0; k < n; k++) fn(picks[k % picks.length]);
  const ns = ((performance.now() - t0) * 1e6) / n;
  console.log(`${label.padEnd(16)} ${ns.toFixed(0).padStart(6)} ns`);
};
time('mainUtilities', 1_000_000, (i) => mainUtilities(w, f, p, i));
time('reconsider', 1_000_000, (i) => w.primary[i] !== 255 && reconsider(w, f, p, i, rng, ledger));

// Sorted batches, and sorted batches with a touch-ahead pass over the columns a decision reads.
const sorted = Int32Array.from(picks).sort();
const chunk = 256;
let sink = 0;
const touch = (from: number, to: number) => {
  const { K } = w;
  let s = 0;
  for (let x = from; x < to; x++) {
    const i = sorted[x];
    s += w.region[i] + w.primary[i] + w.circ[i] + w.inertia[i] + w.privacy[i] + w.activity[i] + w.universe[i] + w.net.offsets[i] + w.wake.due[i];
    s += w.status[i * K] + w.reachCount[i * K] + w.tally.code[i * K] + w.lastActive[i * K] + w.attn[i];
  }
  sink += s;
};
for (const [label, pre] of [['sorted', false], ['sorted+touch', true]] as const) {
  const n = 1_000_000;
  const t0 = performance.now();
  for (let x0 = 0; x0 < n; x0 += chunk) {
    const x1 = Math.min(n, x0 + chunk);
    if (pre) touch(x0, x1);
    for (let x = x0; x < x1; x++) {
      const i = sorted[x];
      if (w.primary[i] !== 255) reconsider(w, f, p, i, rng, ledger);
    }
  }
  console.log(`${('reconsider ' + label).padEnd(16)} ${(((performance.now() - t0) * 1e6) / n).toFixed(0).padStart(6)} ns`);
}
console.log(sink > 0 ? '' : ' ');
