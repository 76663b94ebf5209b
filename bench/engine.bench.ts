// Benchmark: every built-in event and the toy scenario (bench/bench.yaml) at 1e5 and 1e6 agents (and
// one event at 1e7), one thread, each measurement in a fresh process: agent-steps per second (every
// agent in every step, build excluded), build time and peak RSS, medians of several runs; beside an
// object-per-agent implementation of the toy. Writes the table into README.md between the
// <!-- bench:begin --> and <!-- bench:end --> markers (unless --no-readme).
// Usage: npm run bench -- --help
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from 'd3-array';
import { builtinNames } from '../src/scenarios/load.ts';

const USAGE = `usage: npm run bench [-- --quick] [--runs N] [--events a,b] [--no-readme]
  --quick        1e5 agents only, one run each (a minute or two); README.md untouched
  --runs N       runs per measurement (default 3 at 1e5 and 1e6, 2 on threads, 1 at 1e7); medians are reported
  --events a,b   only these (bench = the toy bench/bench.yaml; default: the toy and every built-in event)
  --no-readme    print the table only, leave README.md alone
The full run takes about half an hour to an hour (its 1e7 run alone several minutes) and rewrites the
table between <!-- bench:begin --> and <!-- bench:end --> in README.md.`;

const args = process.argv.slice(2);
const fail = (msg: string): never => {
  console.error(`bench: ${msg} (npm run bench -- --help)`);
  process.exit(2);
};
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const VALUED = new Set(['--runs', '--events']);
for (let k = 0; k < args.length; k++) {
  if (VALUED.has(args[k])) {
    if (args[k + 1] === undefined || args[k + 1].startsWith('--')) fail(`${args[k]} needs a value`);
    k++;
  } else if (args[k] !== '--quick' && args[k] !== '--no-readme') fail(`unknown argument ${args[k]}`);
}
const option = (name: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : undefined;
};
const quick = args.includes('--quick');
const writeReadme = !quick && !args.includes('--no-readme');
const runsOption = option('runs');
if (runsOption !== undefined && !(Number.isInteger(Number(runsOption)) && Number(runsOption) >= 1)) fail(`--runs needs a whole number of at least 1, not "${runsOption}"`);
const known = ['bench', ...builtinNames()];
const events = (option('events') ?? known.join(',')).split(',');
for (const ev of events) if (!known.includes(ev)) fail(`--events: unknown event "${ev}" (known: ${known.join(', ')})`);
/** The event also measured at 1e7 agents: the longest of the real events. */
const LARGE_EVENT = 'russia-blocks-2024-2026';

const one = fileURLToPath(new URL('./run-one.ts', import.meta.url));
type M = { impl: string; event: string; agents: number; steps: number; seconds: number; cpuSeconds: number; buildSeconds: number; agentStepsPerSecond: number; agentStepsPerCpuSecond: number; maxRssMiB: number };

function measure(argv: string[], runs: number): M[] {
  const out: M[] = [];
  for (let k = 0; k < runs; k++) {
    const text = execFileSync(process.execPath, ['--import', 'tsx', one, ...argv], { encoding: 'utf8', maxBuffer: 1 << 20 });
    out.push(JSON.parse(text.trim().split('\n').pop()!));
    process.stderr.write('.');
  }
  return out;
}

const med = (xs: M[], f: (m: M) => number) => median(xs.map(f)) ?? NaN;
const rate = (x: number) => (x >= 1e7 ? `${(x / 1e6).toFixed(0)}M` : `${(x / 1e6).toFixed(1)}M`);
const secs = (x: number) => (x >= 100 ? `${x.toFixed(0)} s` : x >= 10 ? `${x.toFixed(1)} s` : `${x.toFixed(2)} s`);
const sizeLabel = (n: number) => n.toExponential(0).replace('e+', 'e');

