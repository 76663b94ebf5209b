// The checkpoint of a calibration: every finished run's observed values, keyed by what determines
// them (scenario hash, seed, agents, parameters, per-event values). The search itself is
// deterministic (its random draws are re-derived from the seed and the generation counters), so
// resuming replays it from the start, taking finished runs from here: nothing finished is run
// again, and the result is the same as without the interruption.
//
// Format: JSON lines in .exodus/calibrate-<hash>.jsonl; the first line holds the settings, then
// one line per finished run {"k": key, "v": [values]}. Lines are appended after every batch; a
// line cut short by a crash is ignored.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Checkpoint {
  readonly file: string;
  /** Runs found in the file when it was opened. */
  readonly resumed: number;
  get(key: string): number[] | undefined;
  /** Remember a finished run (written at the next flush). */
  put(key: string, values: number[]): void;
  flush(): void;
  readonly size: number;
}

export function hashOf(x: unknown, length = 16): string {
  return createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, length);
}

export function checkpointFile(dir: string, settings: unknown): string {
  return join(dir, `calibrate-${hashOf(settings)}.jsonl`);
}

/** Open (resume) or start a checkpoint for these settings. */
export function openCheckpoint(file: string, settings: unknown, resume: boolean): Checkpoint {
  const cache = new Map<string, number[]>();
  const head = JSON.stringify({ settings });
  if (resume && existsSync(file)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    if (lines[0] === head) {
      for (const line of lines.slice(1)) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as { k: string; v: (number | null)[] };
          cache.set(e.k, e.v.map((x) => (x === null ? NaN : x)));
        } catch {
          // a line cut short by an interruption: that run is simply done again
        }
      }
    }
  }
  const resumed = cache.size;
  if (resumed === 0) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, head + '\n');
  } else {
    // make sure a cut-short last line does not glue onto the next one
    const text = readFileSync(file, 'utf8');
    if (!text.endsWith('\n')) appendFileSync(file, '\n');
  }
  let pending: string[] = [];
  return {
    file,
    resumed,
    get: (k) => cache.get(k),
    put(k, v) {
      if (cache.has(k)) return;
      cache.set(k, v);
      pending.push(JSON.stringify({ k, v }));
    },
    flush() {
      if (pending.length === 0) return;
      appendFileSync(file, pending.join('\n') + '\n');
      pending = [];
    },
    get size() {
      return cache.size;
    },
  };
}
