// The Redis queue (BullMQ) against a real redis-server on a free loopback port: the same results
// as local threads whatever the workers do, a worker killed mid-run changes nothing, a worker
// of another version refuses, a coordinator restarted takes runs finished meanwhile.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { startRedis, type RedisServer } from './redis.ts';
import { cli } from '../src/cli/main.ts';
import { market } from './helpers.ts';
import { tinyScenarioText, withSyntheticFigures } from './calibrate-fixtures.ts';
import { createPool } from '../src/calibrate/pool.ts';
import type { Task, TaskOutput } from '../src/calibrate/task.ts';
import { runReplicates } from '../src/calibrate/replicates.ts';
import { calibrate, MIN_BUDGET, paramFileJson } from '../src/calibrate/calibrate.ts';
import { posteriorCsv } from '../src/calibrate/posterior.ts';
import { resolveParams } from '../src/model/params.ts';
import { createQueuePool } from '../src/queue/pool.ts';
import { refusal, startQueueWorker } from '../src/queue/worker.ts';
import { codeHash, localIdentity, modelSources, RUN_ENTRIES } from '../src/queue/identity.ts';
import { decodeOutput, encodeOutput, contentHash } from '../src/queue/codec.ts';
import { PREFIX, QUEUE_NAME, redisOptions } from '../src/queue/connection.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
let redis: RedisServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
});

