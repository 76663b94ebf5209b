// Worker thread body of compute.ts: receives { id, name, args }, answers { id, out } or { id, error }.
import { parentPort } from 'node:worker_threads';
import { ownBuffers, runJob, type JobName } from './jobs.ts';

if (!parentPort) throw new Error('src/calibrate/compute-worker.ts must run in a worker thread');
const port = parentPort;
port.on('message', (msg: { id: number; name: JobName; args: never }) => {
  try {
    const out = runJob(msg.name, msg.args);
    port.postMessage({ id: msg.id, out }, ownBuffers(out));
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) });
  }
});
// Ready only now that the listener is on (ready.ts: Deno drops earlier messages).
port.postMessage({ ready: true });
