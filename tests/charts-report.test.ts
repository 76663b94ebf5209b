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

  it('embeds every chart spec, intact', () => {
    const m = html.match(/<script type="application\/json" id="exodus-specs">([\s\S]*?)<\/script>/);
    expect(m).not.toBeNull();
    const specs = JSON.parse(m![1]) as Record<string, unknown>;
    const all = [...input.overview, ...input.events.flatMap((e) => e.charts)];
    expect(Object.keys(specs)).toHaveLength(all.length);
    expect(Object.values(specs)).toEqual(all.map((c) => JSON.parse(JSON.stringify(c.spec))));
    for (const id of Object.keys(specs)) expect(html).toContain(`id="${id}"`);
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
