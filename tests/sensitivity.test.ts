// Morris elementary effects (src/calibrate/sensitivity.ts): a parameter the model never reads has
// no effect, one that drives the figures has one, and progress runs over all the points once.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { morris } from '../src/calibrate/sensitivity.ts';
import { buildSpace } from '../src/calibrate/space.ts';
import { openCheckpoint } from '../src/calibrate/checkpoint.ts';
import { createPool } from '../src/calibrate/pool.ts';
import { loadScenarioText } from '../src/scenarios/load.ts';
import { tinyScenarioText } from './calibrate-fixtures.ts';

describe('Morris sensitivity', () => {
  it('gives no effect to a parameter the event never uses, an effect to one it does, and progress to the end', async () => {
    const l = loadScenarioText(tinyScenarioText('t'));
    // The tiny outage throttles no app: betaThrottle is never read.
    const dims = buildSpace([l], { fit: ['reachOut', 'betaThrottle'] });
    const dir = mkdtempSync(join(tmpdir(), 'exodus-morris-'));
    const pool = createPool(1);
    const seen: number[] = [];
    let total = 0;
    try {
      const cells = await morris({
        events: [l],
        dims,
        agents: { t: 1500 },
        trajectories: 7,
        pool,
        checkpoint: openCheckpoint(join(dir, 'ck.jsonl'), { test: 1 }, false),
        onProgress: (d, n) => {
          seen.push(d);
          total = n;
        },
      });
      const of = (p: string) => cells.filter((c) => c.param === p).map((c) => c.muStar!);
      expect(of('betaThrottle').length).toBeGreaterThan(0);
      expect(of('betaThrottle').every((m) => m === 0)).toBe(true);
      expect(Math.max(...of('reachOut'))).toBeGreaterThan(0.01);
      // 7 trajectories x (3 dimensions + 1) points (two chunks of runs), reported over all of them, never backwards.
      expect(total).toBe(7 * (dims.length + 1));
      expect(seen.every((d, i) => i === 0 || d >= seen[i - 1])).toBe(true);
      expect(seen[seen.length - 1]).toBe(total);
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true });
    }
  }, 120_000);
});
