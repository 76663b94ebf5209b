// How many agents a calibration run needs: enough that every compared figure is worth at least
// MIN_AGENTS_PER_FIGURE agents (an agent stands, on average over the figure's regions, for their
// population / their agents), never fewer than a floor, never more than the scenario's own number.
// Calibration runs many candidates, so it runs each event at the smallest scale that still
// resolves its figures; \`exodus compare\` checks the result at the scenario's full scale.
import type { LoadedScenario } from '../scenarios/load.ts';
import { allocateAgents } from '../model/population.ts';
import { comparedFigures } from './replicates.ts';
import { numericValue } from '../scenarios/load.ts';

export const MIN_AGENTS_PER_FIGURE = 5;
export const AGENTS_FLOOR = 10_000;

/** People a figure stands for (its value, or its share of the population). */
function peopleOf(l: LoadedScenario, regions: string | string[], value: number, as: string): number | undefined {
  const s = l.scenario;
  const ids = regions === 'all' ? s.regions.map((r) => r.id) : typeof regions === 'string' ? [regions] : regions;
  const pop = s.regions.filter((r) => ids.includes(r.id)).reduce((a, r) => a + r.population, 0);
  if (as === 'count') return value;
  if (as === 'percent') return (value / 100) * pop;
  return undefined; // share-of-total: a ratio of two model quantities
}

/** Agents for calibration runs of this scenario. */
export function calibrationAgents(l: LoadedScenario, floor = AGENTS_FLOOR): number {
  const s = l.scenario;
  if (s.agents <= floor) return s.agents;
  const weightAt = (agents: number) => {
    const counts = allocateAgents(s, agents);
    return new Map(s.regions.map((r, k) => [r.id, { pop: r.population, agents: counts[k] }]));
  };
  const enough = (agents: number) => {
    const w = weightAt(agents);
    return comparedFigures(l).every(({ figure: f, obs }) => {
      if (f.relativeTo) return true; // a ratio: its two sides are figures of the same scale
      const people = peopleOf(l, obs.regions, f.low ?? numericValue(f.value) ?? f.high ?? 0, f.as);
      if (people === undefined || !(people > 0)) return true;
      const ids = obs.regions === 'all' ? s.regions.map((r) => r.id) : typeof obs.regions === 'string' ? [obs.regions] : obs.regions;
      const pop = ids.reduce((a, id) => a + w.get(id)!.pop, 0);
      const weight = pop / ids.reduce((a, id) => a + w.get(id)!.agents, 0);
      return people / weight >= MIN_AGENTS_PER_FIGURE;
    });
  };
  for (let a = floor; a < s.agents; a = Math.round(a * 1.25)) if (enough(a)) return a;
  return s.agents;
}
