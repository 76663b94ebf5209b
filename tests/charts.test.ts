// Chart specs: schema-valid, warning-free, consistently styled, with a source note, and they
// render to SVG/PNG with real text.
import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import {
  APPS,
  appColor,
  appColorScale,
  appLabel,
  compileSpec,
  crossvalChart,
  figureStatus,
  fitChart,
  flowsChart,
  formatCount,
  formatPercent,
  lossChart,
  posteriorChart,
  renderPng,
  renderSvg,
  timeseriesChart,
  timeseriesCharts,
  validateSpec,
  weightedQuantile,
} from '../src/charts/index.ts';
import { BASE_CONFIG, logTicks, VEGA_LITE_SCHEMA } from '../src/charts/style.ts';
import * as fx from './fixtures/charts/fixtures.ts';
import { darkPixels, decodePng } from './fixtures/charts/png.ts';

const source = fx.SOURCE_NOTE;
const titles = { [fx.privacy2021.event]: 'WhatsApp privacy 2021', [fx.russia2025.event]: 'Russia 2025' };

const builders: Record<string, () => TopLevelSpec> = {
  'timeseries (log, figures with windows and ranges)': () =>
    timeseriesChart({ event: fx.privacy2021.title, metric: 'dau', bands: fx.privacyBands, figures: fx.privacyFigures, shocks: fx.privacyShocks, source, log: true }),
  'timeseries (linear, open-ended shocks)': () =>
    timeseriesChart({ event: fx.russia2025.title, metric: 'dau', bands: fx.russiaBands, figures: fx.russiaFigures, shocks: fx.russiaShocks, source }),
  'timeseries (no figures, no shocks)': () =>
    timeseriesChart({ event: 'bare', metric: 'signups', bands: fx.privacyBands, source: { note: source } }),
  'timeseries (all 13 apps + other, percent axis, figure without model value)': () => {
    const { bands, figures } = fx.allAppsShare(APPS.map((a) => a.label));
    return timeseriesChart({ event: 'All apps', metric: 'share', bands, figures, source });
  },
  fit: () => fitChart({ rows: fx.fitRows(fx.allFigures), figures: fx.allFigures, source, eventTitles: titles }),
  'fit (rows only)': () => fitChart({ rows: fx.fitRows(fx.allFigures), source }),
  flows: () => flowsChart({ event: fx.russia2025.event, cells: fx.flows, source }),
  'flows (few apps)': () => flowsChart({ event: fx.privacy2021.event, cells: fx.flows, source }),
  posterior: () => posteriorChart({ draws: fx.posterior(120), source }),
  loss: () => lossChart({ generations: fx.generations, source }),
  crossval: () => crossvalChart({ rows: fx.crossval, source, eventTitles: titles }),
};

/** Every object in a spec, depth first. */
function* walk(node: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(node)) for (const n of node) yield* walk(n);
  else if (node && typeof node === 'object') {
    yield node as Record<string, unknown>;
    for (const v of Object.values(node)) yield* walk(v);
  }
}

/** The first colour scale with an explicit domain/range whose domain includes `label`. */
function colorOf(spec: TopLevelSpec, label: string): string | undefined {
  for (const o of walk(spec)) {
    const enc = o.encoding as { color?: { scale?: { domain?: string[]; range?: string[] } } } | undefined;
    const scale = enc?.color?.scale;
    const i = scale?.domain?.indexOf(label) ?? -1;
    if (scale?.range && i >= 0) return scale.range[i];
  }
  return undefined;
}

