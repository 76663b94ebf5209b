// A meeting point of the worker threads of a run in blocks (threads.ts) inside a step: each waits
// until all have arrived (until every thread has published its blocks' counts of people in use, so
// that all blocks see the same `known`; until every thread has finished its step, so that reach
// counts can change). Shared memory and Atomics, no messages.

const ARRIVED = 0;
const ROUND = 1;
const ABORTED = 2;

/** The shared cells of a barrier (arrived, round, aborted), made by the thread that starts the workers. */
export function barrierCells(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

/** Wake every thread waiting at the barrier and make them fail (a thread of the run stopped). */
export function abortBarrier(cells: Int32Array): void {
  Atomics.store(cells, ABORTED, 1);
  Atomics.notify(cells, ROUND);
}

/** Wait until `parties` threads (this one included) have called this for the same round. */
export function meet(cells: Int32Array, parties: number): void {
  const round = Atomics.load(cells, ROUND);
  if (Atomics.add(cells, ARRIVED, 1) === parties - 1) {
    Atomics.store(cells, ARRIVED, 0);
    Atomics.add(cells, ROUND, 1);
    Atomics.notify(cells, ROUND);
    return;
  }
  while (Atomics.load(cells, ROUND) === round) {
    if (Atomics.load(cells, ABORTED)) throw new Error('another thread of the run stopped');
    // A timeout, so that an abort is seen even if its wake-up came between the check and the wait.
    Atomics.wait(cells, ROUND, round, 1000);
  }
}
