import type { Fields } from '../fields.ts';
import type { Params } from '../params.ts';
import type { CompiledShock } from '../input.ts';

export type { CompiledShock } from '../input.ts';

export interface ShockModule {
  /** Write what the shock does at time t (days) into the fields; called only while it lasts. */
  apply(s: CompiledShock, t: number, f: Fields, p: Params): void;
  /** Whether its effect outlasts its end (a trust shock's reputation change fades slowly). */
  lingers?: boolean;
  /** Whether its news is news that its apps failed: nobody tries them while it lasts (outages). */
  newsOfFailure?: boolean;
}
