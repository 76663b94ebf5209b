// exodus run --scale / --threads: the memory check refuses in one line before anything is built,
// and bad values of the options are named.
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/run.ts';
import { checkMemory } from '../src/cli/memory-check.ts';
import { compileScenario } from '../src/scenarios/compile.ts';
import { resolveRun } from '../src/api.ts';
import { loadScenario } from '../src/scenarios/load.ts';

const GiB = 2 ** 30;

describe('exodus run --scale and --threads', () => {
  it('refuses a run that needs more memory than is available, saying how many agents would fit', () => {
    const input = compileScenario(resolveRun(loadScenario('russia-blocks-2024-2026'), { useCalibrated: false }).scenario);
    expect(() => checkMemory(input, { scale: 1 }, '--scale 1', 8 * GiB)).toThrow(
      /^--scale 1: 122,400,000 agents x 8 apps x 608 steps need about 1\d\.\d GiB at the peak, more than the 8\.00 GiB this machine has available now \(of .*\); expected at most about [\d,]+ agents/,
    );
    // The agents it says would fit do fit.
    let message = '';
    try {
      checkMemory(input, { scale: 1 }, '--scale 1', 8 * GiB);
    } catch (e) {
      message = (e as Error).message;
    }
    const fit = Number(/at most about ([\d,]+) agents/.exec(message)![1].replace(/,/g, ''));
    expect(fit).toBeGreaterThan(1e6);
    expect(() => checkMemory(input, { agents: fit }, '--agents', 8 * GiB)).not.toThrow();
    expect(() => checkMemory(input, { scale: 1 }, '--scale 1', 20 * GiB)).not.toThrow();
  });
  it('names bad values', async () => {
    await expect(main(['facebook-outage-2019', '--scale', '0'])).rejects.toThrow(/--scale: expected agents per person, a number above 0 and at most 10/);
    await expect(main(['facebook-outage-2019', '--scale', '0.5', '--agents', '1000'])).rejects.toThrow(/--scale and --agents: expected one of them, not both/);
    await expect(main(['facebook-outage-2019', '--threads', '0'])).rejects.toThrow(/--threads: expected an integer >= 1/);
  });
});
