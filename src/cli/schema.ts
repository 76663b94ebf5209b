// exodus schema: print or write the JSON Schema of scenario files (for editors).
import { parse } from './args.ts';
import { writeOutputFile } from './output.ts';
import { scenarioJsonSchema } from '../scenarios/schema.ts';

export const usage = `Usage: exodus schema [--out FILE] [--force]

Print the JSON Schema of scenario files (or write it to FILE). The project ships it as
data/scenario.schema.json; point your editor's YAML/JSON schema setting at it.

Options:
  --out FILE        write it to FILE; an existing file is replaced only when it is a schema
                    exodus wrote
  --force           replace FILE whatever it is
  -h, --help        this help`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parse(argv, { out: { type: 'string' }, force: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage), 0;
  const text = JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
  if (values.out) {
    writeOutputFile(values.out as string, text, { option: '--out', force: Boolean(values.force), what: 'a scenario schema', recognise: (t) => t.includes('"title": "exodus scenario"') });
  }
  else process.stdout.write(text);
  return 0;
}
