// Bad input is reported as one message naming the file, the field path and what was expected.
// The CLI prints `message` alone (no stack trace) for these errors.

export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly expected: string,
  ) {
    // One line whatever the input holds: control characters escaped, each part kept short.
    super(`${oneLine(file, 200)}: ${path ? `${oneLine(path, 200)}: ` : ''}${oneLine(expected, 600)}`);
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

/** Text on one line, at most `max` characters (the middle cut out). */
export function oneLine(text: string, max: number): string {
  const t = text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return t.length <= max ? t : `${t.slice(0, Math.ceil(max * 0.7))}...(${(t.length - max).toLocaleString('en')} more characters)...${t.slice(t.length - Math.floor(max * 0.2))}`;
}

/** A value as shown in a message: YAML's names for non-finite numbers, short, never circular. */
export function showValue(v: unknown, max = 80): string {
  if (typeof v === 'number') return Number.isNaN(v) ? '.nan' : v === Infinity ? '.inf' : v === -Infinity ? '-.inf' : String(v);
  let text: string;
  try {
    text = JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? showValue(x) : x)) ?? String(v);
  } catch {
    text = Array.isArray(v) ? 'a list that contains itself' : 'a mapping that contains itself';
  }
  return text.length <= max ? text : `${text.slice(0, max - 20)}... (${text.length.toLocaleString('en')} characters)`;
}

/** The candidate closest to `name` (edit distance at most a third of its length), if any. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 20) return Math.abs(a.length - b.length);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
