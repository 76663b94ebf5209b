// A Pool (same interface as the local worker threads of src/calibrate/pool.ts) that sends runs to
// a Redis queue (BullMQ) for `exodus worker` processes on any number of machines. Results come
// back in task order, so every caller that takes a pool works unchanged and gets the same bytes.
//
// A job's id is a hash of the model code and the task's inputs: a run is defined by its inputs
// and seed alone. So a run already finished in the queue (by a coordinator that was interrupted,
// or by another one) is found again by its id; with `reuse` (--resume) its output is taken from
// Redis instead of being computed again; without, it is computed afresh.
import { Queue, QueueEvents } from 'bullmq';
import { Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
import type { Pool } from '../calibrate/pool.ts';
import type { Task, TaskOutput } from '../calibrate/task.ts';
import { contentHash, decodeOutput, taskJson } from './codec.ts';
import { localIdentity, type Identity } from './identity.ts';
import { KEEP_SECONDS, PREFIX, QUEUE_NAME, QueueError, eventsKey, redactUrl, redisOptions, resultKey } from './connection.ts';
import { startQueueWorker, type QueueWorker, type WorkerEvent } from './worker.ts';

/** What a job carries: who made it (for the worker's version guard) and the task. */
export interface JobData {
  v: 1;
  exodus: string;
  code: string;
  scenarioHash: string;
  task: Task;
}

/** What a job returns (the output itself is in Redis under resultKey(jobId)). */
export interface JobReturn {
  bytes: number;
  kind: TaskOutput['kind'];
  worker: string;
}

export interface QueuePoolOptions {
  /** Take outputs of runs already finished in the queue (--resume); default false: recompute. */
  reuse?: boolean;
  /** Also work on the queue with this many threads of this process (default 0). */
  threads?: number;
  /** Told when runs wait with no worker taking them (every `waitNoticeMs`, default 30 s). */
  onWait?: (message: string) => void;
  waitNoticeMs?: number;
  /** How often pending jobs are checked besides the event stream (default 5 s). */
  pollMs?: number;
  /** Seconds to wait for Redis before giving up (default 10). */
  connectSeconds?: number;
  identity?: Identity;
  onWorkerEvent?: (e: WorkerEvent) => void;
}

export interface QueuePool extends Pool {
  readonly url: string;
  /** Runs whose outputs were taken from the queue (finished before this coordinator asked). */
  readonly reused: number;
}

export function jobIdOf(me: Identity, t: Task): string {
  return `${me.code}-${contentHash(t)}`;
}

type Pending = { indices: number[]; task: Task };

export function createQueuePool(url: string, o: QueuePoolOptions = {}): QueuePool {
  const conn = redisOptions(url);
  const shown = redactUrl(url);
  const me = o.identity ?? localIdentity();
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  let redis: Redis | undefined;
  let local: QueueWorker | undefined;
  let ready: Promise<void> | undefined;
  let busy = false;
  let reused = 0;
  // The batch in progress: its handlers, called from the event stream and the poll.
  let onCompleted: ((jobId: string) => void) | undefined;
  let onFailed: ((jobId: string, reason: string) => void) | undefined;

  const connect = async () => {
    redis = new Redis({ ...(conn as IoRedisOptions), lazyConnect: true, retryStrategy: (n) => Math.min(1000, 50 * n) });
    let lastError = '';
    redis.on('error', (e) => (lastError = e.message));
    const timeout = (o.connectSeconds ?? 10) * 1000;
    const t = setTimeout(() => redis?.disconnect(), timeout);
    try {
      await redis.connect();
      await redis.ping();
    } catch {
      throw new QueueError(`cannot reach Redis at ${shown}${lastError ? ` (${lastError})` : ''}; start it (redis-server) or check --queue`);
    } finally {
      clearTimeout(t);
    }
    queue = new Queue(QUEUE_NAME, { connection: conn, prefix: PREFIX });
    queue.on('error', () => {});
    // Read the event stream from its present end, so nothing finished after this is missed.
    const last = (await redis.xrevrange(eventsKey(), '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
    events = new QueueEvents(QUEUE_NAME, { connection: conn, prefix: PREFIX, lastEventId: last });
    events.on('error', () => {});
    events.on('completed', ({ jobId }) => onCompleted?.(jobId));
    events.on('failed', ({ jobId, failedReason }) => onFailed?.(jobId, failedReason));
    await events.waitUntilReady();
    if (o.threads && o.threads > 0) local = await startQueueWorker({ url, threads: o.threads, identity: me, onEvent: o.onWorkerEvent });
  };

  const output = async (jobId: string): Promise<TaskOutput | undefined> => {
    const buf = await redis!.getBuffer(resultKey(jobId));
    return buf ? decodeOutput(buf) : undefined;
  };

  const enqueue = async (list: [string, Pending][]) => {
    if (!list.length) return;
    await queue!.addBulk(
      list.map(([jobId, p]) => ({
        name: p.task.scenario.name,
        data: { v: 1 as const, exodus: me.version, code: me.code, scenarioHash: contentHash(p.task.scenario), task: taskJson(p.task) },
        opts: { jobId, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } },
      })),
    );
  };

  return {
    /** Threads of this process working on the queue (remote workers are not counted). */
    workers: o.threads ?? 0,
    url: shown,
    get reused() {
      return reused;
    },
    async run(tasks: Task[], onDone?: (done: number, total: number) => void): Promise<TaskOutput[]> {
      if (busy) throw new Error('pool.run: one batch at a time');
      if (tasks.length === 0) return [];
      busy = true;
      try {
        ready ??= connect();
        await ready;
        const out: TaskOutput[] = new Array(tasks.length);
        const pending = new Map<string, Pending>();
        tasks.forEach((task, i) => {
          const id = jobIdOf(me, task);
          const p = pending.get(id);
          if (p) p.indices.push(i);
          else pending.set(id, { indices: [i], task });
        });
        let done = 0;
        let lastProgress = Date.now();
        return await new Promise<TaskOutput[]>((resolve, reject) => {
          let finished = false;
          let timer: NodeJS.Timeout | undefined;
          const end = () => {
            finished = true;
            clearInterval(timer);
          };
          const fail = (e: Error) => {
            if (finished) return;
            end();
            reject(e);
          };
          const settle = (jobId: string, value: TaskOutput) => {
            const p = pending.get(jobId);
            if (!p || finished) return;
            pending.delete(jobId);
            for (const i of p.indices) out[i] = value;
            done += p.indices.length;
            lastProgress = Date.now();
            onDone?.(done, tasks.length);
            if (pending.size === 0) {
              end();
              resolve(out);
            }
          };
          const collect = async (jobId: string) => {
            if (!pending.has(jobId)) return;
            const v = await output(jobId);
            if (v) return settle(jobId, v);
            // Finished, but its output has expired: run it again.
            await queue!.remove(jobId);
            await enqueue([[jobId, pending.get(jobId)!]]);
          };
          const describe = (jobId: string) => {
            const p = pending.get(jobId)!;
            return `run ${p.indices[0] + 1} of ${tasks.length} (${p.task.scenario.name}, seed ${p.task.seed})`;
          };
          onCompleted = (jobId) => void collect(jobId).catch(fail);
          onFailed = (jobId, reason) => {
            if (pending.has(jobId)) fail(new QueueError(`${describe(jobId)} failed: ${reason}`));
          };

          // Runs the queue already knows: finished (reuse or recompute), failed (try again), or
          // queued or running (wait for them); the others are added.
          const start = async () => {
            const ids = [...pending.keys()];
            const states = await Promise.all(ids.map((id) => queue!.getJobState(id)));
            const add: [string, Pending][] = [];
            await Promise.all(
              ids.map(async (id, k) => {
                const s = states[k];
                if (s === 'completed' && o.reuse) {
                  const v = await output(id);
                  if (v) {
                    reused += pending.get(id)!.indices.length;
                    return settle(id, v);
                  }
                }
                if (s === 'completed' || s === 'failed') {
                  await queue!.remove(id);
                  await redis!.del(resultKey(id));
                } else if (s !== 'unknown') return;
                add.push([id, pending.get(id)!]);
              }),
            );
            await enqueue(add);
          };

          // The event stream is the fast path; this poll makes sure nothing is missed (events
          // lost while Redis was unreachable) and tells the user when no worker takes the runs.
          let lastNotice = Date.now();
          const poll = async () => {
            if (finished) return;
            // Only when the events have gone quiet: while runs finish, the stream is enough.
            const scan = Date.now() - lastProgress >= (o.pollMs ?? 5000);
            for (const id of scan ? [...pending.keys()] : []) {
              const s = await queue!.getJobState(id);
              if (s === 'completed') await collect(id);
              else if (s === 'failed') {
                const job = await queue!.getJob(id);
                if (job) onFailed!(id, job.failedReason);
              } else if (s === 'unknown') await enqueue([[id, pending.get(id)!]]);
              if (finished) return;
            }
            const quiet = Date.now() - Math.max(lastProgress, lastNotice);
            if (o.onWait && quiet > (o.waitNoticeMs ?? 30_000)) {
              lastNotice = Date.now();
              const c = await queue!.getJobCounts('active', 'wait');
              o.onWait(`${pending.size} runs not finished (${c.active ?? 0} running, ${c.wait ?? 0} waiting in the queue at ${shown}); is an "exodus worker --queue ${shown}" running?`);
            }
          };
          timer = setInterval(() => void poll().catch(fail), o.pollMs ?? 5000);
          start().catch(fail);
        });
      } finally {
        onCompleted = undefined;
        onFailed = undefined;
        busy = false;
      }
    },
    async close() {
      const r = ready;
      ready = undefined;
      if (!r) return;
      await r.catch(() => {});
      await local?.close();
      await events?.close();
      await queue?.close();
      redis?.disconnect();
    },
  };
}
