// Scenarios as a command loads them: each warning (a probable mistake that does not stop the run)
// goes to stderr on one line, and a run size set on the command line (--agents) is checked against
// this machine's memory before any work starts.
import { loadScenario, type LoadedScenario } from '../scenarios/load.ts';
import { checkRunSize } from '../scenarios/limits.ts';

export function loadFor(command: string, nameOrPath: string): LoadedScenario {
  const l = loadScenario(nameOrPath);
  for (const w of l.warnings ?? []) process.stderr.write(`exodus ${command}: warning: ${l.file}: ${w}\n`);
  return l;
}

/** Refuse `agents` agents (`parallel` runs at once) when they would not fit in memory. */
export function checkAgents(l: LoadedScenario, agents: number, o: { parallel?: number; table?: boolean } = {}): void {
  if (agents === l.scenario.agents && (o.parallel ?? 1) <= 1 && !o.table) return;
  checkRunSize(l.scenario, agents, { file: l.file, path: agents === l.scenario.agents ? '' : `with --agents ${agents}` }, o);
}
