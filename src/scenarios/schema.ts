// The scenario file format: ONE source of truth for the TypeScript types, the validation of YAML/JSON
// files and the published JSON Schema (data/scenario.schema.json, for editors).
import { z } from 'zod';
import { parseDate, parseDuration } from '../model/time.ts';
import { PARAM_NAMES } from '../model/params.ts';

const id = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9 _.+-]*$/, 'expected a name of letters, digits, spaces, "-", "_", "." or "+"')
  .describe('An identifier used to refer to this item elsewhere in the file.');

const date = z
  .string()
  .refine((s) => !Number.isNaN(parseDate(s)), {
    message: 'expected a date such as "2019-03-13", "2019-03-13T16:00Z" or "2018-04"',
  })
  .describe('ISO 8601 date or date-time, UTC; "2018-04" means the whole month where a period is meant.');

const duration = z
  .string()
  .refine((s) => parseDuration(s) > 0, { message: 'expected a positive duration such as "30m", "14h", "3d" or "2w"' })
  .describe('A positive duration: a number and a unit, m (minutes), h (hours), d (days) or w (weeks).');

const share = z.number().min(0).max(1);

/** Trait distribution in a region: logit-normal with this centre and spread. */
const trait = z
  .object({
    mean: share.describe('Centre of the trait in the region (0..1).'),
    sd: z.number().min(0).max(4).default(1).describe('Spread on the logit scale (0 = everyone the same).'),
  })
  .strict();

const appShare = z.union([
  share.describe('Share of the region\'s population active on the app in a month.'),
  z
    .object({
      active: share.describe('Share of the population active on the app in a month.'),
      dormant: share.optional().describe('Extra share with the app installed but not in use (default: a tenth of active, at most 1 - active).'),
      primary: share
        .optional()
        .describe('Share of the population for whom it is the main app. Give it for every app of the region or for none (then: the more widespread, the more often main).'),
    })
    .strict(),
]);

export const FEATURES = ['voice', 'video', 'e2ee', 'slow-links', 'channels', 'groups'] as const;

const region = z
  .object({
    id,
    name: z.string().optional(),
    population: z.number().positive().describe('People in the modelled market (e.g. smartphone users 12+).'),
    sample: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe('Share of the agents placed in this region (default: proportional to sqrt(population), so small regions are over-sampled).'),
    arrival: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('Per day: share of the region\'s not-yet-users who start using a messenger (market growth).'),
    privacy: trait.default({ mean: 0.3, sd: 1 }).describe('Privacy concern of people in the region.'),
    circumvention: trait.default({ mean: 0.15, sd: 1.5 }).describe('Skill and will to get round a block (VPN, proxies).'),
    inertia: trait.default({ mean: 0.5, sd: 1 }).describe('Resistance to installing and learning a new app.'),
    apps: z.record(z.string(), appShare).describe('Initial use of each platform in the region, by platform id.'),
  })
  .strict();

const platform = z
  .object({
    id,
    name: z.string().optional(),
    quality: z.number().min(-5).max(5).default(0).describe('Quality relative to a plain app, in utility points.'),
    features: z.array(z.enum(FEATURES)).default([]).describe('Features the app has.'),
    price: z.number().min(0).default(0).describe('One-off price in USD (paid apps: users are purchases).'),
    privacy: share.default(0.5).describe('Privacy reputation, 0 (none) .. 1 (best).'),
    capacity: z
      .number()
      .positive()
      .optional()
      .describe('Sign-ups the app can register per hour, worldwide; excess sign-ups wait and retry.'),
    launch: date.optional().describe('Date the app becomes available (default: before the start).'),
  })
  .strict();

const network = z
  .object({
    degree: z.number().min(2).max(200).default(12).describe('Mean number of contacts.'),
    tail: z.number().gt(2).max(5).default(2.5).describe('Power-law exponent of the degree distribution (heavier tail when smaller).'),
    crossRegion: share.default(0.03).describe('Share of ties that cross regions.'),
    locality: z.number().positive().max(10).default(1).describe('Scale of how local ties are (smaller: more triangles).'),
  })
  .strict();

const time = z
  .object({
    start: date,
    end: date,
    step: duration.describe('Step length at the start.'),
    schedule: z
      .array(z.object({ from: date, step: duration }).strict())
      .default([])
      .describe('Changes of step length, e.g. hourly around an outage and daily after it.'),
    observe: duration.default('1d').describe('How often stock metrics (daily/monthly audience, shares) are written.'),
  })
  .strict();

const regionsRef = z
  .union([z.literal('all'), z.array(z.string()).min(1)])
  .default('all')
  .describe('Region ids the shock applies to, or "all".');

const loudness = z
  .union([z.number().min(0), z.record(z.string(), z.number().min(0))])
  .default(0)
  .describe('Media attention at the peak (1 = a major news story), one number or per region id.');

const common = {
  label: z.string().optional().describe('Short label for charts and timelines.'),
  platforms: z.array(z.string()).min(1).describe('Platform ids the shock applies to.'),
  regions: regionsRef,
  start: date,
  media: loudness,
};
const span = {
  end: date.optional().describe('End of the shock (or give duration; absent: lasts to the end of the run).'),
  duration: duration.optional(),
};

