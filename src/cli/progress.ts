// Progress on stderr for work longer than a second: a bar redrawn in place when stderr is a
// terminal; otherwise (piped, redirected, CI) one line every LINE_SECONDS, so a log shows it.
export interface Progress {
  update(done: number, note?: string): void;
  done(): void;
}

const LINE_SECONDS = 10;

/**
 * Time left (seconds) from the recent pace, not the average since the start: the later steps of a
 * run can carry many more decisions than the first (a shutdown, a block), and the average then
 * promises far too little. The pace is taken over the last quarter of the elapsed time (at least
 * 5 s); samples are (ms, share done) pairs, oldest first, pruned here.
 */
export class Eta {
  private t: number[] = [];
  private d: number[] = [];
  constructor(private readonly t0: number) {}
  /** Note the share done at `now` (ms); returns the seconds left, or undefined when unknown. */
  left(now: number, done: number): number | undefined {
    if (!(done > 0) || done >= 1) return undefined;
    if (!this.t.length || now - this.t[this.t.length - 1] >= 250) {
      this.t.push(now);
      this.d.push(done);
    }
    const window = Math.max(5000, 0.25 * (now - this.t0));
    let k = 0;
    while (k < this.t.length - 1 && now - this.t[k + 1] >= window) k++;
    if (k > 0) {
      this.t.splice(0, k);
      this.d.splice(0, k);
    }
    const dt = now - this.t[0];
    const dd = done - this.d[0];
    const elapsed = (now - this.t0) / 1000;
    if (dt < 1000 || !(dd > 0)) return elapsed * (1 / done - 1);
    return ((1 - done) * dt) / dd / 1000;
  }
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr, lineSeconds = LINE_SECONDS): Progress {
  const t0 = performance.now();
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  let shown = false;
  let last = 0;
  let state = { done: 0, note: '' };
  let timer: NodeJS.Timeout | undefined;
  const pace = new Eta(t0);
  const timing = (now: number, done: number) => {
    const elapsed = (now - t0) / 1000;
    const left = pace.left(now, done);
    const eta = left !== undefined ? `, ~${left.toFixed(0)}s left` : '';
    return `${elapsed.toFixed(0)}s${eta}`;
  };
  // Not a terminal: a line every lineSeconds, from a timer (so it shows between updates while
  // worker threads run) or from update (when a run in this thread keeps the timer from firing).
  let lastLine = t0;
  const line = () => (lastLine = performance.now()) && stream.write(`${label}: ${(Math.min(1, Math.max(0, state.done)) * 100).toFixed(0)}%  ${timing(performance.now(), state.done)}${state.note ? `  ${state.note}` : ''}\n`);
  if (!tty) {
    timer = setInterval(line, lineSeconds * 1000);
    timer.unref();
  }
  return {
    update(done, note) {
      state = { done, note: note ?? '' };
      if (!tty) {
        if (performance.now() - lastLine >= lineSeconds * 1000 && done < 1) line();
        return;
      }
      const now = performance.now();
      if (now - t0 < 1000 || (now - last < 100 && done < 1)) return;
      last = now;
      shown = true;
      const width = 30;
      const fill = Math.round(Math.min(1, Math.max(0, done)) * width);
      stream.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(done * 100).toFixed(0).padStart(3)}%  ${timing(now, done)}${note ? `  ${note}` : ''}\x1b[K`);
    },
    done() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

/**
 * Progress of counted work (runs): a bar with ETA on a terminal; elsewhere (CI, logs, a queue
 * coordinator in the background) a line every `everyMs` and one at the end, so long work shows life.
 */
export function progressCount(label: string, unit = 'runs', stream: NodeJS.WriteStream = process.stderr, everyMs = 10_000): { update(done: number, total: number): void; done(): void } {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const bar = progressBar(label, stream);
  const t0 = performance.now();
  let lastLine = t0;
  let printed = -1;
  let seen = { done: 0, total: 0 };
  const line = () => {
    const { done, total } = seen;
    const elapsed = (performance.now() - t0) / 1000;
    const eta = done > 0 && done < total ? `, ~${((elapsed / done) * (total - done)).toFixed(0)} s left` : '';
    stream.write(`${label}: ${done}/${total} ${unit} (${Math.floor((100 * done) / Math.max(1, total))}%), ${elapsed.toFixed(0)} s${eta}\n`);
    printed = done;
  };
  return {
    update(done, total) {
      seen = { done, total };
      if (tty) return bar.update(total ? done / total : 1, `${done}/${total} ${unit}`);
      const now = performance.now();
      if (now - lastLine >= everyMs) {
        lastLine = now;
        line();
      }
    },
    done() {
      if (tty) return bar.done();
      if (seen.total && seen.done !== printed) line();
    },
  };
}

/**
 * Progress of one run in two phases (building the world, then the steps): a bar with the time left
 * on a terminal; elsewhere a line every `everyMs` once the work has taken that long.
 */
export function runProgress(label: string, stream: NodeJS.WriteStream = process.stderr, everyMs = 30_000): { update(done: number, phase: 'build' | 'run'): void; done(): void } {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  let phase: 'build' | 'run' = 'build';
  // The bar only on a terminal: off one, this function writes its own lines (a bar there would
  // print its own "0%" lines every few seconds beside them, never updated).
  let bar = tty ? progressBar(`${label}: building the world`, stream) : undefined;
  let t0 = performance.now();
  let pace = new Eta(t0);
  let lastLine = t0;
  return {
    update(done, p) {
      if (p !== phase) {
        bar?.done();
        phase = p;
        bar = tty ? progressBar(label, stream) : undefined;
        t0 = performance.now();
        pace = new Eta(t0);
      }
      if (bar) return bar.update(done);
      const now = performance.now();
      const left = pace.left(now, done);
      if (now - lastLine < everyMs) return;
      lastLine = now;
      const elapsed = (now - t0) / 1000;
      const eta = left !== undefined ? `, ~${left.toFixed(0)} s left` : '';
      stream.write(`${label}: ${phase === 'build' ? 'building the world' : 'steps'} ${(100 * done).toFixed(0)}%, ${elapsed.toFixed(0)} s${eta}\n`);
    },
    done() {
      bar?.done();
    },
  };
}
