// Output folders and files, shared by every command that writes (run, report, calibrate, crossval,
// compare --csv, schema --out). The rules, so that no command ever destroys a user's files:
//
// - A folder is written when it is new, empty, or written by exodus before: it holds a marker,
//   .exodus-output.json, listing what each command wrote there (older outputs are recognised by
//   their manifest.json with an "exodus" field). Only entries of the names the command writes are
//   replaced (and said so); anything else in the folder is left alone, earlier outputs included.
// - A non-empty folder exodus did not write, or an entry of the output's name that exodus did not
//   write, is refused with one line (exit 2) unless --force; --force replaces only the entries the
//   command writes, never the folder itself, and never an entry that contains the current
//   directory, the home folder or the project. A file where a folder is expected is always refused.
// - Everything is built in a temporary folder (DIR.partial-<pid> beside a new folder, or
//   DIR/.exodus-partial-<pid> inside an existing one) and renamed into place at the end, so an
//   interrupted command leaves no half-written output: its temporary folder is removed on exit,
//   SIGINT, SIGTERM and SIGHUP, and one left by a killed process (dead pid) is removed next time.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './args.ts';
import { VERSION } from './manifest.ts';

export const MARKER = '.exodus-output.json';
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '');
const HIDDEN_TMP = /^\.exodus-(partial|trash)-(\d+)$/;

export interface OutputOptions {
  /** The command writing, e.g. "run"; the marker records its entries under this name. */
  command: string;
  /** Replace entries exodus did not write (never the folder itself). */
  force?: boolean;
  /** How the user named the folder, for messages (default "--out"). */
  option?: string;
}

interface Marker {
  exodus: string;
  note: string;
  outputs: Record<string, string[]>;
}

/** What a folder holds and which of its entries exodus wrote. */
interface Survey {
  exists: boolean;
  entries: string[];
  /** Entries exodus wrote, by command. */
  owned: Record<string, string[]>;
  /** Written by exodus (a marker, or an older output's manifest). */
  ours: boolean;
  /** An older output without a marker: the entries the new command writes count as its own. */
  legacy: boolean;
}

const quoteList = (xs: string[], n = 3) => xs.slice(0, n).map((x) => `"${x}"`).join(', ') + (xs.length > n ? `, ... (${xs.length} in all)` : '');
const shown = (p: string) => relative(process.cwd(), p) || '.';

function survey(dir: string, option: string): Survey {
  if (!existsSync(dir)) return { exists: false, entries: [], owned: {}, ours: false, legacy: false };
  if (!statSync(dir).isDirectory()) {
    throw new UsageError(`${option} ${shown(dir)}: is a file; expected a folder (a new one, or one exodus wrote); nothing was written`);
  }
  const entries = readdirSync(dir)
    .filter((e) => e !== MARKER && !HIDDEN_TMP.test(e))
    .sort();
  const marker = readMarker(dir);
  if (marker) return { exists: true, entries, owned: marker.outputs, ours: true, legacy: false };
  if (isLegacyOutput(dir)) return { exists: true, entries, owned: {}, ours: true, legacy: true };
  // A folder holding only outputs of exodus (out/ after `exodus run demo`) is one exodus wrote too.
  return { exists: true, entries, owned: {}, ours: entries.length > 0 && entries.every((e) => isOutputFolder(join(dir, e))), legacy: false };
}

/** A folder exodus wrote: with a marker, or an older output's manifest. */
function isOutputFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory() && (readMarker(p) !== undefined || isLegacyOutput(p));
  } catch {
    return false;
  }
}

function readMarker(dir: string): Marker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Marker;
    if (typeof m?.exodus === 'string' && m.outputs && typeof m.outputs === 'object') return m;
  } catch {
    // no marker, or not ours
  }
  return undefined;
}

/** An output of an exodus version that wrote no marker: its manifest names exodus. */
function isLegacyOutput(dir: string): boolean {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    return typeof m.exodus === 'string' || (m.command === 'calibrate' && existsSync(join(dir, 'params.json')));
  } catch {
    return false;
  }
}

/**
 * Check, before any long work, that `entries` (the top-level names the command will write) may be
 * written into `dir`. Throws a UsageError (one line, exit 2) when not.
 */
export function checkOutput(dir: string, entries: readonly string[], o: OutputOptions): void {
  plan(resolve(dir), entries, o);
}

