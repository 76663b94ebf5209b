// exodus schema: print or write the JSON Schema of scenario files (for editors).
import { writeFileSync } from 'node:fs';
import { parse } from './args.ts';
import { scenarioJsonSchema } from '../scenarios/schema.ts';

export const usage = `Usage: exodus schema [--out FILE]

Print the JSON Schema of scenario files (or write it to FILE). The project ships it as
data/scenario.schema.json; point your editor's YAML/JSON schema setting at it.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parse(argv, { out: { type: 'string' } }, usage);
  if (values.help) return console.log(usage), 0;
  const text = JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
  if (values.out) writeFileSync(values.out as string, text);
  else process.stdout.write(text);
  return 0;
}
