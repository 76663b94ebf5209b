// A pool of worker threads for independent runs (replicates, calibration candidates). Results are
// returned in task order, whatever order they finish in, so they never depend on the number of
// workers; with workers <= 1 the tasks run in this thread (same code, same results).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { runTask, type Task, type TaskOutput } from './task.ts';
import { whenReady } from './ready.ts';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export interface Pool {
  readonly workers: number;
  /** Run tasks; `onDone(k, total)` after each finished task. Rejects on the first failure. */
  run(tasks: Task[], onDone?: (done: number, total: number) => void): Promise<TaskOutput[]>;
  close(): Promise<void>;
}

/** Default worker count: the machine's cores. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export function createPool(workers = defaultWorkers()): Pool {
  return workers <= 1 ? inProcessPool() : threadPool(workers);
}

function inProcessPool(): Pool {
  return {
    workers: 1,
    async run(tasks, onDone) {
      const out: TaskOutput[] = [];
      for (let k = 0; k < tasks.length; k++) {
        out.push(runTask(tasks[k]));
        onDone?.(k + 1, tasks.length);
        // Let timers and signals (progress, Ctrl-C) run between tasks.
        await new Promise((r) => setImmediate(r));
      }
      return out;
    },
    async close() {},
  };
}

function threadPool(n: number): Pool {
  const threads: Worker[] = [];
  // When each thread has its listener on (ready.ts): tasks posted earlier could be lost.
  const ready = new Map<Worker, Promise<void>>();
  let busy = false;
  const start = () => {
    while (threads.length < n) {
      const w = new Worker(ENTRY);
      w.unref();
      threads.push(w);
      ready.set(w, whenReady(w));
    }
  };
  return {
    workers: n,
    run(tasks, onDone) {
      if (busy) return Promise.reject(new Error('pool.run: one batch at a time'));
      if (tasks.length === 0) return Promise.resolve([]);
      busy = true;
      start();
      return new Promise<TaskOutput[]>((resolve, reject) => {
        const out: TaskOutput[] = new Array(tasks.length);
        let next = 0;
        let done = 0;
        let failed = false;
        const cleanups: (() => void)[] = [];
        const finish = (err?: Error) => {
          for (const c of cleanups) c();
          busy = false;
          if (!err) return resolve(out);
          // A failed batch leaves workers mid-task: drop them, the next batch starts fresh ones.
          const dropped = threads.splice(0);
          for (const w of dropped) ready.delete(w);
          void Promise.all(dropped.map((w) => w.terminate())).finally(() => reject(err));
        };
        const feed = (w: Worker) => {
          if (next >= tasks.length) return;
          const id = next++;
          w.postMessage({ id, task: tasks[id] });
        };
        for (const w of threads) {
          w.ref();
          const onMessage = (msg: { id: number; out?: TaskOutput; error?: string; ready?: boolean }) => {
            if (failed || msg.ready) return;
            if (msg.error !== undefined) {
              failed = true;
              return finish(new Error(`worker task ${msg.id} failed: ${msg.error}`));
            }
            out[msg.id] = msg.out!;
            done++;
            onDone?.(done, tasks.length);
            if (done === tasks.length) return finish();
            feed(w);
          };
          const onError = (e: Error) => {
            if (failed) return;
            failed = true;
            finish(e);
          };
          w.on('message', onMessage);
          w.on('error', onError);
          cleanups.push(() => {
            w.off('message', onMessage);
            w.off('error', onError);
            w.unref();
          });
          void ready.get(w)!.then(() => {
            if (!failed) feed(w);
          });
        }
      });
    },
    async close() {
      await Promise.all(threads.splice(0).map((w) => w.terminate()));
      ready.clear();
    },
  };
}
