// A progress bar on stderr when it is a terminal, shown only for work longer than a second.
export interface Progress {
  update(done: number, note?: string): void;
  done(): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const t0 = performance.now();
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  let shown = false;
  let last = 0;
  return {
    update(done, note) {
      if (!tty) return;
      const now = performance.now();
      if (now - t0 < 1000 || (now - last < 100 && done < 1)) return;
      last = now;
      shown = true;
      const width = 30;
      const fill = Math.round(Math.min(1, Math.max(0, done)) * width);
      const elapsed = (now - t0) / 1000;
      const eta = done > 0 ? elapsed * (1 / done - 1) : 0;
      stream.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(done * 100).toFixed(0).padStart(3)}%  ${elapsed.toFixed(0)}s, ~${eta.toFixed(0)}s left${note ? `  ${note}` : ''}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
