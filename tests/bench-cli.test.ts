// The benchmark's command line: help without measuring, and bad arguments refused before any run
// (a full bench takes the best part of an hour and rewrites README.md, so a typo must not start it).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../bench/engine.bench.ts', import.meta.url));
const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('npm run bench', () => {
  it('--help prints the usage and measures nothing', () => {
    const r = bench('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run bench/);
    expect(r.stdout).toContain('--no-readme');
    expect(r.stderr).toBe('');
  });

  it.each([
    [['--frob'], /unknown argument --frob/],
    [['--runs', '0'], /--runs needs a whole number of at least 1, not "0"/],
    [['--runs'], /--runs needs a value/],
    [['--events', 'nope'], /--events: unknown event "nope" \(known: bench, /],
  ])('%j: one line, exit 2', (args, message) => {
    const r = bench(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
