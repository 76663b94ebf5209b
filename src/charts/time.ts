// Times in chart data are epoch milliseconds read as UTC, so a chart looks the same in every
// time zone (a bare "2021-01-07T00:00:00" would otherwise be read as local time by Vega).

/** Epoch ms of an ISO date or timestamp; timestamps without a zone are taken as UTC. */
export function toUtcMs(iso: string): number {
  const hasTime = iso.includes('T');
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/i.test(iso);
  const ms = Date.parse(hasTime && !hasZone ? `${iso}Z` : iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO date: "${iso}"`);
  return ms;
}

/** "2021-01-07" (UTC) for tooltips and tables. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
