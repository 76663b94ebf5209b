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

/**
 * How many agents `value` of a compared figure (in the figure's own terms: people, or percent of
 * its regions' population) is worth in a run of `agents` agents; undefined for a ratio of model
 * quantities (share-of-total, relativeTo), whose two sides have the same scale.
 */
export function agentsWorth(l: LoadedScenario, fig: ReturnType<typeof comparedFigures>[number], value: number, agents: number): number | undefined {
  const s = l.scenario;
  const { figure: f, obs } = fig;
  if (f.relativeTo) return undefined;
  const people = peopleOf(l, obs.regions, value, f.as);
  if (people === undefined) return undefined;
  const counts = allocateAgents(s, agents);
  const ids = obs.regions === 'all' ? s.regions.map((r) => r.id) : typeof obs.regions === 'string' ? [obs.regions] : obs.regions;
  let pop = 0;
  let n = 0;
  s.regions.forEach((r, k) => {
    if (!ids.includes(r.id)) return;
    pop += r.population;
    n += counts[k];
  });
  return n > 0 ? people / (pop / n) : 0;
}

/** Agents for calibration runs of this scenario. */
export function calibrationAgents(l: LoadedScenario, floor = AGENTS_FLOOR): number {
  const s = l.scenario;
  if (s.agents <= floor) return s.agents;
  const enough = (agents: number) =>
    comparedFigures(l).every((fig) => {
      const f = fig.figure;
      const value = f.low ?? numericValue(f.value) ?? f.high ?? 0;
      if (!(value > 0)) return true;
      const worth = agentsWorth(l, fig, value, agents);
      return worth === undefined || worth >= MIN_AGENTS_PER_FIGURE;
    });
  for (let a = floor; a < s.agents; a = Math.round(a * 1.25)) if (enough(a)) return a;
  return s.agents;
}
