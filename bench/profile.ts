// Where the time of one run goes: bundles the sources (esbuild keeps lines, so the profile can
// name them), runs the event under node --cpu-prof, and prints self time per function, time per
// part of the engine (inclusive) and, with --lines FN, line-level self time of FN.
// Usage: node --import tsx bench/profile.ts [event] [agents] [--lines pickTrial]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const lines = args.includes('--lines') ? args[args.indexOf('--lines') + 1] : undefined;
const [event = 'russia-blocks-2024-2026', agents = '200000'] = args.filter((a, k) => !a.startsWith('--') && args[k - 1] !== '--lines');
const root = fileURLToPath(new URL('..', import.meta.url));
// The bundle sits beside the scenario loader so that its paths (events/, data/) resolve as they do.
const bundle = join(root, 'src/scenarios/.profile-bundle.mjs');
const dir = mkdtempSync(join(tmpdir(), 'exodus-prof-'));
try {
  execFileSync(join(root, 'node_modules/.bin/esbuild'), [join(root, 'bench/profile-one.ts'), '--bundle', '--platform=node', '--format=esm', '--packages=external', `--outfile=${bundle}`, '--log-level=warning']);
  process.stdout.write(execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, bundle, event, agents], { encoding: 'utf8' }));
  const prof = join(dir, readdirSync(dir)[0]);
  const parts = 'simulate,createWorld,buildNetwork,assignMainApps,reconsider,reachOut,require,tellContacts,sweep,refresh,applyShocks,resetFields,drain,sort';
  const top = join(root, 'bench/profile-top.mjs');
  process.stdout.write(execFileSync(process.execPath, [top, prof, '25', '--inclusive', parts], { encoding: 'utf8' }));
  if (lines) process.stdout.write(execFileSync(process.execPath, [join(root, 'bench/profile-lines.mjs'), prof, lines], { encoding: 'utf8' }));
} finally {
  rmSync(bundle, { force: true });
  rmSync(dir, { recursive: true, force: true });
}
