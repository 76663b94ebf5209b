// Output folders that never destroy a user's files: a folder is replaced only when it is empty,
// missing, or was written by exodus (its manifest.json says so), unless --force. Files are written
// into a temporary folder beside it and renamed into place, so nothing is ever half-written.
// (Same semantics as the shared helper of issue 9; to be unified with it.)
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './args.ts';

/** Whether exodus wrote this folder: it holds a manifest.json with an "exodus" version and a command. */
function writtenByExodus(dir: string): boolean {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    return typeof m?.exodus === 'string' && typeof m?.command === 'string';
  } catch {
    return false;
  }
}

/** Refuse (UsageError, exit 2) an output folder that holds files exodus did not write, unless force. */
export function checkOutputFolder(out: string, force = false): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) {
    if (force) return;
    throw new UsageError(`--out ${out}: a file of that name exists; choose another --out, or pass --force to replace it`);
  }
  if (force || readdirSync(out).length === 0 || writtenByExodus(out)) return;
  throw new UsageError(`--out ${out}: the folder holds files exodus did not write; choose another --out, or pass --force to replace the folder and everything in it`);
}

/** Write `files` as the folder `out` (replacing it as a whole, see checkOutputFolder). */
export function writeOutputFolder(out: string, files: Record<string, string | Uint8Array>, force = false): void {
  checkOutputFolder(out, force);
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(out)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(tmp, name), data);
    if (existsSync(out)) {
      const old = join(parent, `.${basename(out)}.old-${process.pid}`);
      renameSync(out, old);
      renameSync(tmp, out);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
