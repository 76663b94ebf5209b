// Self time per function of a .cpuprofile (node --cpu-prof): node bench/profile-top.mjs FILE [N]
import { readFileSync } from 'node:fs';
const [file, nArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const dt = new Map();
for (let k = 0; k < prof.samples.length; k++) dt.set(prof.samples[k], (dt.get(prof.samples[k]) ?? 0) + (prof.timeDeltas[k] ?? 0));
const self = new Map();
let total = 0;
for (const node of prof.nodes) {
  const t = dt.get(node.id) ?? 0;
  total += t;
  const cf = node.callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(nArg ?? 25));
for (const [k, t] of rows) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}`);

// Inclusive time of the functions named in --inclusive a,b,c
const incArg = process.argv.indexOf('--inclusive');
if (incArg > 0) {
  const names = new Set(process.argv[incArg + 1].split(','));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const memo = new Map();
  const subtree = (n) => {
    if (memo.has(n.id)) return memo.get(n.id);
    let t = dt.get(n.id) ?? 0;
    for (const c of n.children ?? []) t += subtree(byId.get(c));
    memo.set(n.id, t);
    return t;
  };
  const inc = new Map();
  const walk = (n, inside) => {
    const name = n.callFrame.functionName;
    const top = names.has(name) && !inside.has(name);
    if (top) inc.set(name, (inc.get(name) ?? 0) + subtree(n));
    const next = top ? new Set([...inside, name]) : inside;
    for (const c of n.children ?? []) walk(byId.get(c), next);
  };
  walk(prof.nodes[0], new Set());
  console.log('\ninclusive:');
  for (const [k, t] of inc) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}
