// The behavioural parameters: ONE set shared by every event. Names, units, plausible ranges (the
// calibration prior: uniform on the given scale between min and max), defaults and, for the fixed
// ones, why they are fixed, live here and nowhere else. docs/ODD.md describes each of them; a test
// keeps the two in sync.

export interface ParamSpec {
  name: string;
  unit: string;
  min: number;
  max: number;
  default: number;
  /** Prior and search scale: uniform in log(value) ("log") or in value ("linear") on [min, max]. */
  scale: 'log' | 'linear';
  /** Whether `exodus calibrate` fits it (the others are fixed at their default). */
  fit: boolean;
  /** What the parameter does, in one sentence. */
  doc: string;
  /** For a fixed parameter: why it is fixed (the data cannot identify it, or a fact sets it). */
  fixed?: string;
}

export const PARAM_SPECS = [
  // --- When people reconsider their messengers ---
  { name: 'considerBase', unit: '1/day', min: 0.001, max: 0.05, default: 0.01, scale: 'log', fit: true,
    doc: 'Rate at which a person reconsiders their apps with no news at all (habit review, new contacts, a new phone).' },
  { name: 'considerMedia', unit: '1/day per unit of news', min: 0.005, max: 2, default: 0.05, scale: 'log', fit: true,
    doc: 'Extra reconsideration rate per unit of media attention (a shock with loudness 1 at its peak).' },
  { name: 'mediaDecay', unit: '1/day', min: 0.1, max: 3, default: 0.5, scale: 'log', fit: true,
    doc: 'Decay rate of media attention (and of the apps the news names) after a shock\'s first day.' },
  { name: 'considerFrustration', unit: '1/day', min: 0.1, max: 10, default: 1, scale: 'log', fit: true,
    doc: 'Extra reconsideration rate while the person\'s main app is durably out of reach (blocked without a way round; a shutdown comes and goes and does not count).' },
  { name: 'womRate', unit: '1/day per adopting contact', min: 0.005, max: 0.5, default: 0.1, scale: 'log', fit: true,
    doc: 'Word of mouth: reconsideration rate a person gets from each contact who just installed or changed main app (decaying).' },
  { name: 'womDecay', unit: '1/day', min: 0.1, max: 10, default: 1, scale: 'log', fit: false,
    doc: 'Decay rate of word-of-mouth attention.',
    fixed: 'Set from Quelle, Bovet et al. (2025): influence between accounts decayed within about a week; no built-in figure separates it from womRate.' },
  // --- What people value in an app (utility points; the persistent taste has scale 1) ---
  { name: 'betaReach', unit: 'utility per share of contacts', min: 1, max: 15, default: 6, scale: 'linear', fit: true,
    doc: 'Weight of the share of one\'s own contacts who can be reached on an app (local network effect).' },
  { name: 'betaPrivacy', unit: 'utility per (concern x reputation)', min: 0, max: 10, default: 3, scale: 'linear', fit: true,
    doc: 'Weight of an app\'s privacy reputation, multiplied by the person\'s privacy concern (0..1).' },
  { name: 'betaMention', unit: 'utility per unit of mention weight', min: 0, max: 6, default: 2, scale: 'linear', fit: true,
    doc: 'Pull of an app named in the news of a shock (its salience: the weight of the mention, 1 = the app of the story, fading with the story; a contact who tells of an app names it with weight 1).' },
  { name: 'betaQuality', unit: 'utility per quality point', min: 0, max: 3, default: 1, scale: 'linear', fit: false,
    doc: 'Weight of an app\'s stated quality and of changes to it during a run.',
    fixed: 'Quality is an input an analyst states in utility points; its weight only sets that unit.' },
  { name: 'betaPrice', unit: 'utility per USD', min: 0, max: 3, default: 1, scale: 'linear', fit: false,
    doc: 'Disutility of a one-off price when the app is not yet installed.',
    fixed: 'One paid app (Threema, $1.99) in the built-in events: its price cannot be told apart from its install cost and privacy pull.' },
  { name: 'switchCost', unit: 'utility', min: 0.5, max: 6, default: 2, scale: 'linear', fit: true,
    doc: 'Cost of installing and learning an app one does not have, scaled by inertia (0.5 + inertia).' },
  { name: 'habit', unit: 'utility', min: 0, max: 6, default: 3, scale: 'linear', fit: false,
    doc: 'Bonus of the current main app (habit, stored history): the margin another app must beat it by.',
    fixed: 'Not identified by any figure (it trades off against the persistent tastes); set so that a calm year moves well under 10% of main apps, as surveys of messenger loyalty suggest.' },
  { name: 'betaKnown', unit: 'utility per unit of log share', min: 0, max: 1.5, default: 1, scale: 'linear', fit: false,
    doc: 'Weight of how well known an app is in the region (log of the share of people using it, relative to the most used) when choosing an app to add: the chance to think of an app grows like its share to this power.',
    fixed: 'At 1, the chance to think of an app grows in proportion to its share of users (as the chance to have met someone who uses it). The figures barely pin it (posterior sd 0.92 of the prior\'s), and where it was free the calibration lowered it to fit Threema\'s first day in 2014, which made every small app the news names pull 10-20 times too hard in events it was not fitted to.' },
  { name: 'trialBias', unit: 'utility', min: -10, max: -2, default: -5, scale: 'linear', fit: true,
    doc: 'Base utility of adding an app beside the main one when reconsidering (negative: people rarely add apps without a reason).' },
  // --- An app that does not work right now ---
  { name: 'reachOut', unit: '1/day', min: 0.2, max: 10, default: 1, scale: 'log', fit: true,
    doc: 'Rate at which a person whose main app does not work, once they have noticed, reaches for something else (patience).' },
  { name: 'betaNeed', unit: 'utility', min: -10, max: 0, default: -3, scale: 'linear', fit: true,
    doc: 'Utility of reaching someone right now on another app, against waiting, when the main app does not work.' },
  { name: 'sessionsPerDay', unit: '1/day', min: 2, max: 50, default: 12, scale: 'log', fit: false,
    doc: 'How often a daily user opens their main app (so how soon they notice that it does not work).',
    fixed: 'Usage studies put daily messenger sessions at ten to several dozen; with these the first failed attempt comes within an hour or two, so the value matters little.' },
  { name: 'betaAvail', unit: 'utility', min: 1, max: 15, default: 8, scale: 'linear', fit: false,
    doc: 'Penalty of an app durably out of reach for the person (blocked without a way round, not launched).',
    fixed: 'Large enough that an unreachable app is practically never chosen; its exact size is not identified.' },
  { name: 'vpnHassle', unit: 'share of betaAvail', min: 0, max: 0.5, default: 0.1, scale: 'linear', fit: true,
    doc: 'Part of the unavailability penalty still felt when a block is got round (VPN, proxy); daily use drops by the same share.' },
  { name: 'circCost', unit: 'utility per unit of hardness', min: 0.5, max: 12, default: 4, scale: 'linear', fit: true,
    doc: 'One-off cost of learning to get round a block, per unit of hardness above one\'s own skill, reduced by the share of contacts who already get round it.' },
  { name: 'betaThreat', unit: 'utility per unit threat', min: 0, max: 8, default: 2, scale: 'linear', fit: true,
    doc: 'Penalty of an app whose block has been announced or threatened (and the pull to add an app beside it).' },
  { name: 'dormancyReach', unit: 'share of contacts', min: 0.01, max: 0.5, default: 0.08, scale: 'log', fit: false,
    doc: 'A secondary app stays in use when at least this share of contacts can be reached on it (below: in proportion).',
    fixed: 'Confounded with trialBias in every built-in figure (both set how many trials last); fixed at a few contacts out of a dozen.' },
  { name: 'trialReview', unit: 'days', min: 1, max: 60, default: 7, scale: 'log', fit: false,
    doc: 'Mean time after trying an app until the person reviews it (keeps it in use or lets it go dormant).',
    fixed: 'No built-in figure follows a cohort of trial users; a week is the usual horizon of app-retention reports.' },
  // --- Use and features ---
  { name: 'usePrimary', unit: 'probability per day', min: 0.4, max: 1, default: 0.8, scale: 'linear', fit: true,
    doc: 'Chance that a person uses their main app on a given day (daily audience).' },
  { name: 'useSecondary', unit: 'probability per day', min: 0.05, max: 0.8, default: 0.3, scale: 'linear', fit: true,
    doc: 'Chance that a person uses an app in use beside the main one on a given day.' },
  { name: 'featureVoice', unit: 'utility', min: 0, max: 3, default: 0.8, scale: 'linear', fit: true,
    doc: 'Value of working voice calls; lost while calls are restricted.' },
  // Not fitted: no figure of the built-in events depends on it (Morris mu* below 0.03 on every
  // figure: the throttles there are followed only by monthly audiences, which count everyone who
  // can still use the app), so the data cannot identify it.
  { name: 'betaThrottle', unit: 'utility per unit slowdown', min: 0, max: 8, default: 3, scale: 'linear', fit: false,
    doc: 'Penalty of a throttled app per unit of slowdown (0..1); daily use drops by the slowdown. Not identified by the built-in events, so not fitted.' },
  { name: 'slowLinksEscape', unit: 'share', min: 0, max: 1, default: 0.8, scale: 'linear', fit: false,
    doc: 'Share of a slowdown that an app built for slow links (2G/3G) escapes.',
    fixed: 'Only one such app (imo) in the built-in events; apps built for slow links work on them by design.' },
  { name: 'trustRecovery', unit: '1/day', min: 0.0005, max: 0.1, default: 0.005, scale: 'log', fit: false,
    doc: 'Rate at which a privacy reputation changed by a trust shock returns to its level before (half-life ~140 days).',
    fixed: 'No built-in figure follows a reputation after its shock long enough to measure it.' },
  { name: 'tasteScale', unit: 'utility', min: 0.2, max: 3, default: 1, scale: 'linear', fit: false,
    doc: 'Scale of each person\'s persistent taste for each app (Gumbel); it sets the unit of every utility.',
    fixed: 'The unit of utility: fixing it is what makes the other weights identified.' },
  { name: 'noise', unit: 'utility', min: 0, max: 1, default: 0.2, scale: 'linear', fit: false,
    doc: 'Scale of the moment-to-moment (Gumbel) noise of a choice, on top of the persistent taste.',
    fixed: 'Sets how often near-indifferent people flip; a calm year must move under 10% of main apps, which any value below ~0.5 satisfies.' },
] as const satisfies readonly ParamSpec[];

export type ParamName = (typeof PARAM_SPECS)[number]['name'];
export type Params = Record<ParamName, number>;

export const PARAM_NAMES: readonly ParamName[] = PARAM_SPECS.map((p) => p.name);

export function defaultParams(): Params {
  const p = {} as Params;
  for (const s of PARAM_SPECS) p[s.name] = s.default;
  return p;
}

/**
 * A copy of p that the engine reads in its inner loops. An object built key by key (defaultParams,
 * merges of parameter sets) can be a dictionary to V8, whose every read is a hash look-up; a
 * spread copy has fixed slots. Same keys, same values.
 */
export function fastParams(p: Params): Params {
  return { ...p };
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
