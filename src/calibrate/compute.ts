// Worker threads for the calibration's own computing between simulation batches: the emulator fits
// (one job per event) and the posteriors of SBC's truths (one job per truth), which would otherwise
// run one after another on the main thread while the simulation threads sit idle. Each job is a pure
// function (jobs.ts) and results come back in job order, so they are the same bits whatever the
// number of threads; with threads <= 1 the jobs run in this thread.
//
// Separate from the simulation Pool (pool.ts): that one may be a Redis queue of remote workers,
// while these jobs are short and their inputs large, so they stay on this machine.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { runJob, type JobArgs, type JobName, type JobResult } from './jobs.ts';
import { whenReady } from './ready.ts';

const ENTRY = new URL('./compute-worker-entry.mjs', import.meta.url);

export interface MapOptions {
  /** Rough cost of each job: the dearest start first, so the threads finish together. */
  cost?: readonly number[];
  /** Called after each finished job (in the order they finish). */
  onDone?: (done: number, total: number) => void;
}

export interface ComputePool {
  readonly threads: number;
  /** Run `name` on every argument; results in argument order. Several maps may be in flight. */
  map<K extends JobName>(name: K, args: readonly JobArgs<K>[], o?: MapOptions): Promise<JobResult<K>[]>;
  /** Start the threads now (they load their code meanwhile) rather than at the first map. */
  warm(): void;
  close(): Promise<void>;
}

/** Threads for compute jobs by default: the machine's cores. */
export function defaultComputeThreads(): number {
  return Math.max(1, availableParallelism());
}

export function createComputePool(threads = defaultComputeThreads()): ComputePool {
  return threads <= 1 ? inProcessCompute() : threadCompute(threads);
}

/** The order to start jobs in: by cost, dearest first (ties in argument order). */
function startOrder(n: number, cost?: readonly number[]): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  if (cost) order.sort((a, b) => cost[b] - cost[a] || a - b);
  return order;
}

export function inProcessCompute(): ComputePool {
  return {
    threads: 1,
    async map(name, args, o = {}) {
      const out = new Array(args.length);
      let done = 0;
      for (const i of startOrder(args.length, o.cost)) {
        out[i] = runJob(name, args[i]);
        done++;
        o.onDone?.(done, args.length);
        // Let timers and signals (progress, Ctrl-C) run between jobs.
        await new Promise((r) => setImmediate(r));
      }
      return out;
    },
    warm() {},
    async close() {},
  };
}

interface Queued {
  /** The map the job belongs to. */
  batch: object;
  name: JobName;
  args: unknown;
  settle: (err: Error | undefined, out?: unknown) => void;
}

function threadCompute(n: number): ComputePool {
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  // Threads not yet ready (ready.ts: messages posted earlier may be lost).
  const starting = new Set<Worker>();
  const queue: Queued[] = [];
  const running = new Map<Worker, Queued>();
  let nextId = 0;

  const pump = () => {
    while (queue.length && idle.length) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      running.set(w, job);
      w.ref();
      w.postMessage({ id: nextId++, name: job.name, args: job.args });
    }
    while (queue.length > starting.size && workers.length < n) spawn();
    // Threads still starting keep the process alive only while there is work waiting for them.
    for (const w of starting) {
      if (queue.length) w.ref();
      else w.unref();
    }
  };
  const release = (w: Worker) => {
    running.delete(w);
    w.unref();
    idle.push(w);
  };
  const spawn = () => {
    const w = new Worker(ENTRY);
    w.unref();
    workers.push(w);
    starting.add(w);
    void whenReady(w).then(() => {
      if (!starting.delete(w)) return; // died or closed meanwhile
      w.unref();
      idle.push(w);
      pump();
    });
    w.on('message', (msg: { out?: unknown; error?: string; ready?: boolean }) => {
      if (msg.ready) return;
      const job = running.get(w);
      release(w);
      pump();
      if (job) job.settle(msg.error === undefined ? undefined : new Error(`compute job ${job.name} failed: ${msg.error}`), msg.out);
    });
    w.on('error', (e: Error) => {
      // A worker that died takes its job with it; the others carry on (a new one replaces it).
      // A thread that failed to start fails the first waiting job (rather than being replaced forever).
      const job = running.get(w) ?? (starting.has(w) ? queue.shift() : undefined);
      running.delete(w);
      starting.delete(w);
      workers.splice(workers.indexOf(w), 1);
      const k = idle.indexOf(w);
      if (k >= 0) idle.splice(k, 1);
      job?.settle(e);
      pump();
    });
    return w;
  };

  return {
    threads: n,
    map(name, args, o = {}) {
      if (args.length === 0) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        const out = new Array(args.length);
        let done = 0;
        let failed = false;
        const batch = {};
        for (const i of startOrder(args.length, o.cost)) {
          queue.push({
            batch,
            name,
            args: args[i],
            settle: (err, res) => {
              if (failed) return;
              if (err) {
                failed = true;
                // Drop this map's jobs that have not started; those running finish unheard.
                for (let q = queue.length - 1; q >= 0; q--) if (queue[q].batch === batch) queue.splice(q, 1);
                return reject(err);
              }
              out[i] = res;
              done++;
              o.onDone?.(done, args.length);
              if (done === args.length) resolve(out);
            },
          });
        }
        pump();
      });
    },
    warm() {
      while (workers.length < n) spawn();
    },
    async close() {
      queue.length = 0;
      await Promise.all(workers.splice(0).map((w) => w.terminate()));
      idle.length = 0;
      starting.clear();
      running.clear();
    },
  };
}
