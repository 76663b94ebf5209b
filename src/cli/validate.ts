// exodus validate: check scenario files without running them, every file given.
import { loadScenario } from '../scenarios/load.ts';
import { InputError } from '../scenarios/errors.ts';

export const usage = `Usage: exodus validate <event | scenario.yaml> [...]

Check scenario files: schema, references between ids, dates, figures, documented limits (regions,
steps, populations, ...) and whether a run fits in this machine's memory. Checks every file given
and prints "ok" per good file (stdout) or one message naming the file, the field and what was
expected (stderr); warnings (probable mistakes that do not stop a run) on stderr too. Exit code 2
when any file is bad.`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help') || argv.length === 0) return console.log(usage), argv.length ? 0 : 2;
  let bad = 0;
  for (const f of argv) {
    try {
      const { scenario, hash, warnings } = loadScenario(f);
      for (const w of warnings ?? []) console.error(`exodus validate: warning: ${f}: ${w}`);
      const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
      console.log(`${f}: ok (${scenario.name}, ${n(scenario.regions.length, 'region')}, ${n(scenario.platforms.length, 'platform')}, ${n(scenario.shocks.length, 'shock')}, ${n(scenario.figures.length, 'figure')}; hash ${hash})`);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      console.error(`exodus validate: ${e.message}`);
      bad++;
    }
  }
  if (bad > 0 && argv.length > 1) console.error(`exodus validate: ${bad} of ${argv.length} files have problems`);
  return bad > 0 ? 2 : 0;
}
