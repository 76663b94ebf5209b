#!/usr/bin/env node
// Writes the project's Jupyter kernelspec for the notebooks in notebooks/.
//
//   node scripts/notebooks/setup-kernel.mjs            write notebooks/.kernel/share/jupyter/kernels/exodus-deno
//   node scripts/notebooks/setup-kernel.mjs --user     also install it into the user's Jupyter data dir (for editors)
//   node scripts/notebooks/setup-kernel.mjs --quiet    print nothing but errors
//
// The kernel is Deno's own Jupyter kernel (`deno jupyter --kernel`), run by the deno binary that the
// npm package `deno` installs (its platform package @deno/<os>-<arch>[-glibc] ships the binary, so no
// install script has to run). A kernelspec's argv must be absolute, so it is generated here, on each
// machine, into a gitignored directory; Jupyter finds it through JUPYTER_PATH.
//
// Plain Node ESM, no dependencies. The other scripts import `setupKernel` from here.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNEL_NAME = 'exodus-deno';
export const DISPLAY_NAME = 'exodus (Deno, TypeScript)';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const KERNEL_BASE = path.join(ROOT, 'notebooks', '.kernel');
/** The directory to put on JUPYTER_PATH. */
export const JUPYTER_PATH_DIR = path.join(KERNEL_BASE, 'share', 'jupyter');
export const KERNEL_DIR = path.join(JUPYTER_PATH_DIR, 'kernels', KERNEL_NAME);
/** Deno's cache (transpiled modules, etc.), kept inside the project so CI and a fresh clone need nothing else. */
export const DENO_DIR = path.join(KERNEL_BASE, 'deno-dir');

/** Flags after `deno jupyter`. `deno jupyter` accepts only the unstable flags (no -A, --config, --no-lock...);
 * the kernel always runs with all permissions, and finds its config (the root package.json, a deno.json if
 * any) by walking up from its working directory, which Jupyter sets to the notebook's directory. */
export const DENO_FLAGS = [
  // Import the project's sources as written for Node/tsc: './x.js' -> './x.ts', extensionless, directories.
  '--unstable-sloppy-imports',
  // Allow `import fs from 'fs'` (without the node: prefix) in the project's sources.
  '--unstable-bare-node-builtins',
];

function denoTarget() {
  const arch = os.arch();
  const platform = os.platform();
  if (platform === 'linux') return `linux-${arch}-glibc`;
  return `${platform}-${arch}`;
}

/** Finds the deno binary installed by the npm package `deno` (or $DENO_BIN when set). */
export function findDeno() {
  const exe = os.platform() === 'win32' ? 'deno.exe' : 'deno';
  const tried = [];
  if (process.env.DENO_BIN) {
    if (fs.existsSync(process.env.DENO_BIN)) return path.resolve(process.env.DENO_BIN);
    tried.push(`$DENO_BIN=${process.env.DENO_BIN}`);
  }
  const req = createRequire(path.join(ROOT, 'package.json'));
  let denoPkgDir;
  try {
    denoPkgDir = path.dirname(req.resolve('deno/package.json'));
  } catch {
    tried.push('node_modules/deno (not installed)');
  }
  if (denoPkgDir) {
    // The package's postinstall hard-links the binary here; it may not have run (--ignore-scripts).
    const linked = path.join(denoPkgDir, exe);
    if (fs.existsSync(linked)) return linked;
    tried.push(linked);
    const platformPkg = `@deno/${denoTarget()}`;
    try {
      const pdir = path.dirname(createRequire(path.join(denoPkgDir, 'package.json')).resolve(`${platformPkg}/package.json`));
      const bin = path.join(pdir, exe);
      if (fs.existsSync(bin)) return bin;
      tried.push(bin);
    } catch {
      tried.push(`${platformPkg} (not installed: optional dependency of deno, for this platform)`);
    }
  }
  throw new Error(
    `deno binary not found. Run \`npm install\` (the project depends on the npm package "deno").\nTried:\n  ${tried.join('\n  ')}`,
  );
}

function ensureExecutable(file) {
  if (os.platform() === 'win32') return;
  const mode = fs.statSync(file).mode;
  if ((mode & 0o111) !== 0o111) {
    try {
      fs.chmodSync(file, mode | 0o111);
    } catch {
      /* read-only install: leave it, the version check below will tell */
    }
  }
}

