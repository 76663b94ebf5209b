// The manifest written beside every output: enough to reproduce it.
import { readFileSync } from 'node:fs';
import type { LoadedScenario } from '../scenarios/load.ts';
import type { Resolved } from '../api.ts';

export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

export function manifest(x: { command: string; loaded: LoadedScenario; resolved: Resolved; seed: number; agents: number; wallMs: number; replicates?: number; extra?: Record<string, unknown> }) {
  return {
    exodus: VERSION,
    command: x.command,
    scenario: { name: x.loaded.scenario.name, title: x.loaded.scenario.title, file: x.loaded.file, hash: x.loaded.hash, projection: x.loaded.scenario.projection },
    seed: x.seed,
    agents: x.agents,
    ...(x.replicates ? { replicates: x.replicates } : {}),
    params: x.resolved.params,
    fitted: x.resolved.fitted,
    paramSource: x.resolved.paramSource,
    node: process.version,
    wallSeconds: Number((x.wallMs / 1000).toFixed(2)),
    ...(x.extra ?? {}),
  };
}