function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe('spec builders', () => {
  for (const [name, build] of Object.entries(builders)) {
    it(`${name}: valid against the Vega-Lite schema, compiles without warnings, carries the source note`, () => {
      const spec = build();
      const result = validateSpec(spec);
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
      expect(compileSpec(spec).warnings).toEqual([]);
      expect((spec as { $schema?: string }).$schema).toBe(VEGA_LITE_SCHEMA);
      const note = [...walk(spec)].find((o) => o.name === 'source_note');
      expect(note, 'source note view').toBeDefined();
      const lines = (note!.data as { values: { lines: string[] }[] }).values[0].lines.join(' ');
      expect(lines).toContain('Source:');
      expect(lines).toContain('fixture data');
      expect(JSON.stringify(spec)).toContain(BASE_CONFIG.font as string);
    });
  }

  it('timeseriesCharts makes one chart per metric', () => {
    const charts = timeseriesCharts({ event: 'x', bands: fx.privacyBands, figures: fx.privacyFigures, source });
    expect(charts.map((c) => c.metric)).toEqual(['dau', 'signups']);
  });

  it('rejects a chart without a source note', () => {
    expect(() => crossvalChart({ rows: fx.crossval, source: '  ' })).toThrow(/source note/);
  });

  it('validateSpec reports a misspelt encoding property readably', () => {
    const bad = { $schema: VEGA_LITE_SCHEMA, data: { values: [] }, mark: 'point', encoding: { x: { feild: 'a', type: 'quantitative' } } };
    const result = validateSpec(bad);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/\/encoding\/x: unexpected property "feild"/);
    expect(result.errors.length).toBeLessThanOrEqual(8);
  });

  it('marks a figure hollow when the band misses it, and knows figures without a model value', () => {
    const [tg500, signalDau] = fx.privacyFigures;
    expect(figureStatus(tg500)).toBe('outside');
    expect(figureStatus(signalDau)).toBe('inside');
    expect(figureStatus({ ...tg500, model: undefined })).toBe('no model value');
    // A reported range overlapping the band counts as inside.
    expect(figureStatus({ ...tg500, reportedLo: 3.5e8, reportedHi: 6e8 })).toBe('inside');
    expect(figureStatus({ ...tg500, inside: true })).toBe('inside');
  });

  it('stops a linear axis at three times the highest median or figure, cuts wider bands off there and says so', () => {
    // A posterior predictive band a hundred times the median would otherwise flatten every line.
    const rows = fx.russiaBands.filter((b) => b.region === fx.russiaBands[0].region);
    const wide = rows.map((b, k) => (k === 3 ? { ...b, hi: b.median * 100 } : b));
    const top = (spec: TopLevelSpec) => Math.max(...[...walk(spec)].filter((o) => o.zero === true && Array.isArray(o.domain)).map((o) => (o.domain as number[])[1]));
    const highest = Math.max(...rows.map((b) => b.median), ...rows.map((b) => b.hi));
    const plain = timeseriesChart({ event: 'e', metric: 'dau', bands: rows, source });
    const cut = timeseriesChart({ event: 'e', metric: 'dau', bands: wide, source });
    expect(Math.abs(top(plain) / highest - 1)).toBeLessThan(1e-3); // the chart rounds to 4 digits
    const subtitle = (spec: TopLevelSpec) => [...walk(spec)].flatMap((o) => (Array.isArray(o.subtitle) ? o.subtitle : typeof o.subtitle === 'string' ? [o.subtitle] : [])).join(' ');
    expect(subtitle(plain)).not.toMatch(/cut off/);
    expect(top(cut)).toBeLessThanOrEqual(3 * Math.max(...rows.map((b) => b.median)) * (1 + 1e-3));
    expect(top(cut)).toBeGreaterThanOrEqual(highest * (1 - 1e-3));
    expect(subtitle(cut)).toMatch(/Bands reaching above a panel are cut off at its top/);
  });

  it('draws a band cut off at the top within reach of the panel, so the PNG rasteriser fills it', async () => {
    // resvg left a band empty when its polygon reached far above the panel (a posterior draw with
    // 1000 times the median): the band's ends are held at twice the panel's top.
    const rows = fx.russiaBands.filter((b) => b.region === fx.russiaBands[0].region);
    const wide = rows.map((b, k) => (k % 5 === 3 ? { ...b, hi: b.median * 1000 } : b));
    const svg = await renderSvg(timeseriesChart({ event: 'e', metric: 'dau', bands: wide, source }));
    const areas = [...svg.matchAll(/aria-roledescription="area mark" d="([^"]+)"/g)].map((m) => m[1]);
    expect(areas.length).toBeGreaterThan(0);
    const ys = areas.flatMap((d) => [...d.matchAll(/[ML][-\d.e]+,([-\d.e]+)/g)].map((m) => Number(m[1])));
    const height = 300;
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(-1.5 * height);
    expect(Math.min(...ys)).toBeLessThan(0); // the band does reach above the panel (and is clipped there)
  });

  it('shades bands only for the apps with reported figures, and says so', async () => {
    const rows = fx.russiaBands.filter((b) => b.region === fx.russiaBands[0].region);
    const apps = [...new Set(rows.map((b) => b.platform))];
    expect(apps.length).toBeGreaterThan(1);
    const figs = fx.russiaFigures.filter((f) => f.platform === apps[0] && f.metric === 'dau').map((f) => ({ ...f, region: rows[0].region }));
    expect(figs.length).toBeGreaterThan(0);
    const subtitle = (spec: TopLevelSpec) => [...walk(spec)].flatMap((o) => (Array.isArray(o.subtitle) ? o.subtitle : typeof o.subtitle === 'string' ? [o.subtitle] : [])).join(' ');
    const areaApps = async (spec: TopLevelSpec) => {
      const svg = await renderSvg(spec);
      return new Set([...svg.matchAll(/aria-roledescription="area mark"[^>]*?>|aria-label="[^"]*App: ([^";]+)"[^>]*aria-roledescription="area mark"/g)].map((m) => m[1]).filter(Boolean));
    };
    const withFigs = timeseriesChart({ event: 'e', metric: 'dau', bands: rows, figures: figs, source });
    const without = timeseriesChart({ event: 'e', metric: 'dau', bands: rows, source });
    expect([...(await areaApps(withFigs))].map(appLabel)).toEqual([appLabel(apps[0])]);
    expect((await areaApps(without)).size).toBe(apps.length);
    expect(subtitle(withFigs)).toMatch(/Bands are drawn for the apps with reported figures/);
    expect(subtitle(without)).not.toMatch(/apps with reported figures/);
  });

  it('draws figures only on the panel of their region, or where their region has no panel', () => {
    const bands = [
      ...fx.russiaBands.slice(0, 10),
      ...fx.russiaBands.slice(0, 10).map((b) => ({ ...b, region: 'RU' })),
    ];
    const figs = [
      { ...fx.russiaFigures[1], id: 'ru', region: 'RU' },
      { ...fx.russiaFigures[1], id: 'all', region: 'all' },
      { ...fx.russiaFigures[1], id: 'kz', region: 'KZ' },
    ];
    const ids = (spec: TopLevelSpec) =>
      [...new Set([...walk(spec)].filter((o) => typeof o.id === 'string' && 'reported' in o).map((o) => o.id))];
    expect(ids(timeseriesChart({ event: 'e', metric: 'dau', bands, figures: figs, source }))).toEqual(['all', 'kz']);
    expect(ids(timeseriesChart({ event: 'e', metric: 'dau', bands, figures: figs, source, region: 'RU' }))).toEqual(['ru', 'kz']);
  });

  it('keeps ratios (relative figures) off the axes of people and percentages, and says where they are', () => {
    const rows = fx.fitRows(fx.allFigures);
    const withRatio = fitChart({ rows: [...rows, { ...rows[0], id: 'ratio', reported: 5, median: 4, lo: 2, hi: 9, relative: true }], source });
    const text = JSON.stringify(withRatio);
    expect(text).not.toContain('"tip_id":"ratio"');
    // The subtitle is wrapped into lines by the chart's width: read it as one text.
    expect(text.replace(/",\s*"/g, ' ')).toContain('1 ratio (relative figures) in the fit tables.');
    expect(JSON.stringify(fitChart({ rows, source }))).not.toContain('relative figures');
    expect(validateSpec(withRatio)).toEqual({ valid: true, errors: [] });
  });
  it('weighted quantiles follow the weights', () => {
    const draws = [
      { value: 1, weight: 1 },
      { value: 2, weight: 1 },
      { value: 3, weight: 8 },
    ];
    expect(weightedQuantile(draws, 0.5)).toBe(3);
    expect(weightedQuantile(draws, 0.1)).toBe(1);
  });
});

