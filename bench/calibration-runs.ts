// The runs a calibration makes, timed: every built-in event at the agent count calibrate uses for it
// (src/calibrate/resolution.ts), a few seeds, CPU seconds per run. Compare two checkouts of the
// engine with it (the calibration's wall time is the sum of such runs spread over the workers).
// Usage: node --import tsx bench/calibration-runs.ts [seeds]
import { builtinNames, loadScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { simulateScenario } from '../src/scenarios/compile.ts';
import { calibrationAgents } from '../src/calibrate/resolution.ts';

const seeds = Number(process.argv[2] ?? 3);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let total = 0;
for (const ev of builtinNames()) {
  const loaded = loadScenario(ev);
  if (loaded.scenario.projection) continue; // calibrate fits the events with reported figures
  const r = resolveRun(loaded, { useCalibrated: false });
  const agents = calibrationAgents(loaded);
  const times: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const c0 = cpu();
    simulateScenario(r.scenario, r.params, { seed, agents }, { hash: loaded.hash });
    times.push(cpu() - c0);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  total += med;
  console.log(JSON.stringify({ event: ev, agents, medianCpuSeconds: Number(med.toFixed(3)) }));
}
console.log(JSON.stringify({ totalMedianCpuSeconds: Number(total.toFixed(3)) }));
