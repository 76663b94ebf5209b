// Worker threads that run one task at a time each, for the queue worker: unlike Pool (one batch
// at a time), tasks arrive one by one as jobs are taken from the queue. Same thread body as the
// local pool (src/calibrate/worker.ts), so a run gives the same result wherever it is done.
import { Worker } from 'node:worker_threads';
import type { Task, TaskOutput } from '../calibrate/task.ts';

const ENTRY = new URL('../calibrate/worker-entry.mjs', import.meta.url);

export interface ThreadRunner {
  readonly threads: number;
  run(task: Task): Promise<TaskOutput>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  busy?: { id: number; resolve: (o: TaskOutput) => void; reject: (e: Error) => void };
}

export function threadRunner(n: number): ThreadRunner {
  const slots: Slot[] = [];
  const waiting: { task: Task; resolve: (o: TaskOutput) => void; reject: (e: Error) => void }[] = [];
  let nextId = 0;
  let closed = false;

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(ENTRY) };
    slot.worker.on('message', (msg: { id: number; out?: TaskOutput; error?: string }) => {
      const b = slot.busy;
      if (!b || b.id !== msg.id) return;
      slot.busy = undefined;
      if (msg.error !== undefined) b.reject(new Error(msg.error.split('\n')[0]));
      else b.resolve(msg.out!);
      pump();
    });
    // A thread that dies (out of memory...) fails its task and is replaced.
    slot.worker.on('error', (e) => {
      const b = slot.busy;
      slot.busy = undefined;
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      b?.reject(e);
      if (!closed) pump();
    });
    slots.push(slot);
    return slot;
  };

  const pump = () => {
    while (waiting.length && !closed) {
      const slot = slots.find((s) => !s.busy) ?? (slots.length < n ? spawn() : undefined);
      if (!slot) return;
      const w = waiting.shift()!;
      slot.busy = { id: nextId++, resolve: w.resolve, reject: w.reject };
      slot.worker.postMessage({ id: slot.busy.id, task: w.task });
    }
  };

  return {
    threads: n,
    run(task) {
      if (closed) return Promise.reject(new Error('thread runner closed'));
      return new Promise((resolve, reject) => {
        waiting.push({ task, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const w of waiting.splice(0)) w.reject(new Error('thread runner closed'));
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
