// The calibration's work besides simulation, timed on the shipped calibration's runs
// (data/calibrated/design.csv): the emulator fits after each wave (on the first wave's runs, the
// first two waves', all) and the choice of the learning rate by SBC on the prior runs. Prints a
// hash of every result, so two checkouts (or thread counts) can be checked to agree bit for bit.
// Usage: node --import tsx bench/calibration-fits.ts [--skip-sbc] [--threads N]
import { createHash } from 'node:crypto';
import { readCalibration } from '../src/calibrate/shipped.ts';
import { buildEventModels, type EventModel } from '../src/calibrate/emulate.ts';
import { chooseLearningRate } from '../src/calibrate/learning-rate.ts';

const args = process.argv.slice(2);
const skipSbc = args.includes('--skip-sbc');
const ti = args.indexOf('--threads');
// (Imported by name, so that this file also runs on checkouts from before the compute pool.)
const mod: Record<string, unknown> = await import('../src/calibrate/compute.ts').catch(() => ({}));
const createComputePool = mod.createComputePool as ((n?: number) => { close(): Promise<void> }) | undefined;
const compute = createComputePool?.(ti >= 0 ? Number(args[ti + 1]) : undefined);
const cal = readCalibration('data/calibrated/params.json');
const seed = cal.seed;

function hashModels(models: EventModel[]): string {
  const h = createHash('sha256');
  for (const ev of models) {
    const em = ev.em;
    h.update(ev.event);
    h.update(new Uint8Array(em.invLen2.buffer));
    for (const o of em.outputs) {
      h.update(new Uint8Array(o.beta.buffer));
      h.update(new Uint8Array(o.alpha.buffer));
      h.update(new Float64Array([o.scale, o.signal, o.noise, o.looVar]));
    }
  }
  return h.digest('hex').slice(0, 16);
}

// CPU seconds of the whole process (all its threads): what the work costs, whatever the machine's load.
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const times: Record<string, number> = {};
for (let wave = 1; wave <= 3; wave++) {
  const bank = cal.bank.filter((b) => b.wave <= wave);
  const t0 = performance.now();
  const c0 = cpu();
  const models = await buildEventModels(cal.dims, cal.setups, bank, seed + wave, compute as never);
  const s = (performance.now() - t0) / 1000;
  times[`fit${wave}`] = s;
  console.log(JSON.stringify({ phase: `emulators wave ${wave}`, runs: bank.length, seconds: Number(s.toFixed(2)), cpuSeconds: Number((cpu() - c0).toFixed(2)), hash: hashModels(models) }));
}
if (!skipSbc) {
  const prior = cal.bank.filter((b) => b.wave === 1);
  const t0 = performance.now();
  const c0 = cpu();
  const lr = await chooseLearningRate(cal.dims, cal.setups, prior, { seed, compute: compute as never });
  const s = (performance.now() - t0) / 1000;
  times.sbc = s;
  console.log(JSON.stringify({ phase: 'learning rate', seconds: Number(s.toFixed(2)), cpuSeconds: Number((cpu() - c0).toFixed(2)), rate: lr.rate, trials: lr.trials }));
}
console.log(JSON.stringify({ totalSeconds: Number(Object.values(times).reduce((a, b) => a + b, 0).toFixed(2)) }));
await compute?.close();
process.exit(0);
