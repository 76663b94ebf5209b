// The queue worker: takes runs from the Redis queue (BullMQ) and computes them on its own worker
// threads. It first checks that the job was made by the same exodus (version and model code hash)
// and that the scenario arrived intact; otherwise it refuses the job (UnrecoverableError: failed
// at once, never retried), and the coordinator shows the reason. A worker that dies mid-run
// (kill -9) loses its lock; another worker's stalled-job check puts the job back in the queue.
import { hostname } from 'node:os';
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import { Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
import { threadRunner } from './threads.ts';
import { encodeOutput, contentHash } from './codec.ts';
import { localIdentity, type Identity } from './identity.ts';
import { KEEP_SECONDS, PREFIX, QUEUE_NAME, redisOptions, resultKey } from './connection.ts';
import type { JobData, JobReturn } from './pool.ts';

export interface QueueWorkerOptions {
  /** redis://host:port */
  url: string;
  /** Runs computed at the same time (one worker thread each). */
  threads: number;
  /** Shown in refusals and stored on each job (default host:pid). */
  name?: string;
  /**
   * How long a job stays claimed by a worker that stopped answering before another worker takes
   * it over (BullMQ lock duration; default 30 s).
   */
  lockMs?: number;
  /** What this worker claims to be (tests pretend to be another version). */
  identity?: Identity;
  onEvent?: (e: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'done'; jobId: string; scenario: string; seed: number; ms: number }
  | { type: 'refused'; jobId: string; reason: string }
  | { type: 'failed'; jobId: string; reason: string }
  | { type: 'error'; message: string };

export interface QueueWorker {
  readonly name: string;
  readonly identity: Identity;
  /** Jobs done, refused and failed so far. */
  readonly stats: { done: number; refused: number; failed: number; active: number; lastActivity: number };
  /** Stop taking jobs; with `force` false, finish the runs in progress first. */
  close(force?: boolean): Promise<void>;
}

/** Why a worker refuses a job, or undefined when it can run it. */
export function refusal(data: JobData, me: Identity, name: string): string | undefined {
  const who = `worker ${name}`;
  if (data?.v !== 1 || !data.task) return `${who} refused a job it cannot read (job format ${String(data?.v)}, expected 1); run the same exodus version on every machine`;
  if (data.exodus !== me.version || data.code !== me.code) {
    return `${who} refused the run: it has exodus ${me.version} (model code ${me.code}), the coordinator exodus ${data.exodus} (model code ${data.code}); install the same exodus version and sources on every machine (exodus worker --identity prints them)`;
  }
  const got = contentHash(data.task.scenario);
  if (got !== data.scenarioHash) return `${who} refused the run: scenario hash mismatch (received ${got}, the coordinator sent ${data.scenarioHash}); the job was altered on its way`;
  return undefined;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const me = o.identity ?? localIdentity();
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const conn = redisOptions(o.url);
  const redis = new Redis(conn as IoRedisOptions);
  redis.on('error', (e) => o.onEvent?.({ type: 'error', message: `redis: ${e.message}` }));
  const runner = threadRunner(Math.max(1, o.threads));
  const stats = { done: 0, refused: 0, failed: 0, active: 0, lastActivity: Date.now() };
  const lockMs = o.lockMs ?? 30_000;

  const handle = async (job: Job<JobData, JobReturn>): Promise<JobReturn> => {
    stats.active++;
    stats.lastActivity = Date.now();
    try {
      const why = refusal(job.data, me, name);
      if (why) {
        stats.refused++;
        o.onEvent?.({ type: 'refused', jobId: job.id!, reason: why });
        throw new UnrecoverableError(why);
      }
      const t0 = performance.now();
      const out = await runner.run(job.data.task);
      const buf = encodeOutput(out);
      await redis.set(resultKey(job.id!), buf, 'EX', KEEP_SECONDS);
      stats.done++;
      const ms = performance.now() - t0;
      o.onEvent?.({ type: 'done', jobId: job.id!, scenario: job.data.task.scenario.name, seed: job.data.task.seed, ms });
      return { bytes: buf.length, kind: out.kind, worker: name };
    } catch (e) {
      if (!(e instanceof UnrecoverableError)) {
        stats.failed++;
        o.onEvent?.({ type: 'failed', jobId: job.id!, reason: (e as Error).message });
      }
      throw e;
    } finally {
      stats.active--;
      stats.lastActivity = Date.now();
    }
  };

  const worker = new Worker<JobData, JobReturn>(QUEUE_NAME, handle, {
    connection: conn,
    prefix: PREFIX,
    name,
    concurrency: Math.max(1, o.threads),
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.round(lockMs / 2)),
    // A run that crashed its worker twice is not tried a third time.
    maxStalledCount: 2,
    removeOnComplete: { age: KEEP_SECONDS },
    removeOnFail: { age: KEEP_SECONDS },
  });
  worker.on('error', (e) => o.onEvent?.({ type: 'error', message: e.message }));
  await worker.waitUntilReady();
  let closed = false;
  return {
    name,
    identity: me,
    stats,
    async close(force = false) {
      if (closed) return;
      closed = true;
      await worker.close(force);
      await runner.close();
      redis.disconnect();
    },
  };
}

/** Runs waiting, delayed or running in the queue (for --exit-when-idle). */
export async function unfinishedInQueue(url: string): Promise<number> {
  const { Queue } = await import('bullmq');
  const q = new Queue(QUEUE_NAME, { connection: redisOptions(url), prefix: PREFIX });
  q.on('error', () => {});
  try {
    const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  } finally {
    await q.close();
  }
}
