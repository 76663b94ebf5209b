// Layout decisions of the chart layer, each from its inputs: the focus window, shock labels that
// never overprint, log domains near the data, short names, dates as a reader says them, paths a
// chart may print; and the label-fit check itself (with controls, so it can fail).
import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { focusWindow, logDomain, placeLabels } from '../src/charts/layout.ts';
import { textWidth } from '../src/charts/fontmetrics.ts';
import { labelProblems } from '../src/charts/labelfit.ts';
import { displayPath, shortShockLabel } from '../src/charts/assemble.ts';
import { figureDateText, fitUnit } from '../src/charts/report.ts';
import { durationText, flowAxisTitle, perInterval, shortEventTitle, VEGA_LITE_SCHEMA } from '../src/charts/style.ts';

const DAY = 86_400_000;
const t = (iso: string) => Date.parse(iso);

describe('focusWindow', () => {
  const run = (start: string, end: string) => ({ start: t(start), end: t(end) });
  it('zooms into the days around a short shock with a figure, padded and in whole days', () => {
    const f = focusWindow({ span: run('2019-03-01', '2019-05-01'), shocks: [{ start: t('2019-03-13T16:00Z'), end: t('2019-03-14T06:00Z') }], figures: [{ start: t('2019-03-13T16:00Z'), end: t('2019-03-14T16:00Z') }], flow: true })!;
    expect(f).not.toBeNull();
    expect(f.start).toBeLessThan(t('2019-03-13T16:00Z'));
    expect(f.end).toBeGreaterThan(t('2019-03-14T16:00Z') + 4 * DAY); // room for the decay
    expect(f.start % DAY).toBe(0);
    expect(f.end % DAY).toBe(0);
    expect(f.end - f.start).toBeLessThan(0.2 * (t('2019-05-01') - t('2019-03-01')));
  });
  it('keeps the whole span when the shocks are spread over it', () => {
    const shocks = ['2024-08-09', '2024-10-08', '2024-12-13', '2025-06-24', '2025-08-13', '2025-10-20'].map((d) => ({ start: t(d) }));
    expect(focusWindow({ span: run('2024-07-01', '2026-03-01'), shocks, figures: [], flow: true })).toBeNull();
  });
  it('does not zoom a stock metric without figures near the shock', () => {
    const shocks = [{ start: t('2019-03-13T16:00Z'), end: t('2019-03-14T06:00Z') }];
    expect(focusWindow({ span: run('2019-03-01', '2019-05-01'), shocks, figures: [{ start: t('2019-04-01'), end: t('2019-05-01') }], flow: false })).toBeNull();
    expect(focusWindow({ span: run('2019-03-01', '2019-05-01'), shocks, figures: [], flow: true })).not.toBeNull();
  });
  it('does not zoom when the story fills much of the run', () => {
    expect(focusWindow({ span: run('2021-01-01', '2021-02-01'), shocks: [{ start: t('2021-01-10') }], figures: [{ start: t('2021-01-10'), end: t('2021-01-20') }], flow: true })).toBeNull();
  });
});

describe('placeLabels', () => {
  const boxes = (items: { x: number; texts: string[] }[], placed: NonNullable<ReturnType<typeof placeLabels>>) =>
    placed.map((p, i) => {
      const w = textWidth(p.text, 10.5);
      const x0 = p.align === 'left' ? items[i].x + 3 : items[i].x - 3 - w;
      return { lane: p.lane, x0, x1: x0 + w };
    });
  it('puts crowded labels in lanes without overlap and inside the plot', () => {
    const items = [0, 20, 40, 60, 700].map((x, i) => ({ x, texts: [`A rather long shock label number ${i}`, `Shock ${i}`] }));
    const placed = placeLabels(items, 760)!;
    expect(placed).not.toBeNull();
    const b = boxes(items, placed);
    for (const x of b) expect(x.x0 >= 0 && x.x1 <= 760).toBe(true);
    for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++) if (b[i].lane === b[j].lane) expect(b[i].x1 <= b[j].x0 || b[j].x1 <= b[i].x0).toBe(true);
    // The label at the right edge turns left rather than run out of the plot.
    expect(placed[4].align).toBe('right');
  });
  it('uses the short texts when the full ones do not fit, and gives up when nothing fits', () => {
    const items = [0, 10, 20, 30, 40].map((x, i) => ({ x, texts: [`An extremely long description of shock number ${i} and its consequences`, `S${i}`] }));
    const placed = placeLabels(items, 300)!;
    expect(placed.map((p) => p.text)).toEqual(['S0', 'S1', 'S2', 'S3', 'S4']);
    expect(placeLabels(items.map((i) => ({ ...i, texts: [i.texts[0]] })), 300)).toBeNull();
  });
});

