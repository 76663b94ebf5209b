// Where the world's large arrays live: ordinary memory, or shared memory (SharedArrayBuffer) when a
// run in blocks runs them on several threads (threads.ts), which then see the same arrays.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TypedCtor<T> = { new (x: any): T; BYTES_PER_ELEMENT: number };
/** Makes a zeroed typed array of n elements. */
export type Alloc = <T>(ctor: TypedCtor<T>, n: number) => T;
export const plainAlloc: Alloc = (ctor, n) => new ctor(n);
export const sharedAlloc: Alloc = (ctor, n) => new ctor(new SharedArrayBuffer(Math.max(1, n) * ctor.BYTES_PER_ELEMENT));