function plan(dir: string, entries: readonly string[], o: OutputOptions): { s: Survey; replace: string[] } {
  const option = o.option ?? '--out';
  const s = survey(dir, option);
  const mine = new Set(Object.values(s.owned).flat());
  const present = new Set(s.entries);
  if (s.exists && !s.ours && s.entries.length > 0 && !o.force) {
    throw new UsageError(
      `${option} ${shown(dir)}: the folder is not empty (${quoteList(s.entries)}) and was not written by exodus; nothing was written. ` +
        `Choose a new folder, or add --force to write ${quoteList([...entries], 4)} into it (replacing entries of those names only)`,
    );
  }
  // In a folder exodus wrote, an entry of an output's name that exodus did not write is the user's
  // (an older output without a marker counts as having written what the command writes; an entry
  // that is itself an output folder of exodus was written by it).
  const clash = s.ours && !s.legacy ? entries.filter((e) => present.has(e) && !mine.has(e) && !isOutputFolder(join(dir, e))) : [];
  if (clash.length && !o.force) {
    throw new UsageError(
      `${option} ${shown(dir)}: ${quoteList(clash)} ${clash.length > 1 ? 'are' : 'is'} not from an earlier exodus output; nothing was written. ` +
        `Move ${clash.length > 1 ? 'them' : 'it'} away, choose another folder, or add --force to replace ${clash.length > 1 ? 'them' : 'it'}`,
    );
  }
  // Only entries of the output's names are replaced. What an earlier run wrote and this one does
  // not (another event's charts, say) stays: it may be in someone's slides.
  const replace = entries.filter((e) => present.has(e));
  for (const e of replace) assertReplaceable(join(dir, e), option, dir);
  return { s, replace };
}

/** Never move away the current directory, the home folder, the project, or anything holding them. */
function assertReplaceable(p: string, option: string, dir: string): void {
  const real = (x: string) => {
    try {
      return realpathSync(x);
    } catch {
      return resolve(x);
    }
  };
  const target = real(p);
  const guarded: [string, string][] = [
    [real(process.cwd()), 'the current directory'],
    [real(homedir()), 'your home folder'],
    [real(PROJECT_ROOT), 'the exodus project'],
  ];
  for (const [g, what] of guarded) {
    if (g === target || g.startsWith(target.endsWith(sep) ? target : target + sep)) {
      throw new UsageError(`${option} ${shown(dir)}: refusing to replace ${shown(p)}: it is or contains ${what}; nothing was written`);
    }
  }
  if (lstatSync(p).isDirectory() && target === dirname(target)) throw new UsageError(`${option} ${shown(dir)}: refusing to replace the filesystem root`);
}

// Temporary folders and files of this process, removed if it ends before they are committed.
const pending = new Set<string>();
let handlersInstalled = false;
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

function cleanupPending(): void {
  for (const p of pending) rmSync(p, { recursive: true, force: true });
  pending.clear();
}
const onExit = () => cleanupPending();
const onSignal = (sig: keyof typeof SIGNALS) => {
  cleanupPending();
  process.stderr.write(`\ninterrupted (${sig}); nothing was written\n`);
  process.exit(SIGNALS[sig]);
};
const signalHandlers = Object.fromEntries(Object.keys(SIGNALS).map((s) => [s, () => onSignal(s as keyof typeof SIGNALS)])) as Record<string, () => void>;

function track(p: string): void {
  pending.add(p);
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', onExit);
  for (const [s, h] of Object.entries(signalHandlers)) process.on(s, h);
}

