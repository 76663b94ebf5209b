// How runs travel through Redis. A task goes as JSON in the job (small: a scenario, parameters,
// a seed); its output comes back as MessagePack (msgpackr) in a Redis string of its own, so a full
// RunResult's typed arrays travel as raw float64 bytes, not as giant JSON, and every bit survives
// (NaN, -0). Values of an observation task are sent as a Float64Array for the same reason.
import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import type { Task, TaskOutput } from '../calibrate/task.ts';

// moreTypes: typed arrays as typed arrays; no records: every message decodes on its own.
const packr = new Packr({ moreTypes: true, useRecords: false });

type Wire = { kind: 'values'; values: Float64Array; wallMs: number } | Extract<TaskOutput, { kind: 'result' }>;

export function encodeOutput(out: TaskOutput): Buffer {
  const wire: Wire = out.kind === 'values' ? { kind: 'values', values: Float64Array.from(out.values), wallMs: out.wallMs } : out;
  return packr.pack(wire);
}

export function decodeOutput(buf: Uint8Array): TaskOutput {
  const w = packr.unpack(buf) as Wire;
  if (w.kind === 'values') return { kind: 'values', values: Array.from(w.values), wallMs: w.wallMs };
  if (w.kind === 'result') return w;
  throw new Error('decodeOutput: not a task output');
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
export function canonicalJson(x: unknown): string {
  return JSON.stringify(x, (_k, v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

export function contentHash(x: unknown, length = 32): string {
  return createHash('sha256').update(canonicalJson(x)).digest('hex').slice(0, length);
}

/** A task as it goes in a job: JSON-safe (no undefined fields), with the hash of its scenario. */
export function taskJson(t: Task): Task {
  return JSON.parse(JSON.stringify(t)) as Task;
}
