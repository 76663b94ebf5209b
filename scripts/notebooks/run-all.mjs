#!/usr/bin/env node
// Executes the notebooks in notebooks/ on the project's Deno kernel, headlessly, with nbconvert.
//
//   node scripts/notebooks/run-all.mjs                 execute every notebooks/*.ipynb in place (outputs kept, to commit)
//   node scripts/notebooks/run-all.mjs 01-quickstart [...]  only these (name, name.ipynb, path, or a unique prefix like 01)
//   node scripts/notebooks/run-all.mjs --check         execute into a temp dir, leave the committed files alone (CI)
//   node scripts/notebooks/run-all.mjs --html out/nb   also export each executed notebook to HTML there
//
// Exits non-zero when a cell raises (nbconvert's default), naming the notebooks that failed.
// Needs `jupyter nbconvert` (Debian: jupyter-core jupyter-nbconvert jupyter-client) and the npm package deno.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { KERNEL_NAME, ROOT, jupyterEnv, setupKernel } from './setup-kernel.mjs';

const NOTEBOOKS_DIR = path.join(ROOT, 'notebooks');
const APT = 'apt-get install -y --no-install-recommends jupyter-core jupyter-nbconvert jupyter-client';

function usage() {
  return `usage: node scripts/notebooks/run-all.mjs [--check] [--html DIR] [--timeout SECONDS] [NOTEBOOK ...]
  --check          execute into a temporary copy; committed notebooks are not rewritten; fails on any cell error
  --html DIR       also export the executed notebooks to DIR/*.html
  --timeout S      per-cell timeout in seconds (default 600)
  NOTEBOOK         name, name.ipynb or unique prefix of a notebook in notebooks/ (default: all)`;
}

function parseArgs(argv) {
  const opts = { check: false, html: undefined, timeout: 600, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--html') opts.html = argv[++i];
    else if (a.startsWith('--html=')) opts.html = a.slice(7);
    else if (a === '--timeout') opts.timeout = Number(argv[++i]);
    else if (a.startsWith('--timeout=')) opts.timeout = Number(a.slice(10));
    else if (a === '-h' || a === '--help') opts.help = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else opts.names.push(a);
  }
  if (opts.html === undefined && argv.includes('--html')) throw new UsageError('--html needs a directory');
  if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) throw new UsageError('--timeout needs a positive number');
  return opts;
}

class UsageError extends Error {}

function listNotebooks() {
  return fs
    .readdirSync(NOTEBOOKS_DIR)
    .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
    .sort();
}

function select(all, names) {
  if (names.length === 0) return all;
  return names.map((n) => {
    const base = path.basename(n).replace(/\.ipynb$/, '');
    const exact = all.find((f) => f === `${base}.ipynb`);
    if (exact) return exact;
    const prefixed = all.filter((f) => f.startsWith(base));
    if (prefixed.length === 1) return prefixed[0];
    throw new UsageError(
      prefixed.length === 0
        ? `no notebook matches "${n}" in notebooks/ (have: ${all.join(', ') || 'none'})`
        : `"${n}" matches several notebooks: ${prefixed.join(', ')}`,
    );
  });
}

function checkJupyter(env) {
  const r = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8', env });
  if (r.status !== 0) {
    throw new Error(`\`jupyter nbconvert\` is not available. On Debian/Ubuntu: apt-get update && ${APT}`);
  }
  return r.stdout.trim();
}

function nbconvert(args, env) {
  // cwd = notebooks/: nbconvert starts the kernel in the notebook's own directory either way, so the
  // notebooks' relative imports ('./lib/display.ts', '../src/...') resolve the same in every mode.
  return spawnSync('jupyter', ['nbconvert', ...args], { cwd: NOTEBOOKS_DIR, env, stdio: ['ignore', 'inherit', 'pipe'] });
}

