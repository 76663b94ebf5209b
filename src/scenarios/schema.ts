// The scenario file format: ONE source of truth for the TypeScript types, the validation of YAML/JSON
// files and the published JSON Schema (data/scenario.schema.json, for editors).
import { z } from 'zod';
import { parseDate, parseDuration } from '../model/time.ts';
import { PARAM_NAMES } from '../model/params.ts';

const id = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9 _.+-]*$/, 'expected a name of letters, digits, spaces, "-", "_", "." or "+"')
  .describe('An identifier used to refer to this item elsewhere in the file.');

const DATE_EXPECTED = 'expected a date such as "2019-03-13", "2019-03-13T16:00Z", "2018-04" or 2018';
const dateText = z.string().refine((s) => !Number.isNaN(parseDate(s)), { message: DATE_EXPECTED });
// An unquoted year (`date: 2020`) is read by YAML as a number: accept it as the year it means.
const YEAR_EXPECTED = 'expected a year from 1900 to 2200 (e.g. 2018) or a date such as "2019-03-13"';
const year = z
  .number()
  .int({ error: YEAR_EXPECTED })
  .min(1900, { error: YEAR_EXPECTED })
  .max(2200, { error: YEAR_EXPECTED })
  .transform((y) => String(y));
const date = z
  .union([dateText, year], { error: DATE_EXPECTED })
  .describe('ISO 8601 date or date-time, UTC; "2018-04" means the whole month and 2018 the whole year where a period is meant.');

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

const appShare = z.union(
  [
    share.describe('Share of the region\'s population active on the app in a month.'),
    z
      .object({
        active: share.describe('Share of the population active on the app in a month.'),
        dormant: share.optional().describe('Extra share with the app installed but not in use (default: a tenth of active, at most 1 - active).'),
        primary: share
          .optional()
          .describe('Share of the population for whom it is the main app. Give it for every app of the region or for none (then: the more widespread, the more often main).'),
        trend: z
          .number()
          .min(0, { error: 'expected growth per year of at least 0 (a decline is not a trend the build can fit: give its cause as shocks)' })
          .max(10, { error: 'expected growth per year of at most 10 (+1000% a year)' })
          .optional()
          .describe(
            'Reported growth of the app\'s monthly users in the region before the shocks, per year (0.4 = +40% a year; default 0: no trend). The build fits a background adoption through contacts so that the world without shocks grows so; it goes on through the run.',
          ),
      })
      .strict(),
  ],
  { error: 'expected a share from 0 to 1, or { active, dormant, primary, trend }' },
);

export const FEATURES = ['voice', 'video', 'e2ee', 'slow-links', 'channels', 'groups', 'proxy'] as const;

const feature = z
  .enum(FEATURES)
  .describe('voice: calls (lost while calls are restricted); slow-links: works on 2G/3G; proxy: a way round blocks built in; the others are descriptive.');

/** Registration capacity: sign-ups per hour worldwide, or per region id ("all": the worldwide cap). */
const capacity = z
  .union([z.number().positive(), z.record(z.string(), z.number().positive())], {
    error: 'expected sign-ups per hour: a number, or a number per region id (e.g. { DE: 20000, all: 360000 })',
  })
  .describe('Sign-ups the app can register per hour: one worldwide number, or per region id (e.g. { DE: 20000, all: 360000 }); excess sign-ups wait and retry.');

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
    growth: z
      .number()
      .min(-0.5)
      .max(1)
      .default(0)
      .describe('Per year: growth of the population (e.g. 0.02 for +2% a year; each agent comes to stand for more people).'),
    privacy: trait.default({ mean: 0.3, sd: 1 }).describe('Privacy concern of people in the region.'),
    // Default: about a fifth of people get round a block that needs a VPN (hardness 0.5), as in
    // surveys of VPN use (22% of Russian adults used one actively in 2023; GlobalWebIndex puts
    // monthly VPN use at a fifth to a third of internet users worldwide).
    circumvention: trait
      .default({ mean: 0.24, sd: 1.5 })
      .describe('Skill to get round a block (VPN, proxies) at the start: a person gets round a block whose hardness is at most their skill, and can learn more while a block lasts. Default: about a fifth of people get round a block that needs a VPN (hardness 0.5).'),
    inertia: trait.default({ mean: 0.5, sd: 1 }).describe('Resistance to installing and learning a new app.'),
    apps: z.record(z.string(), appShare).describe('Initial use of each platform in the region, by platform id.'),
    universes: z
      .record(z.string(), z.number().gt(0).max(1))
      .default({})
      .describe('Other bases figures are measured on, as shares of the population (e.g. { adults: 0.86, cities100k: 0.45 }); a figure names one with `universe`.'),
  })
  .strict();

