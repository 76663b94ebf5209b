// The one place that turns --workers and --queue into a Pool: local worker threads by default,
// a Redis queue (BullMQ) for `exodus worker` processes with --queue. Every command that runs
// many simulations (calibrate, compare, crossval, sweep, ...) takes these options.
import { createPool, defaultWorkers, type Pool } from '../calibrate/pool.ts';
import { createQueuePool } from '../queue/pool.ts';
import { redactUrl, redisOptions } from '../queue/connection.ts';
import { intOption, UsageError } from './args.ts';

/** parseArgs options to spread into a command's own. */
export const POOL_OPTIONS = { workers: { type: 'string' }, queue: { type: 'string' } } as const;

/** Help lines for POOL_OPTIONS (two-space indent, like every command's usage). */
export const POOL_HELP = `  --workers N       worker threads (default: the number of cores); results do not depend on it.
                    With --queue: threads of this process that also take runs from the queue
                    (default 0: the runs are left to the workers)
  --queue URL       send the runs to a Redis queue (redis://host:port) where "exodus worker"
                    processes on any machines compute them, instead of local threads; the results
                    are the same, byte for byte (README: "Many machines")`;

export interface PoolChoice {
  pool: Pool;
  /** For manifests: "local, 2 threads" or "queue redis://host:6379". */
  description: string;
  /** The runs go to a queue (send them in large batches: remote workers are many). */
  remote: boolean;
}

/**
 * A Pool from parsed options. `resume` (the command's --resume): take runs already finished in
 * the queue instead of computing them again. Close the pool when done.
 */
export function poolFromArgs(values: Record<string, unknown>, o: { resume?: boolean; stderr?: NodeJS.WritableStream } = {}): PoolChoice {
  const stderr = o.stderr ?? process.stderr;
  const url = values.queue as string | undefined;
  if (url === undefined) {
    const workers = intOption(values.workers, 'workers', defaultWorkers());
    return { pool: createPool(workers), description: `local, ${workers} thread${workers === 1 ? '' : 's'}`, remote: false };
  }
  checkQueueUrl(url);
  const threads = intOption(values.workers, 'workers', 0, 0);
  const pool = createQueuePool(url, { reuse: Boolean(o.resume), threads, onWait: (m) => stderr.write(`queue: ${m}\n`) });
  return { pool, description: `queue ${redactUrl(url)}${threads ? ` (+${threads} local thread${threads === 1 ? '' : 's'})` : ''}`, remote: true };
}

/** A bad --queue address is bad input (exit 2), not a queue failure. */
export function checkQueueUrl(url: string): void {
  try {
    redisOptions(url);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
