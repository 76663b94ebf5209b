// Worker threads of both pools (pool.ts, compute.ts) post { ready: true } once their message
// listener is on, and are sent nothing before: Deno drops messages that reach a worker while its
// entry module is still in its top-level await (Node queues them).
import type { Worker } from 'node:worker_threads';

/** Resolves when worker `w` says it is ready; its other messages are left to other listeners. */
export function whenReady(w: Worker): Promise<void> {
  return new Promise((resolve) => {
    const onReady = (msg: { ready?: boolean }) => {
      if (!msg?.ready) return;
      w.off('message', onReady);
      resolve();
    };
    w.on('message', onReady);
  });
}