const platformChange = z
  .object({
    date,
    add: z.array(feature).default([]).describe('Features the app gains on that date.'),
    remove: z.array(feature).default([]).describe('Features the app loses on that date.'),
    quality: z.number().min(-5).max(5).optional().describe('New quality (utility points).'),
    privacy: share.optional().describe('New privacy reputation (0..1).'),
    price: z.number().min(0).max(1000).optional().describe('New one-off price in USD.'),
    capacity: capacity.optional(),
    label: z.string().optional().describe('Short label for charts and timelines.'),
  })
  .strict();

const platform = z
  .object({
    id,
    name: z.string().optional(),
    quality: z.number().min(-5).max(5).default(0).describe('Quality relative to a plain app, in utility points.'),
    features: z.array(feature).default([]).describe('Features the app has.'),
    price: z.number().min(0).default(0).describe('One-off price in USD (paid apps: users are purchases).'),
    privacy: share.default(0.5).describe('Privacy reputation, 0 (none) .. 1 (best).'),
    capacity: capacity.optional(),
    launch: date.optional().describe('Date the app becomes available (default: before the start).'),
    changes: z
      .array(platformChange)
      .default([])
      .describe('Dated changes of the app: features added or removed, a new quality, privacy reputation, price or capacity.'),
  })
  .strict();

