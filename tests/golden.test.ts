// Golden outputs: every built-in event, run with the shipped calibration at a fixed size and seed,
// gives exactly the numbers in tests/fixtures/golden.json. A change that moves them (the model, the
// scenarios, the shipped calibration) must update the file (`npm run golden:update`) so that what
// moved is in the diff; a speed change must not move them at all.
import { describe, expect, it } from 'vitest';
import { builtinNames } from '../src/scenarios/load.ts';
import { goldenOf, readGolden } from '../scripts/golden.ts';

const golden = readGolden();

describe('golden outputs of the built-in events', () => {
  it('has one for every built-in event', () => {
    expect(Object.keys(golden).sort()).toEqual(builtinNames().sort());
  });
  it.each(builtinNames())('%s gives the recorded figures and the recorded output, byte for byte', (name) => {
    const now = goldenOf(name);
    expect(now.figures).toEqual(golden[name]?.figures);
    expect(now.hash).toBe(golden[name]?.hash);
  });
});
