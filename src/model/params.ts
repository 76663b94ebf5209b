// The behavioural parameters: ONE set shared by every event. Names, units, plausible ranges and
// defaults live here and nowhere else; calibration searches inside [min, max] on the given scale.

export interface ParamSpec {
  name: string;
  unit: string;
  min: number;
  max: number;
  default: number;
  /** Search on a log scale when the plausible range spans orders of magnitude. */
  scale: 'log' | 'linear';
  /** Whether `exodus calibrate` fits it (the others are fixed at their default). */
  fit: boolean;
  doc: string;
}

export const PARAM_SPECS = [
  { name: 'considerBase', unit: '1/day', min: 0.002, max: 0.2, default: 0.02, scale: 'log', fit: true,
    doc: 'Rate at which a person reconsiders their apps with no news at all (habit review, new contacts).' },
  { name: 'considerMedia', unit: '1/day per unit of news', min: 0.02, max: 5, default: 0.4, scale: 'log', fit: true,
    doc: 'Extra reconsideration rate per unit of media attention (a shock with loudness 1 at its peak).' },
  { name: 'considerFrustration', unit: '1/day', min: 0.1, max: 20, default: 2, scale: 'log', fit: true,
    doc: 'Extra reconsideration rate while the person\'s own primary app does not work for them.' },
  { name: 'considerWom', unit: '1/day per unit of attention', min: 0.05, max: 10, default: 1, scale: 'log', fit: true,
    doc: 'Reconsideration rate per unit of word-of-mouth attention (contacts who just adopted an app).' },
  { name: 'womKick', unit: 'attention per adopting contact', min: 0.01, max: 1, default: 0.15, scale: 'log', fit: true,
    doc: 'Attention each contact receives when a person installs an app or changes primary app.' },
  { name: 'mediaDecay', unit: '1/day', min: 0.05, max: 3, default: 0.35, scale: 'log', fit: true,
    doc: 'Decay rate of media attention after a shock\'s peak (0.35/day: half-life about 2 days).' },
  { name: 'womDecay', unit: '1/day', min: 0.1, max: 10, default: 1, scale: 'log', fit: false,
    doc: 'Decay rate of word-of-mouth attention.' },
  { name: 'betaReach', unit: 'utility per share of contacts', min: 0.5, max: 20, default: 6, scale: 'linear', fit: true,
    doc: 'Weight of the share of one\'s own contacts who are active on an app (local network effect).' },
  { name: 'betaQuality', unit: 'utility per quality point', min: 0, max: 5, default: 1, scale: 'linear', fit: false,
    doc: 'Weight of an app\'s quality and features.' },
  { name: 'betaPrivacy', unit: 'utility per (concern x reputation)', min: 0, max: 12, default: 3, scale: 'linear', fit: true,
    doc: 'Weight of privacy reputation, multiplied by the person\'s privacy concern (0..1).' },
  { name: 'betaPrice', unit: 'utility per USD', min: 0, max: 5, default: 0.8, scale: 'linear', fit: true,
    doc: 'Disutility of a one-off price when the app is not yet installed.' },
  { name: 'switchCost', unit: 'utility', min: 0, max: 8, default: 2, scale: 'linear', fit: true,
    doc: 'Cost of installing and learning an app one does not have, scaled by inertia (0.5 + inertia).' },
  { name: 'habit', unit: 'utility', min: 0, max: 6, default: 1.5, scale: 'linear', fit: true,
    doc: 'Bonus of the current primary app (habit, stored history).' },
  { name: 'betaAvail', unit: 'utility', min: 1, max: 15, default: 8, scale: 'linear', fit: false,
    doc: 'Penalty of an app that does not work for the person right now (outage, block without a way round).' },
  { name: 'vpnHassle', unit: 'share of betaAvail', min: 0, max: 1, default: 0.15, scale: 'linear', fit: true,
    doc: 'Part of the unavailability penalty still felt when a block is got round by VPN or proxy.' },
  { name: 'betaThreat', unit: 'utility per unit threat', min: 0, max: 10, default: 2, scale: 'linear', fit: true,
    doc: 'Penalty of an app whose block has been announced or threatened.' },
  { name: 'trialBias', unit: 'utility', min: -14, max: 2, default: -6, scale: 'linear', fit: true,
    doc: 'Base utility of trying an app beside one\'s main app (negative: people rarely add apps without a reason).' },
  { name: 'dormancyReach', unit: 'share of contacts', min: 0.01, max: 0.5, default: 0.08, scale: 'log', fit: true,
    doc: 'A secondary app stays in use when at least this share of contacts is active on it (below: in proportion).' },
  { name: 'usePrimary', unit: 'probability per day', min: 0.3, max: 1, default: 0.85, scale: 'linear', fit: true,
    doc: 'Chance that a person uses their primary app on a given day (daily audience).' },
  { name: 'useSecondary', unit: 'probability per day', min: 0.05, max: 0.9, default: 0.4, scale: 'linear', fit: true,
    doc: 'Chance that a person uses an active secondary app on a given day.' },
  { name: 'featureVoice', unit: 'quality points', min: 0, max: 3, default: 0.6, scale: 'linear', fit: true,
    doc: 'Value of working voice calls; lost while calls are restricted.' },
  { name: 'featureSlowLinks', unit: 'quality points', min: 0, max: 3, default: 0.5, scale: 'linear', fit: false,
    doc: 'Share of a throttling penalty an app escapes when it works on slow links (times its slowdown).' },
  { name: 'betaThrottle', unit: 'utility per unit slowdown', min: 0, max: 10, default: 3, scale: 'linear', fit: true,
    doc: 'Penalty of a throttled app per unit of slowdown (0..1).' },
  { name: 'trustRecovery', unit: '1/day', min: 0.0005, max: 0.1, default: 0.005, scale: 'log', fit: false,
    doc: 'Rate at which a privacy reputation lost in a trust shock recovers.' },
  { name: 'logitScale', unit: 'utility', min: 0.2, max: 3, default: 1, scale: 'linear', fit: false,
    doc: 'Scale of the idiosyncratic (Gumbel) noise in the logit choice; larger means noisier choices.' },
] as const satisfies readonly ParamSpec[];

export type ParamName = (typeof PARAM_SPECS)[number]['name'];
export type Params = Record<ParamName, number>;

export const PARAM_NAMES: readonly ParamName[] = PARAM_SPECS.map((p) => p.name);

export function defaultParams(): Params {
  const p = {} as Params;
  for (const s of PARAM_SPECS) p[s.name] = s.default;
  return p;
}

export function paramSpec(name: string): ParamSpec | undefined {
  return PARAM_SPECS.find((s) => s.name === name);
}

/**
 * Merge overrides onto the defaults. Unknown names and values outside [min, max] are errors: a
 * misspelt parameter silently ignored would make a calibration meaningless.
 */
export function resolveParams(overrides: Record<string, unknown> | undefined, where = 'parameters'): Params {
  const p = defaultParams();
  if (!overrides) return p;
  for (const [k, v] of Object.entries(overrides)) {
    const spec = paramSpec(k);
    if (!spec) {
      throw new ParamError(`${where}: unknown parameter "${k}"; expected one of ${PARAM_NAMES.join(', ')}`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ParamError(`${where}.${k}: expected a number (${spec.unit}), got ${JSON.stringify(v)}`);
    }
    if (v < spec.min || v > spec.max) {
      throw new ParamError(`${where}.${k}: expected a value in [${spec.min}, ${spec.max}] ${spec.unit}, got ${v}`);
    }
    p[k as ParamName] = v;
  }
  return p;
}

export class ParamError extends Error {
  override name = 'ParamError';
}