describe('small helpers', () => {
  it('stops a log domain near the data', () => {
    expect(logDomain([3.2e6, 1.9e9])).toEqual([2e6, 2e9]); // not 10B for a population of 2B
    expect(logDomain([0, 120, 4.4e5])).toEqual([100, 5e5]);
  });
  it('names the interval of a flow axis', () => {
    expect(perInterval(DAY)).toBe('per day');
    expect(perInterval(DAY / 24)).toBe('per hour');
    expect(perInterval(7 * DAY)).toBe('per week');
    expect(flowAxisTitle('signups', DAY)).toBe('New sign-ups per day (people)');
    expect(durationText(DAY)).toBe('24 h');
    expect(durationText(5 * DAY)).toBe('5 days');
  });
  it('shortens event ids and shock labels for crowded charts', () => {
    expect(shortEventTitle('whatsapp-acquisition-2014')).toBe('WhatsApp acquisition 2014');
    expect(shortEventTitle('russia-blocks-2024-2026')).toBe('Russia blocks 2024–2026');
    expect(shortEventTitle('russia-telegram-block-2026-whatif')).toBe('Russia Telegram block 2026 what-if');
    expect(shortShockLabel('block', ['Signal'], 'Signal blocked')).toBe('Signal blocked');
    expect(shortShockLabel('promotion', ['Max'], 'Max pre-installed on new devices')).toBe('Max pre-installed');
    expect(shortShockLabel('block', ['Telegram'], 'Telegram blocked (court order of 13 April; lifted 18 June 2020)')).toBe('Telegram blocked');
    expect(shortShockLabel('outage', ['WhatsApp', 'Messenger', 'Instagram'], 'Facebook, Messenger, Instagram and WhatsApp partially down (~14 h)')).toBe('WhatsApp +2 down');
  });
  it('prints figure dates as a reader says them', () => {
    expect(figureDateText('2025-09-04', '2025-09-05T00:00Z')).toBe('4 Sep 2025');
    expect(figureDateText('2019-04', '2019-05-01T00:00Z')).toBe('Apr 2019');
    expect(figureDateText('2025-09-01', '2025-09-08T00:00Z')).toBe('1–7 Sep 2025');
    expect(figureDateText('2019-03-13T16:00Z', '2019-03-14T16:00Z')).toBe('13 Mar 2019 16:00 UTC + 24 h');
  });
  it('derives a fit row’s unit from how the figure is given', () => {
    expect(fitUnit({ metric: 'mau', as: 'percent' })).toBe('%');
    expect(fitUnit({ metric: 'signups', as: 'share-of-total' })).toBe('%');
    expect(fitUnit({ metric: 'mau', unit: '%' })).toBe('%');
    expect(fitUnit({ metric: 'installs', as: 'count' })).toBe('installs');
    expect(fitUnit({ metric: 'dau' })).toBe('people');
  });
  it('prints project files relative, and files elsewhere by name', () => {
    expect(displayPath(`${process.cwd()}/data/calibrated/params.json`)).toBe('data/calibrated/params.json');
    expect(displayPath('/somewhere/else/posterior.csv')).toBe('posterior.csv');
  });
});

describe('labelProblems', () => {
  const chart = (layer: unknown[], extra: object = {}): TopLevelSpec => ({ $schema: VEGA_LITE_SCHEMA, width: 300, height: 100, layer, ...extra }) as TopLevelSpec;
  const text = (x: number, y: number, label: string) => ({ data: { values: [{ x, y, label }] }, mark: { type: 'text', fontSize: 12 }, encoding: { x: { field: 'x', type: 'quantitative', scale: { domain: [0, 100] } }, y: { field: 'y', type: 'quantitative', scale: { domain: [0, 100] } }, text: { field: 'label' } } });
  it('finds two texts printed over each other', async () => {
    const p = await labelProblems(chart([text(50, 50, 'first label'), text(52, 50, 'second label')]));
    expect(p.join('\n')).toMatch(/"first label" \(mark\) overlaps "second label" \(mark\)/);
  });
  it('finds a legend label cut short', async () => {
    const spec = chart([{ data: { values: [{ a: 'An event with a very long name indeed, longer than the limit', v: 1 }] }, mark: 'point', encoding: { x: { field: 'v', type: 'quantitative' }, color: { field: 'a', type: 'nominal', legend: { labelLimit: 120 } } } }]);
    expect((await labelProblems(spec)).join('\n')).toMatch(/is cut at 120 px/);
  });
  it('finds a label on a rule line, and passes apart labels', async () => {
    const rule = { data: { values: [{ y: 50 }] }, mark: 'rule', encoding: { y: { field: 'y', type: 'quantitative', scale: { domain: [0, 100] } } } };
    expect((await labelProblems(chart([rule, text(50, 50, 'on the line')]))).join('\n')).toMatch(/"on the line" sits on a rule line/);
    expect(await labelProblems(chart([rule, text(20, 85, 'apart'), text(80, 15, 'far apart')]))).toEqual([]);
  });
});
