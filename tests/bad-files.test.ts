// Generated bad files: seeded mutations of the built-in scenarios (tests/fixtures/mutate.ts). Each one
// is either refused with one line naming the file and the field (or the line) and what was
// expected, or it is a scenario that runs cleanly. Validated in-process; a sample goes through the
// command line (exit code 2, one line, nothing written; or a run that writes its outputs).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { builtinNames, DEMO_FILE, EVENTS_DIR, loadScenarioText, type LoadedScenario } from '../src/scenarios/load.ts';
import { InputError } from '../src/scenarios/errors.ts';
import { simulateScenario } from '../src/scenarios/compile.ts';
import { resolveParams } from '../src/model/params.ts';
import { fmtValue, tidyRows } from '../src/model/results.ts';
import { toCsv } from '../src/scenarios/csv.ts';
import { mutants, type Mutant } from './fixtures/mutate.ts';

const bases = [
  { name: 'demo', text: readFileSync(DEMO_FILE, 'utf8') },
  ...builtinNames().map((n) => ({ name: n, text: readFileSync(join(EVENTS_DIR, `${n}.yaml`), 'utf8') })),
];
const ALL = mutants(2024, 200, bases);

/** "file: where: what", where is a field path or "line L, column C" (or a message about unknown fields). */
function checkMessage(m: Mutant, msg: string): void {
  const file = `${m.name}.yaml`;
  const ctx = `${m.what}\n  -> ${msg.slice(0, 300)}`;
  expect(msg.split('\n'), ctx).toHaveLength(1);
  expect(msg.length, ctx).toBeLessThan(1000);
  expect(msg.startsWith(`${file}: `), ctx).toBe(true);
  const rest = msg.slice(file.length + 2);
  const where = rest.split(': ')[0];
  const namesField = /^unknown fields? "/.test(rest) || (rest.includes(': ') && !/^(expected|not valid|missing|unknown)/.test(where));
  expect(namesField, ctx).toBe(true);
}

type Outcome = { m: Mutant; loaded?: LoadedScenario; error?: string };
const outcomes: Outcome[] = ALL.map((m) => {
  try {
    return { m, loaded: loadScenarioText(m.text, `${m.name}.yaml`) };
  } catch (e) {
    if (e instanceof InputError) return { m, error: e.message };
    return { m, error: `NOT AN InputError: ${(e as Error).stack}` };
  }
});

/** Run a loaded scenario small and write its table: no exception, every value finite and >= 0. */
function runsCleanly(l: LoadedScenario): void {
  const r = simulateScenario(l.scenario, resolveParams({}), { seed: 1, agents: 200 }, { hash: l.hash });
  const rows = tidyRows(r);
  expect(rows.every((x) => Number.isFinite(x.value) && x.value >= 0)).toBe(true);
  expect(toCsv(['time', 'region', 'platform', 'metric', 'value'], rows.map((x) => [x.time, x.region, x.platform, x.metric, fmtValue(x.value)])).length).toBeGreaterThan(0);
}

describe('generated bad files', () => {
  it('the generator is deterministic and makes both kinds: files refused and files that still load', () => {
    expect(mutants(2024, 20, bases)).toEqual(ALL.slice(0, 20));
    const refused = outcomes.filter((o) => o.error).length;
    expect(refused).toBeGreaterThan(0.4 * ALL.length);
    expect(ALL.length - refused).toBeGreaterThan(0.05 * ALL.length);
  });

  it('every refused file gets one line naming the file and the field, never an internal error', () => {
    for (const o of outcomes) if (o.error) checkMessage(o.m, o.error);
  });

  it('files that load run cleanly (all of the demo, a sample of the events)', () => {
    const loaded = outcomes.filter((o) => o.loaded);
    const demo = loaded.filter((o) => o.m.base === 'demo');
    const events = loaded.filter((o) => o.m.base !== 'demo').slice(0, 4);
    expect(demo.length).toBeGreaterThan(3);
    for (const o of [...demo, ...events]) {
      try {
        runsCleanly(o.loaded!);
      } catch (e) {
        throw new Error(`${o.m.name} (${o.m.what}) loads but does not run cleanly: ${(e as Error).message}`);
      }
    }
  });

  it('through the command line: exit 2 and one line each, nothing written; a good one runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-mutants-'));
    const bin = join(import.meta.dirname, '..', 'bin', 'exodus.mjs');
    // One of each kind of mutation that was refused, up to eight files.
    const kinds = new Map<string, Outcome>();
    for (const o of outcomes) if (o.error && !o.error.startsWith('NOT') && !kinds.has(o.m.what.split(' ')[0])) kinds.set(o.m.what.split(' ')[0], o);
    const bad = [...kinds.values()].slice(0, 8);
    for (const o of bad) writeFileSync(join(dir, `${o.m.name}.yaml`), o.m.text);
    const v = spawnSync(process.execPath, [bin, 'validate', ...bad.map((o) => `${o.m.name}.yaml`)], { cwd: dir, encoding: 'utf8' });
    expect(v.status).toBe(2);
    expect(v.stderr.trim().split('\n')).toEqual([...bad.map((o) => `exodus validate: ${o.error}`), `exodus validate: ${bad.length} of ${bad.length} files have problems`]);
    const r = spawnSync(process.execPath, [bin, 'run', `${bad[0].m.name}.yaml`, '--agents', '200', '--out', 'out-bad'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`exodus run: ${bad[0].error}`);
    expect(existsSync(join(dir, 'out-bad'))).toBe(false);
    const good = outcomes.find((o) => o.loaded && o.m.base === 'demo')!;
    writeFileSync(join(dir, 'good.yaml'), good.m.text);
    const g = spawnSync(process.execPath, [bin, 'run', 'good.yaml', '--agents', '200', '--out', 'out-good'], { cwd: dir, encoding: 'utf8' });
    expect(g.status, `${good.m.what}: ${g.stderr}`).toBe(0);
    expect(readFileSync(join(dir, 'out-good', 'series.csv'), 'utf8')).toMatch(/^time,region,platform,metric,value\n/);
  });
});
