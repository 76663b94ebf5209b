// Bad input is reported as one message naming the file, the field path and what was expected.
// The CLI prints `message` alone (no stack trace) for these errors.

export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${file}: ${path ? `${path}: ` : ''}${expected}`);
  }
}

/** Render a zod-style path (["shocks", 2, "duration"]) as "shocks[2].duration". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
