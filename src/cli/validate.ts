// exodus validate: check scenario files without running them.
import { loadScenario } from '../scenarios/load.ts';

export const usage = `Usage: exodus validate <event | scenario.yaml> [...]

Check scenario files: schema, references between ids, dates, figures. Prints "ok" per file, or one
message naming the file, the field and what was expected.`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help') || argv.length === 0) return console.log(usage), argv.length ? 0 : 2;
  for (const f of argv) {
    const { scenario, hash } = loadScenario(f);
    console.log(`${f}: ok (${scenario.name}, ${scenario.regions.length} regions, ${scenario.platforms.length} platforms, ${scenario.shocks.length} shocks, ${scenario.figures.length} figures; hash ${hash})`);
  }
  return 0;
}
