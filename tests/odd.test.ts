// docs/ODD.md describes the model; its parameter table must match src/model/params.ts.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PARAM_SPECS } from '../src/model/params.ts';
import { SHOCK_TYPES } from '../src/scenarios/schema.ts';

const odd = readFileSync(new URL('../docs/ODD.md', import.meta.url), 'utf8');
const rows = new Map(
  odd
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return [cells[1].replace(/`/g, ''), cells] as const;
    }),
);

describe('docs/ODD.md', () => {
  it.each(PARAM_SPECS.map((s) => [s.name, s] as const))('lists %s with its unit, range, default and whether it is calibrated', (name, s) => {
    const cells = rows.get(name);
    expect(cells, `${name} is missing from the parameter table of docs/ODD.md`).toBeDefined();
    expect(cells![2]).toBe(s.unit);
    expect(cells![3]).toBe(`${s.min} .. ${s.max} (${s.scale})`);
    expect(cells![4]).toBe(String(s.default));
    expect(cells![5].startsWith(s.fit ? 'yes' : 'no')).toBe(true);
  });
  it('lists no parameter the model does not have', () => {
    const names = new Set(PARAM_SPECS.map((s) => s.name));
    for (const k of rows.keys()) if (!k.includes(' ')) expect(names.has(k as never), `${k} is in docs/ODD.md but not in src/model/params.ts`).toBe(true);
  });
  it('describes every shock type', () => {
    for (const t of SHOCK_TYPES) expect(odd).toContain(`\`${t}\``);
  });
});
