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
});
