// `exodus report` of a user's own scenario: that scenario's charts, the calibration's only when asked.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_FILE } from '../src/scenarios/load.ts';
import { CALIBRATED_PARAMS } from '../src/api.ts';
import { diagnosticsCharts } from '../src/charts/diagnostics-files.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'exodus.mjs');
const exodus = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: 'pipe' });
const dir = mkdtempSync(join(tmpdir(), 'exodus-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mine = join(dir, 'my-event.yaml');
copyFileSync(DEMO_FILE, mine);
const small = ['--agents', '800', '--replicates', '2', '--workers', '2'];

describe('exodus report <your scenario>', () => {
  it('holds that scenario’s charts and its fit overview, not the calibration’s', { timeout: 120_000 }, () => {
    exodus('report', mine, ...small, '--out', join(dir, 'a'));
    expect(readdirSync(join(dir, 'a', 'overview')).filter((f) => f.endsWith('.vl.json'))).toEqual(['fit-overview.vl.json']);
    const html = readFileSync(join(dir, 'a', 'report.html'), 'utf8');
    expect(html).not.toContain('Posterior distributions');
    expect(existsSync(join(dir, 'a', 'demo', 'flows.png'))).toBe(true);
  });

  it('adds the calibration’s charts with --with-calibration', { timeout: 120_000 }, () => {
    exodus('report', mine, ...small, '--with-calibration', '--out', join(dir, 'b'));
    const files = readdirSync(join(dir, 'b', 'overview')).filter((f) => f.endsWith('.vl.json')).sort();
    // Diagnostics charts come too where the calibration has diagnostics.json / sensitivity-*.csv.
    const diagnostics = diagnosticsCharts(CALIBRATED_PARAMS).map((c) => `${c.name}.vl.json`);
    expect(files).toEqual(['crossval.vl.json', 'fit-overview.vl.json', 'loss.vl.json', 'posterior.vl.json', ...diagnostics].sort());
    // Sources name the calibration files relative to the project, never the machine's folders.
    for (const f of files) expect(readFileSync(join(dir, 'b', 'overview', f), 'utf8')).not.toContain(process.cwd());
  });

  it('documents --with-calibration', () => {
    expect(exodus('report', '--help')).toMatch(/--with-calibration\s+also chart the calibration/);
  });
});
