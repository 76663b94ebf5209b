// Golden outputs of the built-in events: each run with the shipped calibration at a small fixed
// size and seed, its scored figures (12 significant digits) and a hash of its whole output (tidy
// rows and switch matrix, bench/golden.ts). tests/golden.test.ts recomputes them; a change of the
// model or of the shipped calibration that moves any number must come with `npm run golden:update`
// (this script with --update), so the diff of tests/fixtures/golden.json shows what moved.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { builtinNames, loadScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { simulateScenario, observation } from '../src/scenarios/compile.ts';
import { observe } from '../src/model/observe.ts';
import { fmtValue, tidyRows, type RunResult } from '../src/model/results.ts';

export const GOLDEN_FILE = fileURLToPath(new URL('../tests/fixtures/golden.json', import.meta.url));
export const GOLDEN_AGENTS = 4000;
export const GOLDEN_SEED = 1;

/** A hash of a run's whole output: its tidy rows and its switch matrix (also bench/golden.ts). */
export function outputHash(res: RunResult): string {
  const h = createHash('sha256');
  for (const r of tidyRows(res)) h.update(`${r.time},${r.region},${r.platform},${r.metric},${fmtValue(r.value)}\n`);
  for (const v of res.switches) h.update(`${fmtValue(v)}\n`);
  return h.digest('hex').slice(0, 16);
}

export interface GoldenEvent {
  agents: number;
  seed: number;
  hash: string;
  figures: Record<string, string>;
}

/** One built-in event's golden output, computed now. */
export function goldenOf(name: string): GoldenEvent {
  const loaded = loadScenario(name);
  const r = resolveRun(loaded, {});
  const res = simulateScenario(r.scenario, r.params, { seed: GOLDEN_SEED, agents: GOLDEN_AGENTS }, { hash: loaded.hash });
  const figures: Record<string, string> = {};
  for (const f of r.scenario.figures.filter((x) => x.role === 'compare')) figures[f.id] = observe(res, observation(f, r.scenario)).toPrecision(12);
  return { agents: GOLDEN_AGENTS, seed: GOLDEN_SEED, hash: outputHash(res), figures };
}

export function readGolden(): Record<string, GoldenEvent> {
  return existsSync(GOLDEN_FILE) ? JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) : {};
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.argv.includes('--update')) {
    console.error('usage: npm run golden:update   (recomputes tests/fixtures/golden.json from the model and the shipped calibration)');
    process.exit(2);
  }
  const out: Record<string, GoldenEvent> = {};
  for (const name of builtinNames()) {
    out[name] = goldenOf(name);
    console.error(`golden: ${name} ${out[name].hash}`);
  }
  const tmp = `${GOLDEN_FILE}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(out, null, 2) + '\n');
  renameSync(tmp, GOLDEN_FILE);
  console.error(`golden: wrote ${GOLDEN_FILE}`);
}