function main(argv) {
  const opts = parseArgs(argv);
  if (opts.help) {
    console.log(usage());
    return 0;
  }
  const all = listNotebooks();
  const chosen = select(all, opts.names);
  if (chosen.length === 0) {
    console.log('no notebooks in notebooks/');
    return 0;
  }

  const kernel = setupKernel({ quiet: true });
  // NO_COLOR reaches the kernel (it inherits nbconvert's environment): plain text/plain outputs and
  // tracebacks in the committed notebooks, instead of ANSI colour codes.
  const env = { ...jupyterEnv(), NO_COLOR: '1' };
  const nbv = checkJupyter(env);
  console.log(`notebooks: ${chosen.length} on ${kernel.version.split(' (')[0]}, nbconvert ${nbv}${opts.check ? ' (check: outputs go to a temp dir)' : ''}`);

  const outDir = opts.check ? fs.mkdtempSync(path.join(os.tmpdir(), 'exodus-nb-')) : undefined;
  const htmlDir = opts.html ? path.resolve(opts.html) : undefined;
  if (htmlDir) fs.mkdirSync(htmlDir, { recursive: true });
  const failed = [];
  try {
    chosen.forEach((nb, i) => {
      const t0 = Date.now();
      process.stdout.write(`[${i + 1}/${chosen.length}] ${nb} ... `);
      const args = [
        '--to',
        'notebook',
        '--execute',
        `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
        `--ExecutePreprocessor.timeout=${opts.timeout}`,
        '--ExecutePreprocessor.startup_timeout=120',
        // No per-cell timestamps in the committed files (they would change on every run).
        '--ExecutePreprocessor.record_timing=False',
        ...(outDir ? ['--output-dir', outDir] : ['--inplace']),
        nb,
      ];
      const executed = outDir ? path.join(outDir, nb) : path.join(NOTEBOOKS_DIR, nb);
      let r = nbconvert(args, env);
      // Every code cell of these notebooks shows something. A code cell without outputs means the kernel
      // dropped them (see print/settle in notebooks/lib/display.ts): run the notebook once more.
      let empty = r.status === 0 ? emptyCodeCells(executed) : [];
      if (empty.length > 0) {
        process.stdout.write(`no output from cell(s) ${empty.join(', ')}; once more ... `);
        r = nbconvert(args, env);
        empty = r.status === 0 ? emptyCodeCells(executed) : [];
      }
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (r.status !== 0) {
        console.log(`FAILED (${secs}s)`);
        // nbconvert's stderr carries the failing cell and its traceback.
        process.stderr.write(`--- ${nb}: ${stripNoise(r.stderr?.toString() ?? '').trimEnd()}\n---\n`);
        failed.push(nb);
        return;
      }
      if (empty.length > 0) {
        console.log(`FAILED (${secs}s)`);
        process.stderr.write(
          `--- ${nb}: code cell(s) ${empty.join(', ')} produced no output. Every code cell should show something: ` +
            `end it with \`await print(...)\`, showTable or showChart from ./lib/display.ts (console.log output can be lost).\n---\n`,
        );
        failed.push(nb);
        return;
      }
      console.log(`ok (${secs}s)`);
      if (htmlDir) {
        const h = nbconvert(['--to', 'html', '--output-dir', htmlDir, executed], env);
        if (h.status !== 0) {
          process.stderr.write(stripNoise(h.stderr?.toString() ?? ''));
          failed.push(`${nb} (html export)`);
        } else {
          console.log(`      -> ${path.relative(process.cwd(), path.join(htmlDir, nb.replace(/\.ipynb$/, '.html')))}`);
        }
      }
    });
  } finally {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  }
  // The last line counts them (CI adds it to the tests' count).
  const failedNotebooks = new Set(failed.map((f) => f.replace(/ \(html export\)$/, ''))).size;
  if (failed.length > 0) {
    console.error(`\n${failed.length} of ${chosen.length} notebook(s) failed: ${failed.join(', ')}`);
    console.log(`notebooks: ${chosen.length - failedNotebooks} passed, ${failedNotebooks} failed`);
    return 1;
  }
  console.log(`all ${chosen.length} notebook(s) ran without errors`);
  console.log(`notebooks: ${chosen.length} passed, 0 failed`);
  return 0;
}

/** Ids (or 1-based numbers) of the code cells of a notebook file that have no outputs. */
function emptyCodeCells(file) {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  const empty = [];
  nb.cells.forEach((c, i) => {
    const code = Array.isArray(c.source) ? c.source.join('') : String(c.source ?? '');
    if (c.cell_type === 'code' && code.trim() !== '' && (c.outputs ?? []).length === 0) empty.push(c.id ?? `#${i + 1}`);
  });
  return empty;
}

/** Keeps the failing cell and its error; drops nbconvert's Python traceback, INFO lines and deno's banner. */
function stripNoise(text) {
  const at = text.search(/^\S*CellExecutionError: /m);
  if (at >= 0) text = text.slice(at).replace(/^\S*CellExecutionError: /, '');
  return text
    .split('\n')
    .filter((l) => !/^\[NbConvertApp\] (Converting|Writing|Executing)/.test(l))
    .filter((l) => !/"deno jupyter" is unstable/.test(l))
    .join('\n');
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    console.error(`run-all: ${e.message}\n${usage()}`);
    process.exitCode = 2;
  } else {
    console.error(`run-all: ${e instanceof Error ? e.message : e}`);
    process.exitCode = 1;
  }
}
