// What a worker must share with the coordinator to compute the same runs: the exodus version and
// a hash of the model code. The hash covers every source file a run's result depends on (the
// import closure of the task module, followed through relative imports) and the versions of the
// packages those files import (seedrandom...), so editing the engine without bumping the version
// is caught too.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The module that defines what a run computes (src/calibrate/task.ts) and the result codec. */
export const RUN_ENTRIES = [fileURLToPath(new URL('../calibrate/task.ts', import.meta.url)), fileURLToPath(new URL('./codec.ts', import.meta.url))];

export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

export interface Identity {
  /** exodus version (package.json). */
  version: string;
  /** Hash of the sources that define a run's result (see modelSources). */
  code: string;
}

// Static and dynamic imports, `export ... from`, and type-only imports (conservative: a type
// file that changes is part of the contract too).
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/**
 * The import closure of `entries`: local source files (absolute paths, sorted) and bare package
 * names they import.
 */
export function modelSources(entries: readonly string[] = RUN_ENTRIES): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [...entries];
  while (pending.length) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (existsSync(target)) pending.push(target);
      } else if (!spec.startsWith('node:')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** sha256 over the closure's files (path relative to `root` and content) and package versions. */
export function codeHash(entries: readonly string[] = RUN_ENTRIES, root = ROOT): string {
  const { files, packages } = modelSources(entries);
  const h = createHash('sha256');
  for (const f of files) h.update(`${relative(root, f)}\0${readFileSync(f, 'utf8')}\0`);
  const require = createRequire(entries[0]);
  for (const p of packages) h.update(`${p}@${packageVersion(require, p)}\0`);
  return h.digest('hex').slice(0, 16);
}

function packageVersion(require: NodeJS.Require, name: string): string {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    // Packages that do not export their package.json: find it above the resolved entry.
    try {
      let dir = dirname(require.resolve(name));
      while (dir !== dirname(dir)) {
        const pj = resolve(dir, 'package.json');
        if (existsSync(pj)) {
          const j = JSON.parse(readFileSync(pj, 'utf8'));
          if (j.name === name) return j.version;
        }
        dir = dirname(dir);
      }
    } catch {
      /* not installed: hashed as unknown */
    }
    return 'unknown';
  }
}

let cached: Identity | undefined;

/** This process's identity (computed once). */
export function localIdentity(): Identity {
  cached ??= { version: VERSION, code: codeHash() };
  return cached;
}
