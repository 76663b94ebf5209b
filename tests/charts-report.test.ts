// The HTML report is one offline file that carries its data; chart files come in threes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReportHtml, fitTableHtml, writeChartFiles } from '../src/charts/index.ts';
import * as fx from './fixtures/charts/fixtures.ts';
import { reportInput } from './fixtures/charts/report-input.ts';
import { darkPixels, decodePng } from './fixtures/charts/png.ts';

const input = reportInput();

/** A spec with every `data: { name }` replaced by the named values (as Vega-Lite resolves them). */
function inlineData(node: unknown, sets: Record<string, unknown[]>): unknown {
  if (Array.isArray(node)) return node.map((n) => inlineData(n, sets));
  if (!node || typeof node !== 'object') return node;
  const o = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inlineData(v, sets)]));
  const data = o.data as { name?: string } | undefined;
  if (data && typeof data.name === 'string' && sets[data.name]) o.data = { values: sets[data.name] };
  return o;
}
const html = buildReportHtml(input);
const tmp = mkdtempSync(join(tmpdir(), 'exodus-charts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('buildReportHtml', () => {
  it('is a single file: no external scripts, styles, fonts or images', () => {
    expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/<link[^>]*\shref\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<(img|iframe|source|embed)[^>]*\ssrc\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
  });

  it('inlines vega, vega-lite and vega-embed (with its tooltip handler) in load order', () => {
    const libs = [...html.matchAll(/<script data-lib="([^"]+)">/g)].map((m) => m[1]);
    expect(libs).toEqual(['vega', 'vega-lite', 'vega-embed']);
    expect(html).toContain('vega-tooltip');
    expect(html.length).toBeGreaterThan(800_000);
  });

  it('embeds every chart spec, intact, with the data shared between charts stored once', () => {
    const block = (id: string) => html.match(new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`));
    expect(block('exodus-specs')).not.toBeNull();
    expect(block('exodus-data')).not.toBeNull();
    const specs = JSON.parse(block('exodus-specs')![1]) as Record<string, unknown>;
    const store = JSON.parse(block('exodus-data')![1]) as Record<string, unknown[]>;
    const all = [...input.overview, ...input.events.flatMap((e) => e.charts)];
    expect(Object.keys(specs)).toHaveLength(all.length);
    // With every named data set put back in place, each spec is the chart's own spec.
    const own = all.map((c) => JSON.parse(JSON.stringify(c.spec)) as { datasets?: Record<string, unknown[]> });
    const embedded = Object.values(specs).map((s) => inlineData(s, store));
    expect(embedded).toEqual(own.map(({ datasets, ...rest }) => inlineData(rest, datasets ?? {})));
    for (const id of Object.keys(specs)) expect(html).toContain(`id="${id}"`);
    // No data set is stored twice, and the store holds only what specs name.
    const values = Object.values(store).map((v) => JSON.stringify(v));
    expect(new Set(values).size).toBe(values.length);
    const named = new Set(JSON.stringify(specs).match(/"name":"d[0-9a-f]{12}"/g)!.map((m) => m.slice(8, -1)));
    expect(new Set(Object.keys(store))).toEqual(named);
  });

  it('stores a table that two charts draw once', () => {
    const chart = input.events[0].charts[0];
    const twice = buildReportHtml({ ...input, overview: [], events: [{ ...input.events[0], charts: [chart, { ...chart, name: 'again' }] }] });
    const once = buildReportHtml({ ...input, overview: [], events: [{ ...input.events[0], charts: [chart] }] });
    const none = buildReportHtml({ ...input, overview: [], events: [] });
    const data = JSON.stringify((chart.spec as { datasets?: unknown }).datasets ?? {}).length;
    expect(data).toBeGreaterThan(5000);
    // The second copy adds its spec, not its data again.
    expect(twice.length - once.length).toBeLessThan(once.length - none.length - 0.9 * data);
  });

  it('contains the title, narratives (escaped), fit tables, sources and the manifest', () => {
    expect(html).toContain(`<title>${input.title}</title>`);
    expect(html).toContain('&lt;while&gt;');
    expect(html).not.toContain('<while>');
    for (const f of fx.allFigures) {
      expect(html).toContain(`<code>${f.id}</code>`);
      expect(html).toContain(`href="${f.url}"`);
    }
    expect(html).toContain('<table class="fit">');
    expect(html).toContain('id="sources"');
    expect(html).toMatch(/<details>[\s\S]*&quot;replicates&quot;: 20[\s\S]*<\/details>/);
  });

  it('fit table rows show reported, model band, ratio and inside', () => {
    const table = fitTableHtml(fx.fitRows(fx.russiaFigures), fx.russiaFigures);
    const rows = table.split('\n').filter((l) => l.startsWith('<tr class='));
    expect(rows).toHaveLength(3);
    const max = rows.find((r) => r.includes('max-dau-sep'))!;
    expect(max).toContain('Mediascope via TASS (placeholder)');
    expect(max).toContain('18M<br><small>15M – 21M</small>');
    expect(max).toContain('13M [10M–16M]');
    expect(max).toContain('×0.722');
    expect(max).toContain('✗ no');
    const wa = rows.find((r) => r.includes('wa-dau-aug'))!;
    expect(wa).toContain('✓ yes');
    expect(wa).toContain('WhatsApp');
    // A figure the comparison skipped is still listed.
    const extra = { ...fx.russiaFigures[0], id: 'not-compared' };
    expect(fitTableHtml([], [extra])).toContain('not compared');
  });

  it('does not turn non-http URLs into links', () => {
    const evil = { ...fx.russiaFigures[0], url: 'javascript:alert(1)' };
    expect(fitTableHtml(fx.fitRows([evil]), [evil])).not.toContain('href="javascript');
  });
});

describe('writeChartFiles', () => {
  it('writes <name>.vl.json, .svg and .png', async () => {
    const spec = input.overview[1].spec;
    const paths = await writeChartFiles(join(tmp, 'charts'), 'crossval', spec, { scale: 1 });
    expect(JSON.parse(readFileSync(paths.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(spec)));
    expect(readFileSync(paths.svg, 'utf8')).toMatch(/^<svg[^>]*class="marks"/);
    const png = decodePng(readFileSync(paths.png));
    expect(png.width).toBeGreaterThan(400);
    expect(darkPixels(png)).toBeGreaterThan(2000);
  });
});
