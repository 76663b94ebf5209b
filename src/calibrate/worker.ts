// Worker thread body: receives { id, task }, answers { id, out } or { id, error }.
import { parentPort } from 'node:worker_threads';
import { runTask, transferList, type Task } from './task.ts';

if (!parentPort) throw new Error('src/calibrate/worker.ts must run in a worker thread');
const port = parentPort;
port.on('message', (msg: { id: number; task: Task }) => {
  try {
    const out = runTask(msg.task);
    port.postMessage({ id: msg.id, out }, transferList(out));
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) });
  }
});
// Ready only now that the listener is on (ready.ts: Deno drops messages that arrive before it, while the
// entry module is still in its top-level await).
port.postMessage({ ready: true });
