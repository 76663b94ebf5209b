// One benchmark measurement in a fresh process (so peak memory is this run's alone). Prints one line
// of JSON. Usage:
//   node --import tsx bench/run-one.ts typed <event | bench> <agents> [seed] [threads]
//   (threads: a run in blocks on that many threads, as exodus run --threads)
//   node --import tsx bench/run-one.ts object <agents>
// Agent-steps per second count every agent in every step of the run (build excluded); `cpu` rates
// use the process's CPU time over the run instead of the wall clock (fairer on a busy machine).
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { compileScenario, simulateScenario } from '../src/scenarios/compile.ts';
import { simulateThreads } from '../src/model/threads.ts';
import { defaultParams } from '../src/model/params.ts';
import { runObjectModel } from './object-engine.ts';

const BENCH_YAML = fileURLToPath(new URL('./bench.yaml', import.meta.url));
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const [impl, a1, a2, a3, a4] = process.argv.slice(2);
if (impl === 'typed') {
  const event = a1;
  const agents = Number(a2);
  const seed = Number(a3 ?? 1);
  const loaded = loadScenario(event === 'bench' ? BENCH_YAML : event);
  const r = resolveRun(loaded, { useCalibrated: false });
  let cpuAtStart = 0;
  const threads = a4 === undefined ? undefined : Number(a4);
  const opts = {
    seed,
    agents,
    threads,
    onProgress: (_d: number, phase: 'build' | 'run') => {
      if (phase === 'run' && cpuAtStart === 0) cpuAtStart = cpuSeconds();
    },
  };
  const res = threads === undefined ? simulateScenario(r.scenario, r.params, opts, { hash: loaded.hash }) : await simulateThreads(compileScenario(r.scenario), r.params, opts, { hash: loaded.hash });
  const seconds = (res.wallMs - res.buildMs) / 1000;
  const cpu = cpuSeconds() - cpuAtStart;
  const steps = res.stepTimes.length;
  console.log(JSON.stringify({
    impl, event, agents: res.agents, steps, threads: threads ?? 0, seconds, cpuSeconds: cpu, buildSeconds: res.buildMs / 1000,
    agentStepsPerSecond: (res.agents * steps) / seconds, agentStepsPerCpuSecond: (res.agents * steps) / cpu,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }));
} else if (impl === 'object') {
  const agents = Number(a1);
  const steps = 240;
  const t0 = performance.now();
  const c0 = cpuSeconds();
  runObjectModel({ agents, shares: [[0.8, 0.15, 0.03], [0.7, 0.25, 0.01]], steps, dt: 1 / 24, outage: { app: 0, from: 2.5, to: 3, severity: 0.7, media: 1 } }, defaultParams(), 1);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  console.log(JSON.stringify({
    impl, event: 'bench', agents, steps, seconds, cpuSeconds: cpu, buildSeconds: 0,
    agentStepsPerSecond: (agents * steps) / seconds, agentStepsPerCpuSecond: (agents * steps) / cpu,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }));
} else {
  console.error('usage: run-one.ts typed <event | bench> <agents> [seed] | object <agents>');
  process.exitCode = 2;
}
