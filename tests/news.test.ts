// Who news reaches: news of harm to an app (its outage) makes its users reconsider; news without
// harm (attention) reaches everyone. Checked on the rate itself, person by person.
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/scenarios/load.ts';
import { resolveRun } from '../src/api.ts';
import { compileScenario } from '../src/scenarios/compile.ts';
import { stepPlan } from '../src/model/engine.ts';
import { createWorld, assignMainApps } from '../src/model/population.ts';
import { makeFields, resetFields } from '../src/model/fields.ts';
import { applyShocks } from '../src/model/shocks/index.ts';
import { newsRate, newsRateBound } from '../src/model/decide.ts';
import { ACTIVE } from '../src/model/world.ts';

function worldAt(extraShock: string | null, t: number) {
  const loaded = loadScenario('facebook-outage-2019');
  const r = resolveRun(loaded, { useCalibrated: false });
  const input = compileScenario(r.scenario);
  if (extraShock) {
    // An attention shock about Telegram, naming nothing, at the same time as the outage.
    const outage = r.scenario.shocks[0];
    const att = compileScenario({ ...r.scenario, shocks: [{ ...outage, type: 'attention', platforms: ['Telegram'], media: 1, mentions: { Telegram: 0 } } as never] }).shocks[0];
    input.shocks = [att];
  }
  const plan = stepPlan(input);
  const w = createWorld(input, 3000, 1, plan.t, input.days);
  const f = makeFields(w.R, w.K);
  resetFields(f, input.platforms, t);
  assignMainApps(w, f, r.params, input, 1);
  applyShocks(input.shocks, t, f, r.params);
  return { w, f, p: r.params, platforms: input.platforms.map((x) => x.id) };
}

describe('news reaches', () => {
  const t = 12 + 20 / 24; // 13 March 2019, 20:00 UTC: the outage is under way
  it('the users of the apps an outage hits, and nobody else', () => {
    const { w, f, p, platforms } = worldAt(null, t);
    const hit = ['WhatsApp', 'Messenger', 'Instagram'].map((a) => platforms.indexOf(a));
    let users = 0;
    let others = 0;
    for (let i = 0; i < w.n; i++) {
      if (w.primary[i] === 255) continue;
      const uses = hit.some((a) => w.status[i * w.K + a] & ACTIVE);
      const rate = newsRate(w, f, p, i, w.region[i]);
      expect(rate).toBeLessThanOrEqual(newsRateBound(f, p, w.region[i]) + 1e-12);
      if (uses) {
        users++;
        expect(rate).toBeGreaterThan(p.considerBase);
      } else {
        others++;
        expect(rate).toBe(p.considerBase);
      }
    }
    expect(users).toBeGreaterThan(0);
    expect(others).toBeGreaterThan(0);
  });
  it('everyone, for news without harm', () => {
    const { w, f, p } = worldAt('attention', t);
    for (let i = 0; i < w.n; i++) {
      if (w.primary[i] === 255) continue;
      expect(newsRate(w, f, p, i, w.region[i])).toBeGreaterThan(p.considerBase);
    }
  });
});
