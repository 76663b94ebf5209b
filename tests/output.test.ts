// Output folders never destroy a user's files: exodus writes into new folders or its own earlier
// outputs, refuses anything else with one line (exit 2), and an interrupted command leaves nothing.
import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { checkOutput, checkOutputFile, MARKER, OutputDir, removeStale, withOutputDir, writeOutputFile } from '../src/cli/output.ts';
import { UsageError } from '../src/cli/args.ts';
import { cli } from '../src/cli/main.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'exodus.mjs');
const fresh = () => mkdtempSync(join(tmpdir(), 'exodus-out-'));
const exodus = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
/** Every file and folder under dir, with contents of files, to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out[`${rel}${e.name}/`] = '';
        walk(p, `${rel}${e.name}/`);
      } else out[`${rel}${e.name}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}
const write = (dir: string, files: Record<string, string>) => {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
};
const usageError = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('output folders', () => {
  it('a new folder is built aside and renamed into place, with a marker of what it holds', async () => {
    const root = fresh();
    const dir = join(root, 'a', 'b');
    await withOutputDir(dir, ['x.csv'], { command: 'test' }, (p) => {
      expect(p).toBe(`${dir}.partial-${process.pid}`);
      expect(existsSync(dir)).toBe(false);
      writeFileSync(join(p, 'x.csv'), '1\n');
    });
    expect(readdirSync(dir).sort()).toEqual([MARKER, 'x.csv']);
    expect(JSON.parse(readFileSync(join(dir, MARKER), 'utf8')).outputs).toEqual({ test: ['x.csv'] });
    expect(readdirSync(join(root, 'a'))).toEqual(['b']);
  });

  it('refuses a non-empty folder exodus did not write, and leaves it as it was', () => {
    const dir = fresh();
    write(dir, { 'notes.txt': 'mine', 'sub/deep.txt': 'also mine' });
    const before = snapshot(dir);
    const msg = usageError(() => new OutputDir(dir, ['series.csv'], { command: 'run' }));
    expect(msg).toMatch(/the folder is not empty \("notes\.txt", "sub"\) and was not written by exodus; nothing was written\. .*--force/);
    expect(msg.split('\n')).toHaveLength(1);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a file given as a folder, even with --force', () => {
    const dir = fresh();
    write(dir, { 'out.csv': 'precious' });
    for (const force of [false, true]) {
      expect(usageError(() => checkOutput(join(dir, 'out.csv'), ['series.csv'], { command: 'run', force }))).toMatch(/is a file; expected a folder/);
    }
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe('precious');
  });

  it('with --force writes its entries into a foreign folder and leaves everything else alone', async () => {
    const dir = fresh();
    write(dir, { 'notes.txt': 'mine', 'x.csv': 'old', 'sub/deep.txt': 'also mine' });
    await withOutputDir(dir, ['x.csv'], { command: 'test', force: true }, (p) => writeFileSync(join(p, 'x.csv'), 'new'));
    const after = snapshot(dir);
    expect(after['x.csv']).toBe('new');
    expect(after['notes.txt']).toBe('mine');
    expect(after['sub/deep.txt']).toBe('also mine');
    expect(Object.keys(after).filter((k) => k.includes('exodus-'))).toEqual([MARKER]);
  });

  it('replaces entries of its own earlier output, and keeps what this run does not write and the rest', async () => {
    const dir = fresh();
    await withOutputDir(dir, ['a', 'b.csv'], { command: 'report' }, (p) => {
      write(p, { 'a/1.txt': 'old', 'b.csv': 'old' });
    });
    write(dir, { 'notes.txt': 'mine' });
    await withOutputDir(dir, ['c.csv'], { command: 'other' }, (p) => write(p, { 'c.csv': 'other' }));
    await withOutputDir(dir, ['b.csv'], { command: 'report' }, (p) => write(p, { 'b.csv': 'new' }));
    const after = snapshot(dir);
    expect(after['b.csv']).toBe('new');
    expect(after['a/1.txt']).toBe('old');
    expect(after['notes.txt']).toBe('mine');
    expect(after['c.csv']).toBe('other');
    expect(JSON.parse(after[MARKER]).outputs).toEqual({ other: ['c.csv'], report: ['a', 'b.csv'] });
    // Another command writing an entry of the same name takes it over.
    await withOutputDir(dir, ['a'], { command: 'other' }, (p) => write(p, { 'a/2.txt': 'other' }));
    expect(JSON.parse(readFileSync(join(dir, MARKER), 'utf8')).outputs).toEqual({ other: ['a', 'c.csv'], report: ['b.csv'] });
    expect(readdirSync(join(dir, 'a'))).toEqual(['2.txt']);
  });

  it('in its own folder, refuses to replace an entry it did not write', () => {
    const dir = fresh();
    write(dir, { [MARKER]: JSON.stringify({ exodus: '0', note: '', outputs: { run: ['series.csv'] } }), 'manifest.json': 'mine' });
    expect(usageError(() => checkOutput(dir, ['series.csv', 'manifest.json'], { command: 'run' }))).toMatch(/"manifest\.json" is not from an earlier exodus output; nothing was written/);
    expect(() => checkOutput(dir, ['series.csv', 'manifest.json'], { command: 'run', force: true })).not.toThrow();
  });

  it('recognises an output of an older exodus by its manifest', () => {
    const dir = fresh();
    write(dir, { 'manifest.json': JSON.stringify({ exodus: '0.0.9', command: 'run' }), 'series.csv': 'old' });
    expect(() => checkOutput(dir, ['series.csv', 'switches.csv', 'manifest.json'], { command: 'run' })).not.toThrow();
    write(dir, { 'manifest.json': JSON.stringify({ name: 'something else' }) });
    expect(() => checkOutput(dir, ['series.csv'], { command: 'run' })).toThrow(/not written by exodus/);
  });

  it('a folder holding only exodus outputs (out/ after exodus run) is written into; a user folder of the same name is not replaced', async () => {
    const dir = fresh();
    await withOutputDir(join(dir, 'demo-seed1'), ['series.csv'], { command: 'run' }, (p) => write(p, { 'series.csv': 'run' }));
    await withOutputDir(dir, ['report.html', 'demo'], { command: 'report' }, (p) => write(p, { 'report.html': 'r', 'demo/a.svg': 's' }));
    expect(readdirSync(dir).sort()).toEqual([MARKER, 'demo', 'demo-seed1', 'report.html']);
    expect(readFileSync(join(dir, 'demo-seed1', 'series.csv'), 'utf8')).toBe('run');
    // An exodus output folder of an output's name may be replaced; a user's folder of that name not.
    await withOutputDir(dir, ['demo-seed1'], { command: 'report' }, (p) => write(p, { 'demo-seed1/x.svg': 's' }));
    write(dir, { 'mine/notes.txt': 'mine' });
    expect(usageError(() => checkOutput(dir, ['mine'], { command: 'report' }))).toMatch(/"mine" is not from an earlier exodus output/);
    const other = fresh();
    write(other, { 'sub/notes.txt': 'mine' });
    expect(usageError(() => checkOutput(other, ['x'], { command: 'report' }))).toMatch(/not written by exodus/);
  });

  it('never replaces an entry holding the current directory, even with --force', async () => {
    const dir = fresh();
    write(dir, { 'work/file.txt': 'mine' });
    const cwd = process.cwd();
    process.chdir(join(dir, 'work'));
    try {
      expect(usageError(() => checkOutput(dir, ['work'], { command: 'test', force: true }))).toMatch(/refusing to replace \.: it is or contains the current directory; nothing was written$/);
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(join(dir, 'work', 'file.txt'), 'utf8')).toBe('mine');
  });

  it('removes the temporary folder when writing fails, and leaves the target untouched', async () => {
    const dir = fresh();
    write(dir, { [MARKER]: JSON.stringify({ exodus: '0', note: '', outputs: { test: ['x.csv'] } }), 'x.csv': 'old' });
    await expect(
      withOutputDir(dir, ['x.csv'], { command: 'test' }, (p) => {
        writeFileSync(join(p, 'x.csv'), 'half');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(readdirSync(dir).sort()).toEqual([MARKER, 'x.csv']);
    expect(readFileSync(join(dir, 'x.csv'), 'utf8')).toBe('old');
  });

  it('cleans temporary folders of processes that no longer run, and only those', () => {
    const dir = fresh();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    write(dir, {
      [`out.partial-${dead}/series.csv`]: 'half',
      [`out.partial-${process.pid}/series.csv`]: 'mine, running',
      'out.partial-notapid/x': 'user',
      [`out/.exodus-partial-${dead}/x`]: 'half',
      'out/keep.txt': 'user',
    });
    const removed = removeStale(join(dir, 'out'));
    expect(removed.sort()).toEqual([join(dir, `out.partial-${dead}`), join(dir, 'out', `.exodus-partial-${dead}`)].sort());
    expect(readdirSync(dir).sort()).toEqual(['out', `out.partial-${process.pid}`, 'out.partial-notapid'].sort());
    expect(readdirSync(join(dir, 'out'))).toEqual(['keep.txt']);
  });

  it('single files: replaced only when exodus wrote them (or --force), atomically', () => {
    const dir = fresh();
    const f = join(dir, 'fit.csv');
    const o = { option: '--csv', what: 'a fit table', recognise: (t: string) => t.startsWith('event,') };
    writeOutputFile(f, 'event,id\n', o);
    writeOutputFile(f, 'event,id\nx,y\n', o);
    expect(readFileSync(f, 'utf8')).toBe('event,id\nx,y\n');
    writeFileSync(f, 'my own notes');
    expect(usageError(() => writeOutputFile(f, 'event,id\n', o))).toMatch(/^--csv .*fit\.csv: the file exists and is not a fit table written by exodus; nothing was written/);
    expect(readFileSync(f, 'utf8')).toBe('my own notes');
    writeOutputFile(f, 'event,id\n', { ...o, force: true });
    expect(readFileSync(f, 'utf8')).toBe('event,id\n');
    expect(usageError(() => checkOutputFile(dir, o))).toMatch(/is a folder; expected a file name/);
    expect(readdirSync(dir)).toEqual(['fit.csv']);
  });
});

describe('the commands that write', () => {
  it('`exodus run demo --out .` in a folder with files leaves them untouched and says why (exit 2, one line)', () => {
    const dir = fresh();
    write(dir, { 'notes.txt': 'mine', 'data/x.csv': '1,2\n' });
    const before = snapshot(dir);
    const r = exodus(dir, 'run', 'demo', '--agents', '500', '--out', '.');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^exodus run: --out \.: the folder is not empty \("data", "notes\.txt"\) and was not written by exodus; nothing was written/);
    expect(snapshot(dir)).toEqual(before);
    expect(readdirSync(join(dir, '..')).filter((e) => e.startsWith(`${join(dir).split('/').pop()}.partial`))).toEqual([]);
  });

  it('run writes into a folder it wrote before, and with --force beside foreign files (in-process)', async () => {
    const dir = fresh();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const run = (...a: string[]) => cli(['run', 'demo', '--agents', '500', ...a]);
      expect(await run('--out', join(dir, 'a'))).toBe(0);
      expect(await run('--seed', '2', '--out', join(dir, 'a'))).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'a', 'manifest.json'), 'utf8')).seed).toBe(2);
      write(dir, { 'b/notes.txt': 'mine' });
      expect(await run('--out', join(dir, 'b'))).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/^exodus run: --out .*b: the folder is not empty \("notes\.txt"\)/);
      expect(await run('--out', join(dir, 'b'), '--force')).toBe(0);
      expect(readdirSync(join(dir, 'b')).sort()).toEqual([MARKER, 'manifest.json', 'notes.txt', 'series.csv', 'switches.csv']);
      expect(await cli(['run', '--help'])).toBe(0);
      expect(String(log.mock.calls.at(-1)?.[0])).toMatch(/--force/);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  it('a report killed while it runs leaves no half-written folder; a SIGKILLed one is cleaned up next time', async () => {
    const dir = fresh();
    const args = [bin, 'report', 'demo', '--replicates', '2', '--agents', '3000', '--workers', '1', '--out', 'rep'];
    /** Start a report, wait until its temporary folder exists, send `signal`; resolve with the exit. */
    const killed = (signal: NodeJS.Signals) =>
      new Promise<{ code: number | null; signal: string | null; pid: number }>((done, fail) => {
        const child = spawn(process.execPath, args, { cwd: dir, stdio: 'ignore' });
        const partial = join(dir, `rep.partial-${child.pid}`);
        const poll = setInterval(() => {
          if (existsSync(partial)) {
            clearInterval(poll);
            child.kill(signal);
          }
        }, 20);
        child.on('exit', (code, sig) => {
          clearInterval(poll);
          done({ code, signal: sig, pid: child.pid! });
        });
        child.on('error', fail);
      });
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      const r = await killed(sig);
      expect(r.code).toBe(sig === 'SIGTERM' ? 143 : 130);
      expect(readdirSync(dir)).toEqual([]);
    }
    const k = await killed('SIGKILL');
    expect(k.signal).toBe('SIGKILL');
    expect(readdirSync(dir)).toEqual([`rep.partial-${k.pid}`]);
    // The next command writing there removes it (exodus run: cheaper than a whole report).
    const r = spawnSync(process.execPath, [bin, 'run', 'demo', '--agents', '500', '--out', 'rep'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['rep']);
  });
});