const network = z
  .object({
    degree: z.number().min(2).max(200).default(12).describe('Mean number of contacts.'),
    tail: z.number().gt(2).max(5).default(2.5).describe('Power-law exponent of the degree distribution (heavier tail when smaller).'),
    crossRegion: share.default(0.03).describe('Share of ties that cross regions.'),
    locality: z.number().positive().max(10).default(1).describe('Scale of how local ties are (smaller: more triangles).'),
    maxDegree: z.number().int().min(10).max(5000).default(150).describe('Most contacts anyone has (fixed, so the network has the same shape at any agent count).'),
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
  .union([z.literal('all'), z.array(z.string()).min(1)], { error: 'expected "all" or a list of region ids (e.g. [RU] or [DE, CHAT])' })
  .default('all')
  .describe('Region ids the shock applies to, or "all".');

const loudness = z
  .union([z.number().min(0), z.record(z.string(), z.number().min(0))], { error: 'expected a number (1 = a major news story), or a number per region id (e.g. { DE: 2, RoW: 0.5 })' })
  .default(0)
  .describe('Media attention at the peak (1 = a major news story), one number or per region id.');

/**
 * Apps the coverage of a shock names, and how prominently (weights, 1 = the app of the story): one
 * map for every region the shock reaches, or one per region id.
 */
const mentions = z
  .union(
    [
      z.array(z.string()).min(1),
      z.record(
        z.string(),
        z.union([z.number().min(0).max(10), z.record(z.string(), z.number().min(0).max(10))], {
          error: 'expected a weight from 0 to 10 (1 = the app of the story), or for weights per region id a mapping of apps to weights',
        }),
      ),
    ],
    { error: 'expected a list of apps ([Telegram, Signal]), weights per app ({ Telegram: 1, Signal: 0.5 }) or weights per region id ({ DE: { Threema: 1 } })' },
  )
  .describe(
    'Apps the news of this shock names: a list ([Telegram, Signal]), weights ({ Telegram: 1, Signal: 0.5 }) or weights per region id ({ DE: { Threema: 1 }, RoW: { Telegram: 1 } }). People who reconsider lean towards named apps.',
  );

const base = {
  label: z.string().optional().describe('Short label for charts and timelines.'),
  regions: regionsRef,
  start: date,
  media: loudness,
  mentions: mentions.optional(),
};
const common = {
  ...base,
  platforms: z.array(z.string()).min(1).describe('Platform ids the shock applies to.'),
};
const span = {
  end: date.optional().describe('End of the shock (or give duration; absent: lasts to the end of the run).'),
  duration: duration.optional(),
};

export const SHOCK_TYPES = ['outage', 'block', 'throttle', 'trust', 'promotion', 'announcement', 'attention', 'connectivity', 'circumvention'] as const;

const shock = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('outage'),
      ...common,
      // An outage ends: its length (duration) or its end is required, one of the two (load.ts).
      end: date.optional().describe('When the app works again (or give duration; one of the two is required).'),
      duration: duration.optional().describe('How long the app is down (or give end).'),
      severity: z.number().gt(0).max(1).default(1).describe('Share of users for whom the app does not work (a fact of the event: set it from what was reported).'),
    })
    .strict(),
  z
    .object({
      type: z.literal('block'),
      ...common,
      ...span,
      hardness: share.default(0.5).describe('Circumvention skill needed to get round it (0 = trivial, 1 = nobody); people can learn it while the block lasts.'),
    })
    .strict(),
  z
    .object({
      type: z.literal('throttle'),
      ...common,
      ...span,
      slowdown: share.default(0).describe('How much slower the app is (0..1); apps that work on slow links suffer less.'),
      features: z.array(feature).default([]).describe('Features restricted while it lasts (e.g. voice).'),
    })
    .strict(),
  z
    .object({
      type: z.literal('trust'),
      ...common,
      magnitude: z
        .number()
        .min(-1)
        .max(1)
        .describe('Change of the privacy reputation: positive lowers it (a scare), negative raises it (good news); it fades back slowly.'),
    })
    .strict(),
  z
    .object({
      type: z.literal('promotion'),
      ...common,
      ...span,
      preinstall: share.default(0).describe('Per day: share of people who get the app installed for them (dormant until first used).'),
      require: share
        .default(0)
        .describe('Per day: share of people required to use the app (school, work, public services): they install it and keep it in use beside their main app while this lasts.'),
      bonus: z.number().min(-5).max(5).default(0).describe('Utility added while it lasts (e.g. services only on this app).'),
    })
    .strict(),
  z
    .object({
      type: z.literal('announcement'),
      ...common,
      until: date.describe('When the announced measure takes effect or the threat fades.'),
      threat: share.default(0.5).describe('How credible the threat is (0..1); people add or move to other apps before it takes effect.'),
    })
    .strict(),
  z
    .object({
      type: z.literal('attention'),
      ...common,
      ...span,
      topic: z
        .enum(['general', 'privacy'])
        .default('general')
        .describe('privacy: felt in proportion to each person\'s privacy concern (a call to switch for privacy); general: by everyone.'),
    })
    .strict()
    .describe('News that points people at the named apps (platforms) without anything failing: a celebrity\'s call, a founder\'s post, a campaign.'),
  z
    .object({
      type: z.literal('connectivity'),
      ...base,
      ...span,
      platforms: z.array(z.string()).min(1).optional().describe('Apps affected (default: every app).'),
      severity: share
        .default(0)
        .describe('Share of people cut off from mobile internet on a given day, drawn afresh each day (apps that are exempt or work on slow links keep working for them).'),
      slowdown: share.default(0).describe('How much slower mobile internet is for everyone else (0..1); apps built for slow links escape most of it.'),
      exempt: z.array(z.string()).default([]).describe('Apps that keep working (a whitelist).'),
    })
    .strict()
    .describe('A regional mobile-internet shutdown or throttling that hits every app except those that work on slow links or are exempt.'),
  z
    .object({
      type: z.literal('circumvention'),
      ...base,
      ...span,
      platforms: z.array(z.string()).min(1).optional().describe('Blocked apps affected (default: every block in the regions).'),
      hardness: z
        .number()
        .min(-1)
        .max(1)
        .describe('Added to the hardness of blocks while it lasts: positive makes getting round them harder (VPNs banned), negative easier.'),
    })
    .strict()
    .describe('A change in how hard blocks are to get round: a VPN ban, VPN protocols blocked, or a new easy way round.'),
]);

export const METRICS = ['signups', 'installs', 'dau', 'mau', 'primary', 'installed', 'users'] as const;

/** The other side of a relative figure: fields not given are the figure's own. */
const relativeTo = z
  .object(
    {
      figure: z.string().optional().describe('Another figure of this scenario, by id: the same quantity as that figure (its app, metric, region, universe, date and window); the other fields here override it.'),
      platform: z.string().optional(),
      metric: z.enum(METRICS).optional(),
      region: z.union([z.string(), z.array(z.string()).min(1)], { error: 'expected a region id, a list of region ids or "all"' }).optional(),
      universe: z.string().optional(),
      date: date.optional(),
      window: duration.optional(),
    },
    { error: 'expected the id of another figure, or a mapping of what the other side of the ratio changes, e.g. { date: "2021-01-01" } or { platform: WhatsApp }' },
  )
  .strict()
  .describe('A relative figure: the value is the ratio of this figure to the same quantity at another time or for another app or group (e.g. { date: "2021-01-01" } for "x times the usual day").');