/** An `exodus worker` process (1 thread, short lock so a dead worker's run is taken over fast). */
async function spawnWorker(name: string, extra: string[] = []): Promise<ChildProcess> {
  const c = spawn(process.execPath, [join(ROOT, 'bin/exodus.mjs'), 'worker', '--queue', redis.url, '--workers', '1', '--lock-seconds', '2', '--name', name, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(c);
  let log = '';
  await new Promise<void>((resolve, reject) => {
    c.stderr!.on('data', (d) => {
      log += d;
      if (log.includes('taking runs from')) resolve();
    });
    c.on('exit', (code) => reject(new Error(`worker ${name} exited (${code}): ${log}`)));
  });
  return c;
}

async function stopWorker(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await gone;
}

/** A fresh queue for each test: nothing left over from the previous one. */
async function emptyQueue(): Promise<void> {
  const q = new Queue(QUEUE_NAME, { connection: redisOptions(redis.url), prefix: PREFIX });
  await q.obliterate({ force: true });
  await q.close();
}

/** Outputs as bytes, without the wall times (which differ run to run). */
const bytes = (outs: TaskOutput[]) =>
  outs.map((o) => {
    if (o.kind === 'values') return encodeOutput({ ...o, wallMs: 0 }).toString('hex');
    return encodeOutput({ kind: 'result', result: { ...o.result, wallMs: 0, buildMs: 0 } }).toString('hex');
  });

const tasksOf = (n: number, agents = 1500): Task[] => {
  const l = market({ agents, end: '2020-01-08', step: '4h' });
  return Array.from({ length: n }, (_, k) => ({ scenario: l.scenario, hash: l.hash, params: resolveParams({}), seed: k + 1, agents }));
};

describe('model code identity', () => {
  it('hashes the import closure of the task module: engine, decision rule, shocks', () => {
    const files = modelSources().files.map((f) => relative(ROOT, f));
    for (const f of ['src/calibrate/task.ts', 'src/model/engine.ts', 'src/model/decide.ts', 'src/model/shocks/block.ts', 'src/model/rng.ts']) expect(files).toContain(f);
    expect(modelSources().packages).toContain('seedrandom');
  });

  it('changes when a model source changes, and not when the tree is copied', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exodus-code-'));
    try {
      cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
      const entries = RUN_ENTRIES.map((e) => join(dir, relative(ROOT, e)));
      // The packages' versions are hashed too: the copy uses the project's node_modules.
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      const same = codeHash(entries, dir);
      expect(same).toBe(codeHash());
      const engine = join(dir, 'src/model/decide.ts');
      writeFileSync(engine, readFileSync(engine, 'utf8') + '\n// a change\n');
      expect(codeHash(entries, dir)).not.toBe(same);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('result codec', () => {
  it('keeps every bit of values (NaN, -0) and of a full result', async () => {
    const v = decodeOutput(encodeOutput({ kind: 'values', values: [1.5, NaN, -0, 1e-300, 123456789.123], wallMs: 3 }));
    expect(v.kind === 'values' && v.values.map((x) => Object.is(x, -0) ? '-0' : String(x))).toEqual(['1.5', 'NaN', '-0', '1e-300', '123456789.123']);
    const [out] = await createPool(1).run(tasksOf(1, 400));
    const back = decodeOutput(encodeOutput(out));
    expect(back).toEqual(out);
    if (back.kind === 'result') expect(back.result.stocks.mau).toBeInstanceOf(Float64Array);
    // Binary, not JSON: about 8 bytes per number of the typed arrays.
    if (out.kind === 'result') {
      const numbers = Object.values(out.result.stocks).reduce((a, s) => a + s.length, 0) + Object.values(out.result.flows).reduce((a, s) => a + s.length, 0);
      expect(encodeOutput(out).length).toBeLessThan(8 * numbers * 1.3 + 20_000);
    }
  });
});

describe('Redis queue', () => {
  it('gives the same calibration (params.json, posterior) through the queue with 2 workers as locally', async () => {
    await emptyQueue();
    const truth = { betaReach: 7, considerMedia: 0.8 };
    const a = await withSyntheticFigures(tinyScenarioText('tiny-outage', 1), { params: truth, fitted: { loudness: 3 }, seeds: 2, agents: 600 });
    const opts = { events: [a], fit: ['betaReach', 'considerMedia'], budget: MIN_BUDGET, waves: 2, agents: 600, particles: 300, draws: 100, validate: 2 };
    const dirs = [mkdtempSync(join(tmpdir(), 'exodus-ck-')), mkdtempSync(join(tmpdir(), 'exodus-ck-'))];
    const local = await calibrate({ ...opts, workers: 1, checkpointDir: dirs[0] });
    const w1 = await spawnWorker('w1');
    const w2 = await spawnWorker('w2');
    const pool = createQueuePool(redis.url, { pollMs: 500 });
    try {
      const queued = await calibrate({ ...opts, pool, checkpointDir: dirs[1] });
      expect(JSON.stringify(paramFileJson(queued), null, 2)).toBe(JSON.stringify(paramFileJson(local), null, 2));
      expect(posteriorCsv(queued.posterior)).toBe(posteriorCsv(local.posterior));
      expect(queued.simulated).toBe(local.simulated);
      // Both workers took part.
      const q = new Queue(QUEUE_NAME, { connection: redisOptions(redis.url), prefix: PREFIX });
      const done = await q.getJobs(['completed'], 0, -1);
      await q.close();
      expect(new Set(done.map((j) => j.processedBy))).toEqual(new Set(['w1', 'w2']));
    } finally {
      await pool.close();
      await Promise.all([stopWorker(w1), stopWorker(w2)]);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it('loses nothing when a worker is killed (kill -9) mid-run: another takes the run over', async () => {
    await emptyQueue();
    const tasks = tasksOf(3, 3000);
    const local = await createPool(1).run(tasks);
    const victim = await spawnWorker('victim');
    const events = new QueueEvents(QUEUE_NAME, { connection: redisOptions(redis.url), prefix: PREFIX });
    await events.waitUntilReady();
    let killedJob: string | undefined;
    events.on('active', ({ jobId }) => {
      if (killedJob) return;
      killedJob = jobId;
      victim.kill('SIGKILL');
    });
    const pool = createQueuePool(redis.url, { pollMs: 500 });
    const running = pool.run(tasks);
    await new Promise<void>((r) => victim.once('exit', () => r()));
    expect(victim.signalCode).toBe('SIGKILL');
    const rescuer = await startQueueWorker({ url: redis.url, threads: 1, lockMs: 2000, name: 'rescuer' });
    try {
      const outs = await running;
      expect(bytes(outs)).toEqual(bytes(local));
      const q = new Queue(QUEUE_NAME, { connection: redisOptions(redis.url), prefix: PREFIX });
      const job = await q.getJob(killedJob!);
      await q.close();
      expect(job?.processedBy).toBe('rescuer');
      expect(job!.stalledCounter + job!.attemptsStarted).toBeGreaterThanOrEqual(2);
    } finally {
      await events.close();
      await pool.close();
      await rescuer.close();
    }
  });

  it('refuses a run made by another exodus version or model code, with a message the coordinator shows', async () => {
    await emptyQueue();
    const me = localIdentity();
    const old = await startQueueWorker({ url: redis.url, threads: 1, name: 'old-box', identity: { version: '0.0.9', code: 'feedfacefeedface' } });
    const pool = createQueuePool(redis.url, { pollMs: 500 });
    try {
      const err = await pool.run(tasksOf(1, 300)).then(() => undefined, (e: Error) => e);
      expect(err?.name).toBe('QueueError');
      expect(err?.message).toContain('worker old-box refused the run');
      expect(err?.message).toContain(`it has exodus 0.0.9 (model code feedfacefeedface), the coordinator exodus ${me.version} (model code ${me.code})`);
      expect(err?.message).toContain('install the same exodus version');
    } finally {
      await pool.close();
      await old.close();
    }
    // Same version, other code; and a scenario altered on its way.
    const task = tasksOf(1, 300)[0];
    const data = { v: 1 as const, exodus: me.version, code: me.code, scenarioHash: contentHash(task.scenario), task };
    expect(refusal(data, me, 'w')).toBeUndefined();
    expect(refusal(data, { ...me, code: '0123456789abcdef' }, 'w')).toContain('model code 0123456789abcdef');
    const altered = { ...data, task: { ...task, scenario: { ...task.scenario, agents: 7 } } };
    expect(refusal(altered, me, 'w')).toContain('scenario hash mismatch');
  });

  it('gives full results (typed arrays) byte for byte as local threads', async () => {
    await emptyQueue();
    const l = market({ agents: 800, end: '2020-01-10', step: '6h' });
    const o = { replicates: 3, seed: 5, agents: 800, useCalibrated: false };
    const local = await runReplicates(l, { ...o, workers: 1 });
    const pool = createQueuePool(redis.url, { threads: 2, pollMs: 500 });
    try {
      const queued = await runReplicates(l, { ...o, pool });
      expect(bytes(queued.map((result) => ({ kind: 'result', result })))).toEqual(bytes(local.map((result) => ({ kind: 'result', result }))));
    } finally {
      await pool.close();
    }
  });

  it('takes runs finished while the coordinator was down when resumed, and recomputes them when not', async () => {
    await emptyQueue();
    const tasks = tasksOf(3, 500);
    const local = await createPool(1).run(tasks);
    // A coordinator queues the runs and goes down before any worker has taken them.
    const first = createQueuePool(redis.url, { pollMs: 500 });
    const abandoned = first.run(tasks).catch(() => undefined);
    const q = new Queue(QUEUE_NAME, { connection: redisOptions(redis.url), prefix: PREFIX });
    while ((await q.getJobCounts('wait')).wait < 3) await new Promise((r) => setTimeout(r, 50));
    await first.close();
    void abandoned;
    // A worker finishes them meanwhile.
    const w = await startQueueWorker({ url: redis.url, threads: 1, name: 'meanwhile' });
    while ((await q.getJobCounts('completed')).completed < 3) await new Promise((r) => setTimeout(r, 100));
    await w.close();
    // Restarted with --resume (reuse): every run comes from the queue, no worker needed.
    const resumed = createQueuePool(redis.url, { reuse: true, pollMs: 500 });
    try {
      expect(bytes(await resumed.run(tasks))).toEqual(bytes(local));
      expect(resumed.reused).toBe(3);
    } finally {
      await resumed.close();
    }
    // Without --resume the runs are computed again (by a worker of this process here).
    const fresh = createQueuePool(redis.url, { threads: 1, pollMs: 500 });
    try {
      expect(bytes(await fresh.run(tasks))).toEqual(bytes(local));
      expect(fresh.reused).toBe(0);
      const jobs = await q.getJobs(['completed'], 0, -1);
      expect(jobs.every((j) => j.processedBy !== 'meanwhile')).toBe(true);
    } finally {
      await fresh.close();
      await q.close();
    }
  });

  it('a worker started with --exit-when-idle exits 0 once the queue is empty (Kubernetes Job)', async () => {
    await emptyQueue();
    const w = await spawnWorker('batch', ['--exit-when-idle', '1']);
    const code = await new Promise<number | null>((r) => w.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  });

  it('exodus compare --queue prints the same fit table as with local threads; a bad address is exit 2', async () => {
    await emptyQueue();
    const d = mkdtempSync(join(tmpdir(), 'exodus-cmp-'));
    const file = join(d, 'tiny.yaml');
    writeFileSync(file, tinyScenarioText());
    const run = async (...extra: string[]) => {
      let out = '';
      let err = '';
      const log = vi.spyOn(console, 'log').mockImplementation((...a) => void (out += a.join(' ') + '\n'));
      const error = vi.spyOn(console, 'error').mockImplementation((...a) => void (err += a.join(' ') + '\n'));
      try {
        return { code: await cli(['compare', file, '--replicates', '2', '--agents', '400', '--point', '--json', ...extra]), out, err };
      } finally {
        log.mockRestore();
        error.mockRestore();
      }
    };
    try {
      const local = await run('--workers', '1');
      const queued = await run('--queue', redis.url, '--workers', '1');
      expect(local.code).toBe(0);
      expect(queued.code).toBe(0);
      expect(queued.out).toBe(local.out);
      const bad = await run('--queue', 'http://127.0.0.1:6379');
      expect(bad.code).toBe(2);
      expect(bad.err.trim()).toBe('exodus compare: --queue: expected redis://host:port or rediss://host:port, got "http://127.0.0.1:6379"');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('says clearly when Redis cannot be reached', async () => {
    const pool = createQueuePool('redis://127.0.0.1:1', { connectSeconds: 1 });
    const err = await pool.run(tasksOf(1, 300)).then(() => undefined, (e: Error) => e);
    await pool.close();
    expect(err?.message).toMatch(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
