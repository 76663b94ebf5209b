// Before a large run: its memory estimated from the engine's layout (src/model/memory.ts) against
// what this machine has available now; a run that cannot fit is refused in one line, before
// anything is allocated.
import { freemem, totalmem } from 'node:os';
import type { ModelInput } from '../model/input.ts';
import { runSize } from '../model/engine.ts';
import { estimateMemory, gib, type MemoryEstimate } from '../model/memory.ts';
import { UsageError } from './args.ts';

const fmt = (n: number) => n.toLocaleString('en');

/** Memory this process may use now: what the system reports available (other work runs beside it). */
export function availableMemory(): number {
  return Math.min(freemem(), totalmem());
}

/** Refuse (UsageError) a run of `input` that would not fit; `what` names the option that sized it. */
export function checkMemory(input: ModelInput, opts: { agents?: number; scale?: number }, what: string, available = availableMemory()): MemoryEstimate {
  const size = runSize(input, opts);
  const e = estimateMemory(size);
  if (e.peakBytes > available) {
    const fit = Math.floor(size.agents * ((available - e.parts.runtime - e.parts.steps) / (e.peakBytes - e.parts.runtime - e.parts.steps)));
    throw new UsageError(
      `${what}: ${fmt(size.agents)} agents x ${size.platforms} apps x ${fmt(size.steps)} steps need about ${gib(e.peakBytes)} at the peak, ` +
        `more than the ${gib(available)} this machine has available now (of ${gib(totalmem())}); expected at most about ${fmt(Math.max(0, fit))} agents (--agents, or a smaller --scale)`,
    );
  }
  return e;
}
