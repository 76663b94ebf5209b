// exodus list: the built-in events, one line each.
import { builtinNames, loadScenario } from '../scenarios/load.ts';
import { table } from './table.ts';

export const usage = `Usage: exodus list

List the built-in events (run them with \`exodus run <name>\`, inspect with \`exodus show <name>\`).`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) return console.log(usage), 0;
  const rows = [...builtinNames(), 'demo'].map((n) => {
    const s = loadScenario(n).scenario;
    return [n, `${s.time.start} .. ${s.time.end}`, `${s.title}${s.projection ? ' [projection]' : ''}`];
  });
  console.log(table(['event', 'span', 'description'], rows, ['l', 'l', 'l']));
  return 0;
}
