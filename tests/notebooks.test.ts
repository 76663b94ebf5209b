// The notebooks (notebooks/*.ipynb): the committed files read well without running (every code cell has its
// outputs, no errors, every chart carries both the Vega-Lite spec and a PNG).
//
// Executing them from top to bottom on the project's Deno kernel takes minutes (a calibration runs in 02),
// so it is not part of `npm test`: `npm run notebooks:check` does it (it executes temporary copies and
// leaves the committed files alone), and CI (.ci/run) runs it after the tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');
const DIR = join(ROOT, 'notebooks');
const NOTEBOOKS = readdirSync(DIR)
  .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
  .sort();
const EXPECTED = ['01-quickstart', '02-compare-and-calibrate', '03-russia-what-if', '04-your-own-event'];
const VEGALITE = 'application/vnd.vegalite.v5+json';

interface Output {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  id?: string;
  source: string | string[];
  outputs?: Output[];
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
}

const read = (f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Notebook;
const text = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join('') : (s ?? ''));
const where = (f: string, c: Cell, i: number) => `${f}, cell ${c.id ?? `#${i + 1}`}`;

describe('committed notebooks', () => {
  it('are the four worked analyses', () => {
    expect(NOTEBOOKS.map((f) => f.replace(/\.ipynb$/, ''))).toEqual(EXPECTED);
  });

  it.each(NOTEBOOKS)('%s: uses the project kernel, is narrated, and every code cell has its outputs', (f) => {
    const nb = read(f);
    expect(nb.metadata.kernelspec?.name, `${f}: kernelspec`).toBe('exodus-deno');
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    const markdown = nb.cells.filter((c) => c.cell_type === 'markdown');
    expect(code.length, `${f}: code cells`).toBeGreaterThanOrEqual(3);
    expect(markdown.length, `${f}: markdown cells`).toBeGreaterThanOrEqual(3);
    expect(nb.cells.length, `${f}: cells (keep notebooks short)`).toBeLessThanOrEqual(16);
    nb.cells.forEach((c, i) => {
      if (c.cell_type !== 'code' || text(c.source).trim() === '') return;
      expect(c.outputs?.length ?? 0, `${where(f, c, i)} has no outputs: run \`npm run notebooks\``).toBeGreaterThan(0);
    });
  });

  it.each(NOTEBOOKS)('%s: has no errors, and every chart has both the Vega-Lite spec and a PNG', (f) => {
    const nb = read(f);
    let charts = 0;
    nb.cells.forEach((c, i) => {
      for (const o of c.outputs ?? []) {
        expect(o.output_type, `${where(f, c, i)}: ${o.ename}: ${o.evalue}`).not.toBe('error');
        if (o.output_type === 'stream' && o.name === 'stderr') {
          expect(text(o.text), `${where(f, c, i)}: stderr output`).not.toMatch(/error/i);
        }
        const data = o.data ?? {};
        const isChart = Object.keys(data).some((k) => k.startsWith('application/vnd.vegalite') || k.startsWith('application/vnd.vega.')) || 'image/png' in data;
        if (!isChart) continue;
        charts++;
        expect(Object.keys(data), `${where(f, c, i)}: chart MIME types`).toEqual(expect.arrayContaining([VEGALITE, 'image/png']));
        const spec = data[VEGALITE] as Record<string, unknown>;
        expect(spec.$schema, `${where(f, c, i)}: spec schema`).toMatch(/vega-lite\/v5/);
        const png = Buffer.from(String(data['image/png']), 'base64');
        expect(png.subarray(1, 4).toString('latin1'), `${where(f, c, i)}: PNG signature`).toBe('PNG');
        expect(png.length, `${where(f, c, i)}: PNG size`).toBeGreaterThan(5_000);
      }
    });
    expect(charts, `${f}: charts`).toBeGreaterThan(0);
  });

  it.each(NOTEBOOKS)('%s: outputs carry no ANSI colours and no machine-specific paths', (f) => {
    const outputs = JSON.stringify(read(f).cells.map((c) => c.outputs ?? []));
    expect(outputs).not.toMatch(/\\u001b\[/);
    expect(outputs.includes(ROOT), `${f}: outputs mention ${ROOT}`).toBe(false);
  });

  it('02 states where the parameters come from; 03 labels its projection', () => {
    const out = (f: string) => JSON.stringify(read(f).cells.map((c) => c.outputs ?? []));
    for (const f of NOTEBOOKS) expect(out(f), `${f}: parameter source`).toMatch(/Parameters: (shipped calibration|defaults)/);
    const nb03 = NOTEBOOKS.find((f) => f.startsWith('03'))!;
    expect(out(nb03)).toMatch(/PROJECTION/);
  });
});
