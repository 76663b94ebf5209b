// Compare two folders written by `bench/golden.ts --dump`: the largest relative difference per run
// and how many values differ beyond a tolerance (default 1e-9).
// Usage: node --import tsx bench/golden-diff.ts DIR_A DIR_B [tolerance]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [a, b, tolArg] = process.argv.slice(2);
const tol = Number(tolArg ?? 1e-9);
let bad = 0;
for (const f of readdirSync(a).filter((x) => x.endsWith('.csv')).sort()) {
  const la = readFileSync(join(a, f), 'utf8').trim().split('\n');
  const lb = readFileSync(join(b, f), 'utf8').trim().split('\n');
  if (la.length !== lb.length) {
    console.log(`${f}: ${la.length} vs ${lb.length} lines`);
    bad++;
    continue;
  }
  let worst = 0;
  let over = 0;
  for (let k = 0; k < la.length; k++) {
    const x = Number(la[k].slice(la[k].lastIndexOf(',') + 1));
    const y = Number(lb[k].slice(lb[k].lastIndexOf(',') + 1));
    const d = x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
    worst = Math.max(worst, d);
    if (d > tol) over++;
  }
  if (over) bad++;
  console.log(`${f}: ${la.length} values, largest relative difference ${worst.toExponential(2)}, ${over} beyond ${tol}`);
}
process.exitCode = bad ? 1 : 0;
