// What the engine runs: a scenario compiled to indices and days (src/scenarios/compile.ts makes it
// from a scenario file). The model layer knows nothing of YAML, ids or dates.
import type { NetworkSettings } from './network.ts';

export interface Trait {
  mean: number;
  sd: number;
}

export interface RegionInput {
  id: string;
  population: number;
  /** Share of the agents placed here (undefined: proportional to sqrt(population)). */
  sample?: number;
  /** Per day: share of not-yet-users who start using a messenger. */
  arrival: number;
  /** Per day: growth of the region's population (each agent comes to stand for more people). */
  growth: number;
  privacy: Trait;
  circumvention: Trait;
  inertia: Trait;
  /**
   * Initial use per platform index: active and dormant shares, optional main-app share, and the
   * reported growth of its users before the shocks (per day, continuous; 0: none).
   */
  apps: { platform: number; active: number; dormant: number; primary?: number; trend?: number }[];
  /** Share of the population in each universe (index as in ModelInput.universes; 0 = not in it). */
  universeShare: number[];
}

export interface PlatformChange {
  day: number;
  add: string[];
  remove: string[];
  quality?: number;
  privacy?: number;
  price?: number;
  /** Per hour, per region (Infinity = unlimited) and worldwide as the last entry. */
  capacity?: Float64Array;
}

export interface PlatformInput {
  id: string;
  quality: number;
  price: number;
  privacy: number;
  /** Sign-ups per hour per region, and worldwide as the last entry (R + 1 entries; Infinity: none). */
  capacity: Float64Array;
  /** Day (since start) the app becomes available; -Infinity when it exists from the start. */
  launchDay: number;
  features: string[];
  /** Dated changes, in time order. */
  changes: PlatformChange[];
}

export type ShockType = 'outage' | 'block' | 'throttle' | 'trust' | 'promotion' | 'announcement' | 'attention' | 'connectivity' | 'circumvention';

/** A shock with ids resolved to indices and dates to days since the start. */
export interface CompiledShock {
  index: number;
  type: ShockType;
  label: string;
  /** Platform indices it applies to (for connectivity and circumvention: all when none were named). */
  platforms: number[];
  regions: number[];
  start: number;
  /** Infinity when it lasts to the end of the run. */
  end: number;
  /** Peak media attention per region. */
  loudness: Float64Array;
  /** Weight of each app in its news, per region (index r * K + a). */
  mentions: Float64Array;
  /** Type-specific settings (severity, hardness, slowdown, ...). */
  severity: number;
  hardness: number;
  slowdown: number;
  features: string[];
  magnitude: number;
  preinstall: number;
  require: number;
  bonus: number;
  threat: number;
  /** News felt in proportion to privacy concern. */
  privacyNews: boolean;
  /**
   * News of harm to its apps (an outage, a block, a slowdown, a breach of trust, a threat): it
   * makes their users reconsider, not everyone (a WhatsApp outage is no reason for someone without
   * WhatsApp to rethink their apps). Other news (attention, a promotion, a shutdown) reaches all.
   */
  aboutUsers: boolean;
  /** Connectivity: apps that keep working (platform indices). */
  exempt: number[];
}

export interface ModelInput {
  name: string;
  title: string;
  projection: boolean;
  startMs: number;
  /** Length of the run in days. */
  days: number;
  /** Step length at the start (days) and changes of it ({ at: day, dt: days }). */
  step: number;
  schedule: { at: number; dt: number }[];
  /** How often stocks are observed (days). */
  observe: number;
  /** Default number of agents. */
  agents: number;
  regions: RegionInput[];
  platforms: PlatformInput[];
  network: NetworkSettings;
  shocks: CompiledShock[];
  /** Names of the universes figures are measured on (other than the whole population). */
  universes: string[];
}
