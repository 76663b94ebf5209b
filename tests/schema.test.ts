import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { scenarioJsonSchema } from '../src/scenarios/schema.ts';
import { builtinNames, EVENTS_DIR, DEMO_FILE } from '../src/scenarios/load.ts';

const shipped = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'data', 'scenario.schema.json'), 'utf8'));

describe('published JSON Schema', () => {
  it('is the one generated from the schema in code (run `npm run schema` after changing it)', () => {
    expect(shipped).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });
  const validate = new Ajv2020({ strict: false, allErrors: false }).compile(shipped);
  const files = [DEMO_FILE, ...builtinNames().map((n) => join(EVENTS_DIR, `${n}.yaml`))];
  for (const f of files) {
    it(`accepts ${f.split('/').pop()}`, () => {
      const ok = validate(parse(readFileSync(f, 'utf8')));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }
  it('rejects an unknown field, as the loader does', () => {
    const doc = parse(readFileSync(DEMO_FILE, 'utf8'));
    doc.colour = 'red';
    expect(validate(doc)).toBe(false);
  });
});