describe('style', () => {
  it('gives each app one distinct colour, whatever the spelling', () => {
    const colors = APPS.map((a) => a.color.toLowerCase());
    expect(new Set(colors).size).toBe(APPS.length);
    expect(APPS.map((a) => a.id)).toEqual([
      'whatsapp', 'telegram', 'signal', 'threema', 'viber', 'imo', 'max', 'vk', 'messenger', 'instagram', 'discord', 'line', 'sms', 'other',
    ]);
    expect(appColor('WhatsApp')).toBe(appColor('whatsapp'));
    expect(appLabel('vk_messenger')).toBe('VK Messenger');
    expect(appLabel('Facebook Messenger')).toBe('Facebook Messenger');
    expect(appLabel('fb-messenger')).toBe('Facebook Messenger');
    // An app the palette does not know keeps one colour of its own on every chart, whatever
    // else is drawn (not "the n-th unknown app of this chart"), and none of the known apps'.
    const invented = appColor('some-new-app');
    expect(invented).toBe(appColor('Some New App'));
    expect(APPS.map((a) => a.color)).not.toContain(invented);
    const alone = appColorScale(['some-new-app']);
    const crowded = appColorScale(['zeta-chat', 'alpha-chat', 'some-new-app', 'whatsapp']);
    expect(crowded.range[crowded.domain.indexOf('some-new-app')]).toBe(alone.range[0]);
  });

  it('has one app legend, a figure legend with visible (filled) symbols, and a legend of the shock lines', () => {
    const vg = compileSpec(builders['timeseries (linear, open-ended shocks)']()).vega;
    const legends = [...walk(vg)].flatMap((o) => (Array.isArray(o.legends) ? (o.legends as Record<string, unknown>[]) : []));
    expect(legends.map((l) => l.title).sort()).toEqual(['App', 'Reported figure', 'Shock']);
    // The shock legend names the kinds of shock on the chart, each with its own dash pattern.
    const dashes = (vg.scales ?? []).find((s) => s.name === 'strokeDash') as { domain?: unknown; range?: unknown } | undefined;
    expect(dashes?.domain).toEqual(['outage', 'throttling', 'policy']);
    expect(new Set((dashes?.range as number[][]).map((d) => d.join(','))).size).toBe(3);
    const figure = legends.find((l) => l.title === 'Reported figure')!;
    expect(JSON.stringify(figure.encode ?? {})).not.toContain('transparent');
    expect(figure.symbolFillColor).toBeTruthy();
  });

  it('keeps an app’s colour across charts of different events', () => {
    const a = builders['timeseries (log, figures with windows and ranges)']();
    const b = builders['timeseries (linear, open-ended shocks)']();
    expect(colorOf(a, 'WhatsApp')).toBe(appColor('whatsapp'));
    expect(colorOf(b, 'WhatsApp')).toBe(appColor('whatsapp'));
    expect(colorOf(b, 'Max')).toBe(appColor('max'));
    expect(colorOf(a, 'Telegram')).toBe(colorOf(b, 'Telegram'));
  });

  it('formats counts compactly with B for billions', () => {
    expect(formatCount(1_500_000)).toBe('1.5M');
    expect(formatCount(2_100_000_000)).toBe('2.1B');
    expect(formatCount(999_950)).toBe('1M');
    expect(formatCount(320_000)).toBe('320k');
    expect(formatCount(12)).toBe('12');
    expect(formatCount(0.35)).toBe('0.35');
    expect(formatCount(-4_200)).toBe('-4.2k');
    expect(formatCount(Number.NaN)).toBe('–');
    expect(formatPercent(0.354)).toBe('35%');
    expect(logTicks(3e5, 2.5e6)).toEqual([5e5, 1e6, 2e6]);
  });
});

