// Compare two files of bench/figures.ts: per figure, the median over seeds before and after, and
// the shift in units of its Monte-Carlo standard error (z; |z| > 3 is flagged).
// Usage: node --import tsx bench/figures-diff.ts before.jsonl after.jsonl
import { readFileSync } from 'node:fs';
import { group, median, quantile } from 'd3-array';

type Row = { event: string; seed: number; seconds: number; values: Record<string, number> };
const read = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const [a, b] = process.argv.slice(2).map(read);
const byEvent = (rows: Row[]) => group(rows, (r) => r.event);
const A = byEvent(a);
const B = byEvent(b);
let flagged = 0;
let total = 0;
for (const [ev, ra] of A) {
  const rb = B.get(ev) ?? [];
  const ta = median(ra, (r) => r.seconds) ?? NaN;
  const tb = median(rb, (r) => r.seconds) ?? NaN;
  console.log(`\n${ev}: ${ra.length} vs ${rb.length} seeds, median run ${ta.toFixed(2)} s -> ${tb.toFixed(2)} s (${(ta / tb).toFixed(1)}x)`);
  for (const id of Object.keys(ra[0].values)) {
    const xa = ra.map((r) => r.values[id]).filter(Number.isFinite);
    const xb = rb.map((r) => r.values[id]).filter(Number.isFinite);
    if (!xa.length || !xb.length) continue;
    const spread = (xs: number[]) => ((quantile(xs, 0.75) ?? 0) - (quantile(xs, 0.25) ?? 0)) / 1.349;
    const se = Math.sqrt((1.57 * spread(xa) ** 2) / xa.length + (1.57 * spread(xb) ** 2) / xb.length);
    const ma = median(xa) ?? NaN;
    const mb = median(xb) ?? NaN;
    const z = se > 0 ? (mb - ma) / se : ma === mb ? 0 : Infinity;
    total++;
    if (Math.abs(z) > 3) flagged++;
    console.log(`  ${Math.abs(z) > 3 ? '!' : ' '} ${id.padEnd(64)} ${ma.toPrecision(4).padStart(11)} -> ${mb.toPrecision(4).padStart(11)}  z ${z.toFixed(1)}`);
  }
}
console.log(`\n${flagged} of ${total} figures moved by more than 3 Monte-Carlo standard errors.`);
