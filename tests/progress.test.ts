// Progress lines of a long run when stderr is not a terminal (CI, a log file): only the run's own
// lines (phase, share done, time left), every `everyMs`, and no stale "0%" lines of a bar beside them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Writable } from 'node:stream';
import { runProgress } from '../src/cli/progress.ts';

afterEach(() => vi.useRealTimers());

describe('exodus run progress off a terminal', () => {
  it('writes one line per interval with the phase and the time left, nothing else', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    let text = '';
    const stream = new Writable({ write: (c, _e, cb) => ((text += c), cb()) }) as unknown as NodeJS.WriteStream;
    const p = runProgress('run x', stream, 30_000);
    for (let s = 1; s <= 120; s++) {
      vi.advanceTimersByTime(1000);
      p.update(s <= 40 ? s / 40 : (s - 40) / 80, s <= 40 ? 'build' : 'run');
    }
    p.done();
    const lines = text.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/^run x: (building the world|steps) \d+%, \d+ s(, ~\d+ s left)?$/);
  });
  it('takes the time left from the recent pace: later steps that are ten times slower are foreseen', () => {
    // The first half of the steps at 1% a second, the rest at 0.1% a second (a shutdown begins).
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    let text = '';
    const stream = new Writable({ write: (c, _e, cb) => ((text += c), cb()) }) as unknown as NodeJS.WriteStream;
    const p = runProgress('run x', stream, 30_000);
    p.update(1, 'build');
    const doneAt = (t: number) => (t <= 50 ? t / 100 : Math.min(1, 0.5 + (t - 50) / 1000));
    for (let t = 1; t <= 500; t++) {
      vi.advanceTimersByTime(1000);
      p.update(doneAt(t), 'run');
    }
    p.done();
    // Lines from 60% to 90% (t = 150..450 s): the time left is (1 - done) x 1000 s. The average
    // since the start would say about a third of that (at 70%: 107 s for 300).
    const lines = text.split('\n').filter((l) => / steps (6|7|8)\d%|steps 90%/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const l of lines) {
      const done = Number(l.match(/steps (\d+)%/)![1]) / 100;
      const left = Number(l.match(/~(\d+) s left/)?.[1]);
      expect(left, l).toBeGreaterThan(0.8 * (1 - done) * 1000);
      expect(left, l).toBeLessThan(1.2 * (1 - done) * 1000);
    }
  });
});

