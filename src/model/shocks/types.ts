import type { Fields } from '../fields.ts';
import type { Params } from '../params.ts';
import type { ShockSpec } from '../../scenarios/schema.ts';

/** A shock with ids resolved to indices and dates to days since the scenario start. */
export interface CompiledShock {
  index: number;
  spec: ShockSpec;
  platforms: number[];
  regions: number[];
  start: number;
  /** Infinity when it lasts to the end of the run. */
  end: number;
  /** Peak media attention per region. */
  loudness: Float64Array;
}

export interface ShockModule {
  /** Write what the shock does at time t (days) into the fields; called only from its start on. */
  apply(s: CompiledShock, t: number, f: Fields, p: Params): void;
  /** News about privacy are felt in proportion to a person's privacy concern. */
  privacyNews?: boolean;
}