describe('rendering', () => {
  it('renders axis numbers as 1.5M / 1B, never as 1500000 or 1G', async () => {
    const texts = svgTexts(await renderSvg(builders.fit()));
    expect(texts).toContain('1B');
    expect(texts).toContain('500M');
    expect(texts.filter((t) => /^\d+(\.\d+)?G$/.test(t) || /^\d{5,}$/.test(t))).toEqual([]);
  });

  it('renders shock labels, the legend and the source note as SVG text', async () => {
    const texts = svgTexts(await renderSvg(builders['timeseries (linear, open-ended shocks)']()));
    expect(texts).toContain('Calls restricted in WhatsApp and Telegram');
    expect(texts).toContain('Max');
    expect(texts).toContain('VK Messenger');
    expect(texts.some((t) => t.startsWith('Source: Model: exodus'))).toBe(true);
  });

  // The title must reach the pixels: resvg silently drops text when it has no font, so a
  // chart without text would still be a valid PNG. These checks count dark pixels.
  const TITLE = 'Quokka Zebra 2025 exodus';
  const titled = (title: string) =>
    timeseriesChart({ event: 'x', metric: 'dau', bands: fx.russiaBands, source, title, subtitle: '' });

  it('draws the title: SVG text and dark pixels where the title sits', async () => {
    const svg = await renderSvg(titled(TITLE));
    expect(svgTexts(svg)).toContain(TITLE);
    const scale = 2;
    const withTitle = decodePng(renderPng(svg, { scale }));
    const without = decodePng(renderPng(await renderSvg(titled('')), { scale }));
    expect(withTitle.width).toBeGreaterThan(700 * scale);
    // The title line: top padding 12 px, 17 px bold text.
    const band = { y0: 0, y1: 34 * scale, x1: 400 * scale };
    const a = darkPixels(withTitle, band);
    const b = darkPixels(without, band);
    expect(a).toBeGreaterThan(1500);
    expect(b).toBeLessThan(a / 10);
  });

  it('control: the same PNG without the shipped font has no text (so the check above can fail)', async () => {
    const svg = await renderSvg(titled(TITLE));
    const scale = 2;
    const band = { y0: 0, y1: 34 * scale, x1: 400 * scale };
    const noFont = decodePng(renderPng(svg, { scale, fontFiles: [] }));
    expect(darkPixels(noFont, band)).toBeLessThan(50);
    // Text is a large share of all dark pixels of a chart: axis labels, legend, note.
    const withFont = decodePng(renderPng(svg, { scale }));
    expect(darkPixels(withFont)).toBeGreaterThan(darkPixels(noFont) + 10_000);
  });
});
