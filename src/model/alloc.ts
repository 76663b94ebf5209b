// Where the world's large arrays live: ordinary memory, or shared memory (SharedArrayBuffer) when a
// run in blocks runs them on several threads (threads.ts), which then see the same arrays.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TypedCtor<T> = { new (x: any): T; BYTES_PER_ELEMENT: number };
/** Makes a zeroed typed array of n elements. */
export type Alloc = <T>(ctor: TypedCtor<T>, n: number) => T;
export const plainAlloc: Alloc = (ctor, n) => new ctor(n);
export const sharedAlloc: Alloc = (ctor, n) => new ctor(new SharedArrayBuffer(Math.max(1, n) * ctor.BYTES_PER_ELEMENT));

// Node 20 sends a view of shared memory larger than 4 GiB to another thread with its length cut
// modulo 2^32 bytes (the buffer arrives whole): the network's ties of one agent per person in
// Russia (5.9 GB) reached the worker threads as a quarter of themselves, and most people's
// contacts read as missing. So views of shared memory travel as buffer, offset and length.
const VIEW = '__exodusView';
const VIEWS = { Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array } as const;
type ViewName = keyof typeof VIEWS;
interface PackedView {
  [VIEW]: ViewName;
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

/** `x` with every typed array over shared memory (at any depth of plain objects and arrays) made safe to post to a thread. */
export function packViews<T>(x: T): T {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView) && x.buffer instanceof SharedArrayBuffer) {
    const name = x.constructor.name as ViewName;
    if (!(name in VIEWS)) throw new Error(`packViews: no shared ${name}`);
    const packed: PackedView = { [VIEW]: name, buffer: x.buffer, byteOffset: x.byteOffset, length: (x as unknown as Uint8Array).length };
    return packed as unknown as T;
  }
  if (Array.isArray(x)) return x.map(packViews) as unknown as T;
  if (isPlain(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, packViews(v)])) as T;
  return x;
}

/** The views packViews packed, over the same shared memory, at their full length. */
export function unpackViews<T>(x: T): T {
  if (Array.isArray(x)) return x.map(unpackViews) as unknown as T;
  if (isPlain(x)) {
    const v = x as unknown as PackedView;
    if (typeof v[VIEW] === 'string') {
      const Ctor = VIEWS[v[VIEW]] as unknown as new (b: SharedArrayBuffer, offset: number, length: number) => T;
      return new Ctor(v.buffer, v.byteOffset, v.length);
    }
    return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, unpackViews(y)])) as T;
  }
  return x;
}

function isPlain(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}
