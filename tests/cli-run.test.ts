import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const bin = join(import.meta.dirname, '..', 'bin', 'exodus.mjs');
const exodus = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: 'pipe' });

describe('exodus run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exodus-run-'));
  it('writes tidy CSV, switches and a manifest, and prints a summary', () => {
    const out = exodus('run', 'demo', '--agents', '3000', '--seed', '4', '--out', join(dir, 'a'));
    expect(out).toMatch(/app\s+MAU start\s+MAU end\s+peak DAU\s+sign-ups\s+primary end/);
    const csv = readFileSync(join(dir, 'a', 'series.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('time,region,platform,metric,value');
    expect(csv[1]).toMatch(/^2020-01-01T00:00Z,north,ChatA,signups,0$/);
    const man = JSON.parse(readFileSync(join(dir, 'a', 'manifest.json'), 'utf8'));
    expect(man).toMatchObject({ command: 'run', seed: 4, agents: 3000, scenario: { name: 'demo' } });
    expect(man.scenario.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(Object.keys(man.params)).toContain('betaReach');
    expect(readFileSync(join(dir, 'a', 'switches.csv'), 'utf8')).toMatch(/^from,to,value\n/);
  });
  it('writes byte-identical series for the same seed', () => {
    exodus('run', 'demo', '--agents', '3000', '--seed', '4', '--out', join(dir, 'b'));
    expect(readFileSync(join(dir, 'b', 'series.csv'))).toEqual(readFileSync(join(dir, 'a', 'series.csv')));
  });
  it('has complete help', () => {
    expect(exodus('--help')).toMatch(/Commands:[\s\S]*run[\s\S]*list[\s\S]*show/);
    expect(exodus('run', '--help')).toMatch(/--seed N[\s\S]*--agents N[\s\S]*--out DIR[\s\S]*--params FILE/);
  });
  it('uses a --params file and rejects an unknown parameter in it', () => {
    const p = join(dir, 'p.json');
    execFileSync('sh', ['-c', `echo '{"params": {"betaReach": 3}}' > ${p}`]);
    exodus('run', 'demo', '--agents', '3000', '--params', p, '--out', join(dir, 'c'));
    expect(JSON.parse(readFileSync(join(dir, 'c', 'manifest.json'), 'utf8')).params.betaReach).toBe(3);
    execFileSync('sh', ['-c', `echo '{"params": {"betaRech": 3}}' > ${p}`]);
    expect(() => exodus('run', 'demo', '--params', p)).toThrow(/p\.json: params: unknown parameter "betaRech"/);
  });
});
