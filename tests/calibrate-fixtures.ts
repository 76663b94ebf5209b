// Small scenarios and synthetic figures for the calibration tests.
import { loadScenarioText, type LoadedScenario } from '../src/scenarios/load.ts';
import { observeReplicates, comparedFigures } from '../src/calibrate/replicates.ts';
import { median } from '../src/calibrate/loss.ts';
import type { Params } from '../src/model/params.ts';

/** A tiny outage scenario (2 regions, 3 apps, 40 days) with figures whose values are placeholders. */
export function tinyScenarioText(name = 'tiny-outage', loudness = 1): string {
  return `
name: ${name}
title: Tiny outage for tests
time:
  start: 2020-01-01
  end: 2020-02-10
  step: 1d
  schedule:
    - { from: 2020-01-10, step: 2h }
    - { from: 2020-01-13, step: 1d }
  observe: 1d
agents: 3000
regions:
  - { id: north, population: 2000000, apps: { ChatA: 0.8, ChatB: 0.15, SecureC: 0.03 } }
  - { id: south, population: 6000000, apps: { ChatA: 0.7, ChatB: 0.25, SecureC: 0.01 } }
platforms:
  - { id: ChatA, quality: 0.5, features: [voice, video, e2ee, groups], privacy: 0.4 }
  - { id: ChatB, quality: 0.3, features: [voice, groups, channels], privacy: 0.5 }
  - { id: SecureC, quality: 0.2, features: [voice, e2ee], privacy: 0.9, price: 0.5 }
shocks:
  - { type: outage, platforms: [ChatA], start: 2020-01-10T12:00Z, duration: 12h, severity: 0.7, media: ${loudness}, mentions: { ChatB: 1, SecureC: 1 } }
fitted:
  - { name: loudness, path: "shocks[0].media", min: 0.1, max: 10, scale: log, prior: { centre: 2, spread: 0.3 }, doc: "Loudness of the tiny outage's news; prior around 2 for tests." }
figures:
  - { id: b-signups-day, platform: ChatB, metric: signups, date: 2020-01-10T12:00Z, window: 24h, value: 1, confidence: high }
  - { id: c-signups-day, platform: SecureC, metric: signups, date: 2020-01-10T12:00Z, window: 24h, value: 1, confidence: high }
  - { id: b-signups-month, platform: ChatB, metric: signups, date: 2020-01-12, window: 25d, value: 1, confidence: medium }
  - { id: b-mau-feb, platform: ChatB, metric: mau, date: 2020-02-09, value: 1, confidence: high }
  - { id: a-dau-jan, platform: ChatA, metric: dau, date: 2020-01-20, window: 7d, value: 1, confidence: high }
  - { id: b-dau-north, platform: ChatB, metric: dau, region: north, date: 2020-01-20, window: 7d, as: percent, value: 1, confidence: high }
`;
}

/** Replace the figures' values with the model's median over seeds at the given parameters. */
export async function withSyntheticFigures(text: string, o: { params: Partial<Params>; fitted?: Record<string, number>; seeds: number; agents: number; positive?: boolean }): Promise<LoadedScenario> {
  const l = loadScenarioText(text, 'tiny.yaml');
  const obs = comparedFigures(l).map((f) => f.obs);
  const vals = await observeReplicates(l, obs, { replicates: o.seeds, seed: 1, agents: o.agents, useCalibrated: false, params: o.params, fitted: o.fitted, workers: 1 });
  const s = structuredClone(l.scenario);
  s.figures = s.figures.map((f, j) => ({ ...f, value: median(vals.map((v) => v[j])) }));
  // With `positive`: a figure of 0 cannot be compared on a log scale (a scenario file may not hold
  // one); it would leave a test of inference nothing to learn from, silently.
  const zero = o.positive ? s.figures.find((f) => !(Number(f.value) > 0)) : undefined;
  if (zero) throw new Error(`withSyntheticFigures: figure ${zero.id} is ${zero.value} at these parameters; choose a truth or agents that give every figure a positive value`);
  return { ...l, scenario: s, hash: `${l.hash}-synthetic` };
}
