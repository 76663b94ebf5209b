// exodus compare: the JSON and the printed table come from one structure and agree figure by figure.
import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/compare.ts';
import { human } from '../src/cli/table.ts';
import { ratioText, FIT_TABLE_HEADER } from '../src/calibrate/fittable.ts';
import { parseCsv } from '../src/scenarios/csv.ts';
import { tinyScenarioText } from './calibrate-fixtures.ts';

async function capture(argv: string[]): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  try {
    expect(await main(argv)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out.join('\n');
}

describe('exodus compare', () => {
  it('prints JSON that matches its table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-compare-'));
    const file = join(dir, 'tiny.yaml');
    // Reported values of different sizes, one a range, so ratios and "inside" vary.
    const text = tinyScenarioText()
      .replace('id: b-signups-day, platform: ChatB, metric: signups, date: 2020-01-10T12:00Z, window: 24h, value: 1', 'id: b-signups-day, platform: ChatB, metric: signups, date: 2020-01-10T12:00Z, window: 24h, value: 300000')
      .replace('id: b-mau-feb, platform: ChatB, metric: mau, date: 2020-02-09, value: 1', 'id: b-mau-feb, platform: ChatB, metric: mau, date: 2020-02-09, value: 2400000, low: 2000000, high: 2900000')
      .replace('as: percent, value: 1', 'as: percent, value: 12');
    writeFileSync(file, text);
    const args = [file, '--replicates', '4', '--agents', '1500', '--workers', '1', '--point', '--params', join(dir, 'p.json')];
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ params: { betaReach: 8 } }));
    const json = JSON.parse(await capture([...args, '--json', '--csv', join(dir, 'fit.csv')]));
    const txt = await capture(args);

    expect(Object.keys(json)).toEqual(expect.arrayContaining(['event', 'params', 'seed', 'figures', 'summary']));
    expect(json.params.betaReach).toBe(8);
    expect(json.figures).toHaveLength(6);
    const lines = txt.split('\n');
    const head = lines.findIndex((l) => l.startsWith('date '));
    expect(lines[head].split(/\s{2,}/)).toEqual(FIT_TABLE_HEADER);
    const rows = lines.slice(head + 2, head + 2 + json.figures.length).map((l) => l.split(/\s{2,}/));
    json.figures.forEach((f: any, i: number) => {
      const r = rows[i];
      expect(r[0]).toBe(f.date);
      expect(r[1]).toBe(f.platform);
      expect(r[2]).toBe(f.metric);
      expect(r[3]).toBe(f.measure);
      expect(r[6]).toBe(f.reported_low !== undefined ? `${human(f.reported_low)}-${human(f.reported_high)}` : human(f.reported));
      expect(r[7]).toBe(human(f.model.median));
      expect(r[8]).toBe(`${human(f.model.lo)}-${human(f.model.hi)}`);
      expect(r[9]).toBe(ratioText(f.log10_ratio));
      expect(r[10]).toBe(f.inside ? 'yes' : 'no');
    });
    const m = /all figures \((\d+)\): median \|log10 ratio\| ([\d.]+), max ([\d.]+), band coverage (\d+)%/.exec(txt)!;
    expect(Number(m[1])).toBe(json.summary.figures);
    expect(Number(m[2])).toBeCloseTo(json.summary.median_abs_log10, 3);
    expect(Number(m[3])).toBeCloseTo(json.summary.max_abs_log10, 3);
    expect(Number(m[4])).toBe(Math.round(100 * json.summary.coverage));
    // the summary is what the figures say
    const abs = json.figures.map((f: any) => Math.abs(f.log10_ratio)).sort((a: number, b: number) => a - b);
    expect(json.summary.max_abs_log10).toBeCloseTo(abs[abs.length - 1], 3);
    expect(json.summary.coverage).toBeCloseTo(json.figures.filter((f: any) => f.inside).length / 6, 3);
    // the range figure is scored against its range
    const range = json.figures.find((f: any) => f.id === 'b-mau-feb');
    if (range.model.median >= 2e6 && range.model.median <= 2.9e6) expect(range.log10_ratio).toBe(0);
    // the CSV has the FitRow columns and the same rows
    const csv = parseCsv(readFileSync(join(dir, 'fit.csv'), 'utf8'));
    expect(csv[0]).toEqual(['event', 'id', 'date', 'platform', 'metric', 'measure', 'geography', 'confidence', 'reported', 'median', 'lo', 'hi', 'log10_ratio', 'inside']);
    expect(csv.slice(1).map((r) => r[1])).toEqual(json.figures.map((f: any) => f.id));
    rmSync(dir, { recursive: true });
  });

  it('gives the median and the band over the posterior draws beside the parameter file, not the central estimate alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-compare-'));
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, tinyScenarioText());
    writeFileSync(join(dir, 'params.json'), JSON.stringify({ params: { reachOut: 8 } }));
    // Draws all on one side of the central estimate: a median over them moves away from its value.
    const draws = [0.2, 0.25, 0.3, 0.22].map((c, k) => `${k},reachOut,${c},0.25`);
    writeFileSync(join(dir, 'posterior.csv'), ['draw,param,value,weight', ...draws].join('\n') + '\n');
    const base = [file, '--replicates', '4', '--agents', '1500', '--workers', '1', '--params', join(dir, 'params.json'), '--json'];
    const post = JSON.parse(await capture(base));
    const point = JSON.parse(await capture([...base, '--point']));
    expect(post.posterior).toBe(true);
    expect(point.posterior).toBe(false);
    expect(post.median).toMatch(/posterior predictive median/);
    for (const f of post.figures) expect(f.model.posterior_median).toBeUndefined();
    // Far more patience in every draw (people whose app is down reach for another 30-fold less
    // often): fewer sign-ups in the day of the outage than at the central estimate.
    const signups = post.figures.map((f: any, j: number) => [f, point.figures[j]]).filter(([f, p]: any) => /signups-day$/.test(f.id) && p.model.median > 0);
    expect(signups.length).toBeGreaterThan(0);
    for (const [f, p] of signups) expect(f.model.median).toBeLessThan(p.model.median);
    rmSync(dir, { recursive: true });
  });
});
