// Shared helper of the event scripts (src/scenarios/<event>.ts): each runs one built-in event through
// the `exodus run` command, so
//   npx tsx src/scenarios/facebook-outage-2019.ts --seed 3 --agents 30000
// behaves exactly like `exodus run facebook-outage-2019 --seed 3 --agents 30000`: same options, same
// outputs (out/<event>-seed<N>/series.csv, switches.csv, manifest.json), same summary and the same
// one-line error messages (exit code 2) for bad input.
import { builtinNames } from './load.ts';
import { cli } from '../cli/main.ts';

/** Run built-in event `name` with the command-line options `argv`; sets and returns the exit code. */
export async function runEventScript(name: string, argv: string[] = process.argv.slice(2)): Promise<number> {
  if (!builtinNames().includes(name)) {
    throw new Error(`runEventScript: "${name}" is not a built-in event (${builtinNames().join(', ')})`);
  }
  const code = await cli(['run', name, ...argv]);
  process.exitCode = code;
  return code;
}