export const SHOCK_TYPES = ['outage', 'block', 'throttle', 'trust', 'promotion', 'announcement'] as const;

const shock = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('outage'),
      ...common,
      duration,
      severity: z.number().gt(0).max(1).default(1).describe('Share of users for whom the app does not work.'),
    })
    .strict(),
  z
    .object({
      type: z.literal('block'),
      ...common,
      ...span,
      hardness: share.default(0.5).describe('Circumvention skill needed to get round it (0 = trivial, 1 = nobody).'),
    })
    .strict(),
  z
    .object({
      type: z.literal('throttle'),
      ...common,
      ...span,
      slowdown: share.default(0).describe('How much slower the app is (0..1); apps that work on slow links suffer less.'),
      features: z.array(z.enum(FEATURES)).default([]).describe('Features restricted while it lasts (e.g. voice).'),
    })
    .strict(),
  z
    .object({
      type: z.literal('trust'),
      ...common,
      magnitude: share.describe('Drop of the privacy reputation (0..1), recovering slowly afterwards.'),
    })
    .strict(),
  z
    .object({
      type: z.literal('promotion'),
      ...common,
      ...span,
      preinstall: share.default(0).describe('Per day: share of people who get the app installed for them.'),
      bonus: z.number().min(-5).max(5).default(0).describe('Utility added while it lasts (e.g. services only on this app).'),
    })
    .strict(),
  z
    .object({
      type: z.literal('announcement'),
      ...common,
      until: date.describe('When the announced measure takes effect or the threat fades.'),
      threat: share.default(0.5).describe('How credible the threat is (0..1).'),
    })
    .strict(),
]);

export const METRICS = ['signups', 'installs', 'dau', 'mau', 'primary', 'installed', 'users'] as const;

const figure = z
  .object({
    id: z.string().min(1).describe('Figure id (unique in the file; for built-in events the id in data/reported-figures.csv).'),
    ref: z.boolean().default(false).describe('Take value, source, url, date and confidence from data/reported-figures.csv.'),
    role: z
      .enum(['compare', 'context'])
      .default('compare')
      .describe('compare: the model is scored on it; context: a fact used to build the scenario, shown but not scored.'),
    platform: z.string().describe('Platform id.'),
    metric: z.enum(METRICS).optional().describe('Model metric the figure is read as (required for role compare).'),
    region: z.union([z.string(), z.array(z.string()).min(1)]).default('all').describe('Region id(s) or "all".'),
    date: date.optional().describe('Date or period of the figure ("2018-04" = April 2018).'),
    window: duration.optional().describe('For flows: the window starting at date (e.g. "24h"); default the period the date names.'),
    as: z
      .enum(['count', 'percent', 'share-of-total'])
      .default('count')
      .describe('count: people; percent: of the region population; share-of-total: percent of the same metric over all regions.'),
    value: z.number().optional().describe('Reported value (required unless ref).'),
    low: z.number().optional().describe('Lower end where the figure is a range.'),
    high: z.number().optional().describe('Upper end where the figure is a range.'),
    unit: z.string().optional(),
    label: z.string().optional().describe('The figure\'s own wording, e.g. "mobile daily audience".'),
    geography: z.string().optional(),
    source: z.string().optional(),
    url: z.string().optional(),
    confidence: z.enum(['high', 'medium', 'low']).optional(),
    reading: z.string().optional().describe('How the figure is read as a model metric, and why.'),
  })
  .strict();

const fitted = z
  .object({
    name: z.string().describe('Name of the per-event quantity, e.g. "loudness".'),
    path: z.string().describe('Where it goes in this file, e.g. "shocks[0].media".'),
    min: z.number(),
    max: z.number(),
    scale: z.enum(['log', 'linear']).default('log'),
    doc: z.string().optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case name with digits and "-"'),
    title: z.string(),
    description: z.string().default(''),
    projection: z.boolean().default(false).describe('A what-if, not a reconstruction of what happened.'),
    time,
    agents: z.number().int().min(100).max(50_000_000).default(100_000).describe('Default number of agents.'),
    regions: z.array(region).min(1),
    platforms: z.array(platform).min(1).max(16),
    network: network.default({ degree: 12, tail: 2.5, crossRegion: 0.03, locality: 1 }),
    shocks: z.array(shock).default([]),
    params: z
      .record(z.string(), z.number())
      .optional()
      .describe(`Behavioural parameter overrides; names: ${PARAM_NAMES.join(', ')}.`),
    fitted: z.array(fitted).default([]).describe('Per-event unknowns calibration may fit (keep few; bounded).'),
    fittedFrom: z
      .string()
      .optional()
      .describe('Take the per-event fitted values from this event\'s calibration (a what-if that continues an event).'),
    figures: z.array(figure).default([]),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type RegionSpec = Scenario['regions'][number];
export type PlatformSpec = Scenario['platforms'][number];
export type ShockSpec = Scenario['shocks'][number];
export type FigureSpec = Scenario['figures'][number];
export type FittedSpec = Scenario['fitted'][number];
export type MetricName = (typeof METRICS)[number];

export function scenarioJsonSchema(): object {
  const s = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...s, title: 'exodus scenario', description: 'A scenario file for the exodus messenger-migration simulator.' };
}
