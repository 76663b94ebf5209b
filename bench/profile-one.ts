// One run of an event for profiling: node --cpu-prof --import tsx bench/profile-one.ts <event> <agents> [seed]
import { runScenario } from '../src/api.ts';
const [ev, n, seed] = process.argv.slice(2);
const cpu0 = process.cpuUsage();
const res = runScenario(ev, { agents: Number(n), seed: Number(seed ?? 1), useCalibrated: false });
console.log(JSON.stringify({ event: ev, agents: res.agents, steps: res.stepTimes.length, buildS: res.buildMs / 1000, runS: (res.wallMs - res.buildMs) / 1000, cpuS: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu0)) }));
