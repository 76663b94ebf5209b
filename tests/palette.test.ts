// The app palette: every built-in event's apps stay apart for normal vision and under simulated
// colour-vision deficiencies; apps beyond the palette get a deterministic colour; shock lines and
// event colours do not borrow app colours.
import { describe, expect, it } from 'vitest';
import { differenceCiede2000, filterDeficiencyDeuter, filterDeficiencyProt, filterDeficiencyTrit, parse, wcagContrast } from 'culori';
import { builtinNames, loadScenario } from '../src/scenarios/load.ts';
import { APPS, appColor, appColorScale, EVENT_COLORS, FALLBACK_COLORS, SHOCK_LINE_COLOR } from '../src/charts/style.ts';

const dE = differenceCiede2000();
const VISION = { normal: (c: object) => c, deutan: filterDeficiencyDeuter(1), protan: filterDeficiencyProt(1), tritan: filterDeficiencyTrit(1) };
/** Smallest CIEDE2000 difference of two colours over normal and fully deficient vision. */
function worst(a: string, b: string): { d: number; vision: string } {
  let best = { d: Infinity, vision: '' };
  for (const [vision, sim] of Object.entries(VISION)) {
    const d = dE(sim(parse(a)!) as never, sim(parse(b)!) as never);
    if (d < best.d) best = { d, vision };
  }
  return best;
}
// ΔE2000 ≈ 10 reads as "clearly different" for lines and points; a control pair shows the test can fail.
const MIN_DE = 10;

describe('app palette', () => {
  it('keeps the apps of every built-in event apart, also for colour-blind readers', () => {
    for (const name of builtinNames()) {
      const apps = loadScenario(name).scenario.platforms.map((p) => p.id);
      const { domain, range } = appColorScale(apps);
      for (let i = 0; i < domain.length; i++)
        for (let j = i + 1; j < domain.length; j++) {
          const w = worst(range[i], range[j]);
          expect(w.d, `${name}: ${domain[i]} vs ${domain[j]} (${w.vision})`).toBeGreaterThanOrEqual(MIN_DE);
        }
    }
  });

  it('control: the previous brand-like colours fail the same check', () => {
    // Telegram's light blue and Viber's lilac, as they were: one colour for a deutan reader.
    const w = worst('#2AABEE', '#B07FE0');
    expect(w.d).toBeLessThan(MIN_DE);
    expect(w.vision).toBe('deutan');
  });

  it('draws every app visibly on white, with one colour per app', () => {
    for (const a of APPS.filter((x) => x.id !== 'other')) expect(wcagContrast(a.color, '#ffffff'), a.label).toBeGreaterThanOrEqual(2);
    expect(new Set(APPS.map((a) => a.color.toLowerCase())).size).toBe(APPS.length);
  });

  it('gives apps beyond the palette a colour of their own by name, the same on every chart', () => {
    const a = appColor('Quokka Chat');
    expect(FALLBACK_COLORS).toContain(a);
    expect(APPS.map((x) => x.color)).not.toContain(a);
    expect(appColorScale(['Quokka Chat', 'WhatsApp', 'Zebra']).range[appColorScale(['Quokka Chat', 'WhatsApp', 'Zebra']).domain.indexOf('Quokka Chat')]).toBe(a);
    expect(appColorScale(['Quokka Chat']).range[0]).toBe(a);
  });

  it('keeps shock lines and event colours off the app colours', () => {
    const apps = new Set(APPS.map((a) => a.color.toLowerCase()));
    expect(apps.has(SHOCK_LINE_COLOR.toLowerCase())).toBe(false);
    // Events are told apart from one another (the fit overview); a control pair shows the bound bites.
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) expect(worst(EVENT_COLORS[i], EVENT_COLORS[j]).d).toBeGreaterThanOrEqual(MIN_DE);
  });
});
