// Time in the engine is measured in days since the scenario start (floating point); rates are per
// day and turned into step probabilities with p = 1 - exp(-rate * dt).

const UNIT_DAYS: Record<string, number> = { m: 1 / 1440, min: 1 / 1440, h: 1 / 24, d: 1, w: 7 };

/** Parse a duration such as "30m", "1h", "6h", "1d", "2w" into days. Returns NaN if malformed or not finite. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$/.exec(text);
  if (!m) return Number.NaN;
  const days = Number(m[1]) * UNIT_DAYS[m[2]];
  return Number.isFinite(days) ? days : Number.NaN;
}

export const DAY_MS = 86_400_000;

/** Parse an ISO date or date-time ("2019-03-13", "2019-03-13T16:00Z", "2018-04") as UTC; NaN if malformed. */
export function parseDate(text: string): number {
  const t = text.trim();
  // Date.parse rolls 30 February over into March: a day the month does not have is malformed.
  const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  if (ymd && Number(ymd[3]) > new Date(Date.UTC(Number(ymd[1]), Number(ymd[2]), 0)).getUTCDate()) return Number.NaN;
  if (/^\d{4}$/.test(t)) return Date.parse(`${t}-01-01T00:00:00Z`);
  if (/^\d{4}-\d{2}$/.test(t)) return Date.parse(`${t}-01T00:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return Date.parse(`${t}T00:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    return Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(t) ? t : `${t}Z`);
  }
  return Number.NaN;
}

/** The end of the period a date names: "2018-04" is the whole of April, "2018-04-16" the whole day. */
export function parsePeriodEnd(text: string): number {
  const t = text.trim();
  const start = parseDate(t);
  if (Number.isNaN(start)) return start;
  const d = new Date(start);
  if (/^\d{4}$/.test(t)) return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  if (/^\d{4}-\d{2}$/.test(t)) return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return start + DAY_MS;
  return start;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(':00.000Z', 'Z').replace('.000Z', 'Z');
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Probability that an event with the given rate (per day) happens within dt days. */
export function rateToProb(rate: number, dt: number): number {
  return rate <= 0 ? 0 : 1 - Math.exp(-rate * dt);
}
