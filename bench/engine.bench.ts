// Benchmark: agent-steps per second and peak memory of the engine at 1e5, 1e6 and 1e7 agents, beside
// an object-per-agent implementation of the same rule. Medians of several runs, each in a fresh
// process. Run with `npm run bench` (add --quick for 1e5 and 1e6 only).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from 'd3-array';

const quick = process.argv.includes('--quick');
const one = fileURLToPath(new URL('./run-one.ts', import.meta.url));
type M = { impl: string; agents: number; seconds: number; buildSeconds: number; agentStepsPerSecond: number; maxRssMiB: number };
function measure(impl: string, agents: number, runs: number): M[] {
  const out: M[] = [];
  for (let k = 0; k < runs; k++) {
    const text = execFileSync(process.execPath, ['--import', 'tsx', one, impl, String(agents)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    out.push(JSON.parse(text.trim().split('\n').pop()!));
    process.stderr.write('.');
  }
  return out;
}
const sizes: [number, number, boolean][] = [[1e5, 5, true], [1e6, 3, true], ...(quick ? [] : [[1e7, 2, false] as [number, number, boolean]])];
const rows: string[] = [];
for (const [n, runs, withObject] of sizes) {
  const typed = measure('typed', n, runs);
  const object = withObject ? measure('object', n, Math.min(runs, 3)) : [];
  const med = (xs: M[], f: (m: M) => number) => median(xs.map(f)) ?? NaN;
  const tRate = med(typed, (m) => m.agentStepsPerSecond);
  const oRate = object.length ? med(object, (m) => m.agentStepsPerSecond) : NaN;
  rows.push(
    `| ${n.toExponential(0).replace('e+', 'e')} | ${(tRate / 1e6).toFixed(1)}M | ${med(typed, (m) => m.buildSeconds).toFixed(1)} s | ${med(typed, (m) => m.maxRssMiB).toFixed(0)} MiB | ${object.length ? `${(oRate / 1e6).toFixed(2)}M` : 'not run'} | ${object.length ? `${med(object, (m) => m.maxRssMiB).toFixed(0)} MiB` : '-'} | ${object.length ? `${(tRate / oRate).toFixed(0)}x` : '-'} |`,
  );
}
process.stderr.write('\n');
console.log('Benchmark: bench/bench.yaml (2 regions, 3 apps, 240 hourly steps with a 12-hour outage), one thread, median of runs.');
console.log('| agents | typed arrays: agent-steps/s | build (network, population) | peak RSS | object-per-agent: agent-steps/s | peak RSS | speed-up |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
