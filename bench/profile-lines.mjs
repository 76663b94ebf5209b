// Line-level self time of one function in a .cpuprofile of a bundled script (esbuild keeps lines):
// node bench/profile-lines.mjs FILE.cpuprofile FUNCTION [SCRIPT]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const [file, fn] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const ticks = new Map();
let url = '';
for (const n of prof.nodes) {
  if (n.callFrame.functionName !== fn) continue;
  url = n.callFrame.url;
  for (const t of n.positionTicks ?? []) ticks.set(t.line, (ticks.get(t.line) ?? 0) + t.ticks);
}
const src = readFileSync(fileURLToPath(url), 'utf8').split('\n');
const total = [...ticks.values()].reduce((a, b) => a + b, 0);
for (const [line, t] of [...ticks].sort((a, b) => a[0] - b[0])) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}% ${String(line).padStart(5)}  ${src[line - 1].trim().slice(0, 150)}`);