function denoVersion(deno) {
  const r = spawnSync(deno, ['--version'], { encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' } });
  if (r.status !== 0) throw new Error(`${deno} --version failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout.split('\n')[0].trim();
}

/** Lets deno write its own kernelspec in a scratch dir, to take its logos from it. Best effort. */
function copyDenoLogos(deno, dest) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'exodus-kernel-'));
  try {
    const r = spawnSync(deno, ['jupyter', '--install', '--name', KERNEL_NAME, '--force'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        HOME: tmp,
        USERPROFILE: tmp,
        APPDATA: tmp,
        XDG_DATA_HOME: path.join(tmp, 'data'),
        DENO_DIR,
        DENO_NO_UPDATE_CHECK: '1',
      },
    });
    if (r.status !== 0) return 0;
    const found = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/^logo-.*\.(png|svg)$/.test(e.name)) found.push(p);
      }
    };
    walk(tmp);
    for (const f of found) fs.copyFileSync(f, path.join(dest, path.basename(f)));
    return found.length;
  } catch {
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Writes notebooks/.kernel/share/jupyter/kernels/exodus-deno/kernel.json (and deno's logos).
 * @returns {{ deno: string, version: string, kernelDir: string, jupyterPath: string, spec: object }}
 */
export function setupKernel({ quiet = false } = {}) {
  const deno = findDeno();
  ensureExecutable(deno);
  const version = denoVersion(deno);
  fs.mkdirSync(KERNEL_DIR, { recursive: true });
  fs.mkdirSync(DENO_DIR, { recursive: true });
  const spec = {
    argv: [deno, 'jupyter', ...DENO_FLAGS, '--kernel', '--conn', '{connection_file}'],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    env: {
      DENO_DIR,
      DENO_NO_UPDATE_CHECK: '1',
      DENO_NO_PROMPT: '1',
    },
    metadata: { exodus: { generatedBy: 'scripts/notebooks/setup-kernel.mjs', deno: version } },
  };
  const kernelJson = path.join(KERNEL_DIR, 'kernel.json');
  const text = JSON.stringify(spec, null, 2) + '\n';
  const old = fs.existsSync(kernelJson) ? fs.readFileSync(kernelJson, 'utf8') : '';
  if (old !== text) fs.writeFileSync(kernelJson, text);
  if (!fs.existsSync(path.join(KERNEL_DIR, 'logo-64x64.png'))) copyDenoLogos(deno, KERNEL_DIR);
  if (!quiet) {
    console.log(`kernel "${DISPLAY_NAME}" (${KERNEL_NAME}): ${version}`);
    console.log(`  deno:       ${deno}`);
    console.log(`  kernelspec: ${path.relative(ROOT, kernelJson)}`);
  }
  return { deno, version, kernelDir: KERNEL_DIR, jupyterPath: JUPYTER_PATH_DIR, spec };
}

/** Environment for running jupyter with the project's kernelspec visible. */
export function jupyterEnv(base = process.env) {
  const prev = base.JUPYTER_PATH;
  return {
    ...base,
    JUPYTER_PATH: prev ? `${JUPYTER_PATH_DIR}${path.delimiter}${prev}` : JUPYTER_PATH_DIR,
    DENO_DIR: base.DENO_DIR ?? DENO_DIR,
    DENO_NO_UPDATE_CHECK: '1',
  };
}

/** Installs the kernelspec into the user's Jupyter data dir, so editors (VS Code, a global JupyterLab) list it. */
export function installUser({ quiet = false } = {}) {
  const r = spawnSync('jupyter', ['kernelspec', 'install', '--user', '--replace', '--name', KERNEL_NAME, KERNEL_DIR], {
    encoding: 'utf8',
  });
  let dest;
  if (r.status === 0) {
    dest = (r.stderr + r.stdout).match(/Installed kernelspec \S+ in (.+)/)?.[1]?.trim();
  } else {
    // No `jupyter` on PATH: copy into Jupyter's standard user data dir ourselves.
    const home = os.homedir();
    const dataDir =
      process.env.JUPYTER_DATA_DIR ??
      (os.platform() === 'darwin'
        ? path.join(home, 'Library', 'Jupyter')
        : os.platform() === 'win32'
          ? path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'jupyter')
          : path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'jupyter'));
    dest = path.join(dataDir, 'kernels', KERNEL_NAME);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(dest, { recursive: true });
    for (const f of fs.readdirSync(KERNEL_DIR)) fs.copyFileSync(path.join(KERNEL_DIR, f), path.join(dest, f));
  }
  if (!quiet) console.log(`  installed for this user: ${dest ?? '(see jupyter kernelspec list)'}`);
  return dest;
}

function usage() {
  return `usage: node scripts/notebooks/setup-kernel.mjs [--user] [--quiet]

Writes the Jupyter kernelspec "${KERNEL_NAME}" ("${DISPLAY_NAME}") into
  notebooks/.kernel/share/jupyter/kernels/${KERNEL_NAME}/  (gitignored; argv points at this checkout's deno)
  --user   also install it into your user Jupyter dir (jupyter kernelspec install --user),
           for VS Code or a Jupyter started without JUPYTER_PATH; re-run after moving the checkout
  --quiet  print nothing but errors`;
}

function main(argv) {
  const args = new Set(argv);
  if (args.has('-h') || args.has('--help')) {
    console.log(usage());
    return 0;
  }
  for (const a of args) {
    if (!['--user', '--quiet'].includes(a)) {
      console.error(`unknown argument: ${a}\n${usage()}`);
      return 2;
    }
  }
  const quiet = args.has('--quiet');
  setupKernel({ quiet });
  if (args.has('--user')) installUser({ quiet });
  if (!quiet) {
    const rel = path.relative(ROOT, JUPYTER_PATH_DIR);
    console.log(`
Use it (from the project root):
  JUPYTER_PATH=${rel} jupyter kernelspec list
  JUPYTER_PATH=${rel} jupyter notebook notebooks/
  npm run notebooks                 execute every notebooks/*.ipynb in place (outputs are committed)
  npm run notebooks -- 01-quickstart  execute one
  npm run notebooks:check           execute all into a temp dir; fails if a cell errors (CI)
In VS Code: run with --user once, then pick the kernel "${DISPLAY_NAME}".`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`setup-kernel: ${e instanceof Error ? e.message : e}`);
    process.exitCode = 1;
  }
}