const rows: string[] = [];
for (const ev of events) {
  const sizes: [number, number][] = quick ? [[1e5, 1]] : [[1e5, 3], [1e6, 3], ...(ev === LARGE_EVENT ? [[1e7, 1] as [number, number]] : [])];
  for (const [n, runs0] of sizes) {
    const runs = runsOption ? Math.min(Number(runsOption), runs0 === 1 ? 1 : Number(runsOption)) : runs0;
    process.stderr.write(`${ev} ${sizeLabel(n)} `);
    const ms = measure(['typed', ev, String(n)], runs);
    process.stderr.write('\n');
    rows.push(
      `| ${ev === 'bench' ? 'toy (bench/bench.yaml)' : ev} | ${ms[0].steps} | ${sizeLabel(n)} | ${rate(med(ms, (m) => m.agentStepsPerSecond))} | ${rate(med(ms, (m) => m.agentStepsPerCpuSecond))} | ${secs(med(ms, (m) => m.seconds))} | ${secs(med(ms, (m) => m.buildSeconds))} | ${med(ms, (m) => m.maxRssMiB).toFixed(0)} MiB | ${runs} |`,
    );
  }
}
const objectRows: string[] = [];
if (events.includes('bench')) {
  for (const [n, runs] of quick ? [[1e5, 1]] : [[1e5, 3], [1e6, 2]]) {
    process.stderr.write(`object-per-agent ${sizeLabel(n)} `);
    const ms = measure(['object', String(n)], runs);
    process.stderr.write('\n');
    objectRows.push(`| object-per-agent toy | 240 | ${sizeLabel(n)} | ${rate(med(ms, (m) => m.agentStepsPerSecond))} | ${rate(med(ms, (m) => m.agentStepsPerCpuSecond))} | ${secs(med(ms, (m) => m.seconds))} | - | ${med(ms, (m) => m.maxRssMiB).toFixed(0)} MiB | ${runs} |`);
  }
}

// One run on several threads: the largest event at 1e6 agents in blocks (exodus run --threads N).
const threadRows: string[] = [];
if (!quick && events.includes(LARGE_EVENT)) {
  const runs = runsOption ? Number(runsOption) : 2;
  const base: M[][] = [];
  for (const threads of [1, 2]) {
    process.stderr.write(`${LARGE_EVENT} 1e6 in blocks, ${threads} thread(s) `);
    const ms = measure(['typed', LARGE_EVENT, String(1e6), '1', String(threads)], runs);
    process.stderr.write('\n');
    base.push(ms);
    const speedup = med(base[0], (m) => m.seconds) / med(ms, (m) => m.seconds);
    threadRows.push(`| ${LARGE_EVENT}, in blocks | ${threads} | ${rate(med(ms, (m) => m.agentStepsPerSecond))} | ${rate(med(ms, (m) => m.agentStepsPerCpuSecond))} | ${secs(med(ms, (m) => m.seconds))} | ${speedup.toFixed(2)}x | ${med(ms, (m) => m.maxRssMiB).toFixed(0)} MiB | ${runs} |`);
  }
}

const date = new Date().toISOString().slice(0, 10);
const table = [
  `Measured ${date}, Node ${process.versions.node}, one thread per run (\`npm run bench\`).`,
  '',
  '| event | steps | agents | agent-steps/s (wall) | agent-steps/s (CPU) | run | build | peak RSS | runs |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  ...objectRows,
  ...(threadRows.length
    ? ['', 'One run on several threads (1e6 agents; agent-steps/s of the run, and per CPU second over all threads):', '', '| run | threads | agent-steps/s (wall) | agent-steps/s (CPU) | run | speed-up | peak RSS | runs |', '|---|---|---|---|---|---|---|---|', ...threadRows]
    : []),
].join('\n');
console.log(table);

if (writeReadme) {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const text = readFileSync(readme, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    console.error(`README.md has no ${begin} ... ${end} section; the table is printed above only`);
  } else {
    const tmp = `${readme}.bench-${process.pid}`;
    writeFileSync(tmp, `${text.slice(0, a + begin.length)}\n${table}\n${text.slice(b)}`);
    renameSync(tmp, readme);
    console.error('README.md: benchmark table updated');
  }
}
