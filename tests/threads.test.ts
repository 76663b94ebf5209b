// Runs in blocks (RunOptions.threads): the same results whatever the number of threads, counters
// that agree with a full scan, and a run of one block that is the model as written.
import { describe, expect, it } from 'vitest';
import { loadScenario, type LoadedScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { compileScenario } from '../src/scenarios/compile.ts';
import { Run, simulate, type RunOptions } from '../src/model/engine.ts';
import { deliver, enter } from '../src/model/block.ts';
import { refreshKnown, KNOWN_FLOOR } from '../src/model/tally.ts';
import { ACTIVE, NO_APP, isLocal, tellLater } from '../src/model/world.ts';
import { simulateThreads } from '../src/model/threads.ts';
import { Outbox } from '../src/model/outbox.ts';
import { verifyReach } from '../src/model/tally-check.ts';
import { packViews, unpackViews } from '../src/model/alloc.ts';
import { tidyRows, fmtValue, type RunResult } from '../src/model/results.ts';
import { market } from './helpers.ts';

const text = (res: RunResult) => tidyRows(res).map((x) => `${x.time},${x.region},${x.platform},${x.metric},${fmtValue(x.value)}`).join('\n') + `\n${Array.from(res.switches).map(fmtValue).join(',')}\n${Array.from(res.offline).map(fmtValue).join(',')}`;

function prepare(loaded: LoadedScenario) {
  const r = resolveRun(loaded, { useCalibrated: false });
  return { input: compileScenario(r.scenario), p: r.params, meta: { hash: loaded.hash } };
}
const inThreads = (loaded: LoadedScenario, o: RunOptions) => {
  const { input, p, meta } = prepare(loaded);
  return simulateThreads(input, p, o, meta);
};

// Small blocks so that a few thousand agents make several of them.
const blockAgents = 1000;

describe('a run in blocks', () => {
  const cases: [string, LoadedScenario, number][] = [
    ['a daily event with shutdowns, blocks and a launch (russia-blocks-2024-2026)', loadScenario('russia-blocks-2024-2026'), 4000],
    ['three regions with capacity limits (whatsapp-acquisition-2014)', loadScenario('whatsapp-acquisition-2014'), 4000],
    ['hourly steps, an outage, newcomers, trends', market({ agents: 6000, arrival: 0.02, north: '{ A: 0.5, B: { active: 0.3, trend: 0.5 }, C: { active: 0.01, trend: 2 } }', shocks: '[{ type: outage, platforms: [A], start: "2020-01-05T18:00Z", duration: 12h, severity: 0.8, media: 1 }]' }), 6000],
  ];
  for (const [what, loaded, agents] of cases) {
    it(`gives byte-identical output on 1, 2 and 3 threads: ${what}`, { timeout: 120_000 }, async () => {
      const one = text(await inThreads(loaded, { seed: 3, agents, threads: 1, blockAgents }));
      expect(text(await inThreads(loaded, { seed: 3, agents, threads: 2, blockAgents }))).toBe(one);
      expect(text(await inThreads(loaded, { seed: 3, agents, threads: 3, blockAgents }))).toBe(one);
      // Blocks are a different draw from the run in one block.
      const { input, p, meta } = prepare(loaded);
      expect(text(simulate(input, p, { seed: 3, agents }, meta))).not.toBe(one);
    });
  }
  it('keeps counters that agree with a full scan at every sweep, on 2 threads', { timeout: 120_000 }, async () => {
    const res = await inThreads(loadScenario('russia-telegram-block-2018'), { seed: 2, agents: 4000, threads: 2, blockAgents, check: true });
    expect(res.agents).toBe(4000);
  });
  it('delivers word of mouth to a contact in another block with the app it names, at the end of the step', () => {
    const { input, p, meta } = prepare(loadScenario('facebook-outage-2019'));
    const run = new Run(input, p, { seed: 1, agents: 3000, threads: 1, blockAgents }, meta, true);
    run.start();
    const { w } = run.env;
    const [a, b] = run.blocks;
    const j = b.lo + 7;
    enter(w, a);
    expect(isLocal(w, j)).toBe(false);
    expect(w.heard[j]).toBe(NO_APP);
    tellLater(w, j, 2, 0.25);
    tellLater(w, j, 1, 0.5);
    // Nothing happens to j while block a is being stepped ...
    expect(w.heard[j]).toBe(NO_APP);
    expect(w.attn[j]).toBe(0);
    deliver(w, p, run.blocks);
    // ... then j hears both, in the order told: the last app named is the one j weighs.
    expect(w.heard[j]).toBe(1);
    expect(w.attn[j]).toBeGreaterThan(1);
    expect(w.attnT[j]).toBe(0.5);
    expect(a.outbox.nTold).toBe(0);
  });
  it('gives back the space of an exceptional step: an outbox shrinks once a step uses a quarter of it', () => {
    const o = new Outbox();
    for (let x = 0; x < 300_000; x++) {
      o.tell(x, x % 3, x / 1e5);
      o.addReach(x * 4 + 1, x % 2 ? 1 : -1);
    }
    expect(o.toldAgent.length).toBeGreaterThanOrEqual(300_000);
    // The step that grew it keeps its space (the next may be as large) ...
    o.clear();
    expect(o.toldAgent.length).toBeGreaterThanOrEqual(300_000);
    // ... a quiet step after it gives it back, and what is told after that is kept intact.
    for (let x = 0; x < 10; x++) o.tell(x, 1, 0.5);
    o.clear();
    expect(o.toldAgent.length).toBeLessThan(1000);
    expect(o.reach.length).toBeLessThan(1000);
    for (let x = 0; x < 5000; x++) o.tell(7 * x, 2, x);
    expect(o.nTold).toBe(5000);
    expect([o.toldAgent[4999], o.toldApp[4999], o.toldAt[4999]]).toEqual([7 * 4999, 2, 4999]);
  });
  it('keeps every reach count equal to a count from the network, in one thread and on two (check mode)', { timeout: 120_000 }, async () => {
    const loaded = loadScenario('russia-blocks-2024-2026');
    const { input, p, meta } = prepare(loaded);
    // Check mode throws on the first count that differs (tally-check.ts: verifyReach).
    expect(simulate(input, p, { seed: 4, agents: 3000, threads: 1, blockAgents, check: true }, meta).agents).toBe(3000);
    expect((await simulateThreads(input, p, { seed: 4, agents: 3000, threads: 2, blockAgents, check: true }, meta)).agents).toBe(3000);
    // And the check finds a count that is off.
    const run = new Run(input, p, { seed: 4, agents: 3000 }, meta, false);
    run.start();
    verifyReach(run.w, 'at the start');
    const { w } = run;
    const cell = w.net.nbrs[w.net.offsets[10]] * w.K + 0;
    w.reachCount[cell]++;
    expect(() => verifyReach(w, 'after a change')).toThrow(/^reach: agent \d+ app 0 counts \d+ contacts in use, the network \d+ \(after a change\)$/);
  });
  it('sends views of shared memory larger than 4 GiB to a thread whole (Node cuts their length)', () => {
    const big = new Uint32Array(new SharedArrayBuffer(2 ** 32 + 16));
    big[big.length - 1] = 7;
    const small = new Float64Array(new SharedArrayBuffer(80), 16, 3);
    small[2] = 0.5;
    // structuredClone is the serialiser postMessage and workerData use.
    expect(structuredClone({ big }).big.length).not.toBe(big.length);
    const back = unpackViews(structuredClone(packViews({ world: { big, n: 3 }, arrays: [small, 'x'] })));
    expect(back.world.big.length).toBe(2 ** 30 + 4);
    expect(back.world.big[2 ** 30 + 3]).toBe(7);
    expect(back.world.n).toBe(3);
    expect([back.arrays[0].length, back.arrays[0][2], back.arrays[1]]).toEqual([3, 0.5, 'x']);
    // The same memory, not a copy.
    (back.arrays[0] as Float64Array)[0] = 2;
    expect(small[0]).toBe(2);
  });
  it('gives every block how well known the apps are from the people in use in all blocks', () => {
    const { input, p, meta } = prepare(loadScenario('whatsapp-acquisition-2014'));
    const run = new Run(input, p, { seed: 1, agents: 4000, threads: 1, blockAgents }, meta, true);
    run.start();
    const { w } = run.env;
    expect(run.blocks.length).toBeGreaterThan(w.R);
    refreshKnown(w, run.env.inUse(run.blocks));
    // A full scan of the world: people with each app in use (launched), per region.
    const { K, R } = w;
    const count = new Float64Array(R * K);
    for (let i = 0; i < w.n; i++) for (let x = 0; x < K; x++) if (w.status[i * K + x] & ACTIVE && input.platforms[x].launchDay <= 0) count[w.region[i] * K + x]++;
    for (let r = 0; r < R; r++) {
      const size = w.regionStart[r + 1] - w.regionStart[r];
      const logs = Array.from({ length: K }, (_, x) => Math.log(Math.max(KNOWN_FLOOR, count[r * K + x] / size)));
      const top = Math.max(...logs);
      for (let x = 0; x < K; x++) expect(w.known[r * K + x]).toBeCloseTo(logs[x] - top, 12);
    }
  });
  it('is the model as written when it is one block', async () => {
    const loaded = loadScenario('facebook-outage-2019');
    const { input, p, meta } = prepare(loaded);
    expect(text(await simulateThreads(input, p, { seed: 5, agents: 3000, threads: 2 }, meta))).toBe(text(simulate(input, p, { seed: 5, agents: 3000 }, meta)));
  });
});
