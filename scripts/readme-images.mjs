#!/usr/bin/env node
// Regenerate the README's chart images (docs/img/): one chart per kind of event — an outage, a
// takeover with a privacy scare, a government block — from a fresh report of those three events,
// or from an existing report folder (--from out, e.g. after `npm start`).
//
//   npm run readme-images                 # runs the three events (8 replicates; a few minutes)
//   npm run readme-images -- --from out   # copies from the report `npm start` wrote
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs', 'img');

/** Which chart shows each kind of event: event folder, chart name prefix (the region follows). */
export const IMAGES = [
  { file: 'outage-facebook-2019-signups.png', event: 'facebook-outage-2019', chart: 'signups-' },
  { file: 'takeover-whatsapp-2014-signups.png', event: 'whatsapp-acquisition-2014', chart: 'signups-' },
  { file: 'block-russia-2024-2026-mau.png', event: 'russia-blocks-2024-2026', chart: 'mau-' },
];

const USAGE = `Usage: npm run readme-images [-- --from DIR] [-- --replicates N]

Writes ${IMAGES.map((i) => `docs/img/${i.file}`).join(', ')}.
  --from DIR       take the PNGs from an existing report folder (default: run a fresh report of
                   the three events into a temporary folder, removed afterwards)
  --replicates N   replicates per event of the fresh report (default 8, as npm start)
  -h, --help       this help`;

function arg(name) {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

if (process.argv.includes('-h') || process.argv.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}

let from = arg('--from');
let tmp;
if (!from) {
  tmp = mkdtempSync(join(tmpdir(), 'exodus-readme-images-'));
  from = join(tmp, 'report');
  const events = [...new Set(IMAGES.map((i) => i.event))];
  const res = spawnSync(process.execPath, [join(ROOT, 'bin', 'exodus.mjs'), 'report', ...events, '--out', from, '--replicates', arg('--replicates') ?? '8'], { stdio: 'inherit' });
  if (res.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    process.exit(res.status ?? 1);
  }
}
try {
  mkdirSync(OUT, { recursive: true });
  for (const img of IMAGES) {
    const dir = join(from, img.event);
    const png = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith(img.chart) && f.endsWith('.png')) : undefined;
    if (!png) {
      console.error(`readme-images: ${join(dir, `${img.chart}*.png`)}: not found; expected a report with event ${img.event}`);
      process.exitCode = 2;
      continue;
    }
    // Copy next to the target, then rename: a reader never sees half an image.
    const target = join(OUT, img.file);
    copyFileSync(join(dir, png), `${target}.partial`);
    renameSync(`${target}.partial`, target);
    console.log(`wrote docs/img/${img.file} (from ${img.event}/${png})`);
  }
} finally {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