/** "x23.7", "23.7x", "+15%", "-16%": what reports write for ratios and changes. */
const ratioText = z
  .string()
  .regex(/^\s*(x\s*\d+(\.\d+)?|\d+(\.\d+)?\s*x|[+-]\d+(\.\d+)?\s*%)\s*$/i, 'expected a number, or for a relative figure a ratio such as "x5", "5x", "+15%" or "-16%"');

export const KINDS = ['claim', 'estimate', 'panel', 'survey'] as const;

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
    region: z
      .union([z.string(), z.array(z.string()).min(1)], { error: 'expected a region id, a list of region ids or "all"' })
      .default('all')
      .describe('Region id(s) or "all".'),
    universe: z.string().optional().describe('The base the figure is measured on, one of the regions\' `universes` (default: the whole population).'),
    date: date.optional().describe('Date or period of the figure ("2018-04" = April 2018).'),
    window: duration.optional().describe('For flows: the window starting at date (e.g. "24h"); default the period the date names.'),
    as: z
      .enum(['count', 'percent', 'share-of-total'])
      .default('count')
      .describe('count: people; percent: of the base population; share-of-total: percent of the same metric over all regions.'),
    relativeTo: z
      .union([z.string().describe('The id of another figure of this scenario (short for { figure: <id> }).'), relativeTo])
      .transform((v) => (typeof v === 'string' ? { figure: v } : v))
      .optional()
      .describe('A relative figure: its value is a ratio to another figure of this file (its id) or to the same quantity with some fields changed ({ date: "2021-01-01" } for "x times the usual day").'),
    value: z
      .union([z.number(), ratioText])
      .optional()
      .describe('Reported value (required unless ref, low or high is given); for a relative figure the ratio (1.15, "+15%", "x5").'),
    low: z.number().optional().describe('Lower end of a range; alone: a lower bound ("over 100 million"), met by any model value above it.'),
    high: z.number().optional().describe('Upper end of a range; alone: an upper bound ("at most 1 million a day").'),
    kind: z
      .enum(KINDS)
      .optional()
      .describe('What kind of measurement it is, which sets its reporting error: claim (a company\'s own count), estimate (app-intelligence downloads), panel (audience panels), survey (shares of respondents). Default from the metric.'),
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
    path: z
      .union([z.string(), z.array(z.string()).min(1)], { error: 'expected a path in this file such as "shocks[0].media", or a list of them' })
      .describe('Where it goes in this file, e.g. "shocks[0].media"; a list sets the same value in several places.'),
    min: z.number(),
    max: z.number(),
    scale: z.enum(['log', 'linear']).default('log'),
    prior: z
      .object({
        centre: z.number().describe('Most plausible value from the facts of the event.'),
        spread: z.number().positive().describe('Standard deviation on the search scale (log10 units for scale log).'),
      })
      .strict()
      .optional()
      .describe('Prior from the facts of the event: a normal on the search scale, truncated to [min, max] (default: uniform on [min, max]).'),
    doc: z.string().optional().describe('What the quantity is and which facts its prior rests on.'),
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
    network: network.default({ degree: 12, tail: 2.5, crossRegion: 0.03, locality: 1, maxDegree: 150 }),
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

/**
 * How a shock ends: at a date (an announcement's `until`, or `end`), after `days` (its
 * `duration`), or with the run (undefined). The one rule the engine, the warnings and the size
 * checks share; each turns it into its own time unit.
 */
export function shockEnd(sh: ShockSpec): { date: string } | { days: number } | undefined {
  if (sh.type === 'announcement') return { date: sh.until };
  if ('end' in sh && sh.end) return { date: sh.end };
  if ('duration' in sh && sh.duration) return { days: parseDuration(sh.duration) };
  return undefined;
}
export type MetricName = (typeof METRICS)[number];

export function scenarioJsonSchema(): object {
  const s = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...s, title: 'exodus scenario', description: 'A scenario file for the exodus messenger-migration simulator.' };
}