function untrack(p: string): void {
  pending.delete(p);
  if (pending.size > 0 || !handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', onExit);
  for (const [s, h] of Object.entries(signalHandlers)) process.off(s, h);
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temporary folders and files of `path` left by processes that no longer run. */
export function removeStale(path: string): string[] {
  const removed: string[] = [];
  const parent = dirname(path);
  const own = new RegExp(`^${basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.partial-(\\d+)$`);
  const sweep = (folder: string, re: RegExp, group: number) => {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) return;
    for (const e of readdirSync(folder)) {
      const m = re.exec(e);
      if (m && !pidAlive(Number(m[group]))) {
        rmSync(join(folder, e), { recursive: true, force: true });
        removed.push(join(folder, e));
      }
    }
  };
  sweep(parent, own, 1);
  sweep(path, HIDDEN_TMP, 2);
  return removed;
}

/**
 * An output folder being written: write into `path`, then `commit()` moves what is there into
 * `dir` (or `abort()` removes it). Checks `dir` first (see checkOutput).
 */
export class OutputDir {
  readonly dir: string;
  readonly path: string;
  private readonly o: OutputOptions;
  private readonly fresh: boolean;

  constructor(dir: string, entries: readonly string[], o: OutputOptions) {
    this.dir = resolve(dir);
    this.o = o;
    plan(this.dir, entries, o);
    removeStale(this.dir);
    this.fresh = !existsSync(this.dir);
    this.path = this.fresh ? `${this.dir}.partial-${process.pid}` : join(this.dir, `.exodus-partial-${process.pid}`);
    rmSync(this.path, { recursive: true, force: true });
    track(this.path);
    mkdirSync(this.path, { recursive: true });
  }

  /** Move the written entries into place; returns their names. */
  commit(): string[] {
    const entries = readdirSync(this.path).filter((e) => e !== MARKER).sort();
    const { s, replace } = plan(this.dir, entries, this.o);
    // Each entry is listed under the command that wrote it last.
    const outputs: Record<string, string[]> = {};
    for (const [cmd, es] of Object.entries(s.owned)) {
      const keep = es.filter((e) => !entries.includes(e) && s.entries.includes(e));
      if (keep.length) outputs[cmd] = keep;
    }
    outputs[this.o.command] = [...new Set([...(outputs[this.o.command] ?? []), ...entries])].sort();
    const marker: Marker = { exodus: VERSION, note: 'written by exodus: what each command wrote here, which a later run of exodus may replace (nothing else)', outputs };
    const markerText = JSON.stringify(marker, null, 2) + '\n';
    if (this.fresh && !existsSync(this.dir)) {
      writeFileSync(join(this.path, MARKER), markerText);
      mkdirSync(dirname(this.dir), { recursive: true });
      renameSync(this.path, this.dir);
      untrack(this.path);
      return entries;
    }
    const trash = join(this.dir, `.exodus-trash-${process.pid}`);
    track(trash);
    mkdirSync(trash, { recursive: true });
    for (const e of replace) renameSync(join(this.dir, e), join(trash, e));
    for (const e of entries) renameSync(join(this.path, e), join(this.dir, e));
    writeFileSync(join(this.path, MARKER), markerText);
    renameSync(join(this.path, MARKER), join(this.dir, MARKER));
    rmSync(trash, { recursive: true, force: true });
    rmSync(this.path, { recursive: true, force: true });
    untrack(trash);
    untrack(this.path);
    if (replace.length) process.stderr.write(`exodus ${this.o.command}: replaced ${quoteList(replace, 4)} in ${shown(this.dir)}/ (${s.ours ? 'an earlier exodus output' : 'as --force asked'}); nothing else there was touched\n`);
    return entries;
  }

  /** Remove what was written (nothing reaches `dir`). */
  abort(): void {
    rmSync(this.path, { recursive: true, force: true });
    untrack(this.path);
  }
}

/** Write into a new output folder with `write`, then move it into place (abort on error). */
export async function withOutputDir<T>(dir: string, entries: readonly string[], o: OutputOptions, write: (path: string) => Promise<T> | T): Promise<{ result: T; entries: string[] }> {
  const out = new OutputDir(dir, entries, o);
  try {
    const result = await write(out.path);
    return { result, entries: out.commit() };
  } catch (e) {
    out.abort();
    throw e;
  }
}

export interface FileOutputOptions {
  /** Option that named the file, for messages (e.g. "--csv"). */
  option: string;
  force?: boolean;
  /** True when an existing file's text is an earlier output of exodus (it may be replaced). */
  recognise: (text: string) => boolean;
  /** What the file is, for messages (e.g. "a fit table"). */
  what: string;
}

/** Check that `file` may be written: new, or an earlier output (see recognise), or --force. */
export function checkOutputFile(file: string, o: FileOutputOptions): void {
  const p = resolve(file);
  if (!existsSync(p)) return;
  if (statSync(p).isDirectory()) throw new UsageError(`${o.option} ${shown(p)}: is a folder; expected a file name; nothing was written`);
  if (o.force) return;
  let text = '';
  try {
    text = readFileSync(p, 'utf8').slice(0, 100_000);
  } catch {
    // unreadable: not recognised
  }
  if (!o.recognise(text)) {
    throw new UsageError(`${o.option} ${shown(p)}: the file exists and is not ${o.what} written by exodus; nothing was written. Choose another name, or add --force to replace it`);
  }
}

/** Write a file atomically (a temporary file renamed into place), after checkOutputFile. */
export function writeOutputFile(file: string, text: string, o: FileOutputOptions): void {
  checkOutputFile(file, o);
  const p = resolve(file);
  removeStale(p);
  const tmp = `${p}.partial-${process.pid}`;
  track(tmp);
  try {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, p);
  } finally {
    rmSync(tmp, { force: true });
    untrack(tmp);
  }
}
