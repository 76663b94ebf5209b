// exodus worker: take runs from a Redis queue and compute them on this machine's threads.
import { hostname } from 'node:os';
import { parse, intOption, UsageError } from './args.ts';
import { checkQueueUrl } from './pool-options.ts';
import { defaultWorkers } from '../calibrate/pool.ts';
import { startQueueWorker, unfinishedInQueue, type WorkerEvent } from '../queue/worker.ts';
import { localIdentity } from '../queue/identity.ts';
import { redactUrl } from '../queue/connection.ts';

export const usage = `Usage: exodus worker --queue redis://host:port [options]

Take runs from a Redis queue and compute them on this machine's worker threads, for commands
started elsewhere with --queue (calibrate, compare, crossval, diagnose, sensitivity, sweep). Start
as many workers on as many machines as you like: each run goes to one of them; a run whose worker dies (even kill -9)
is taken over by another once its lock expires, and the results do not change. Every worker must
run the same exodus: a run made by another version or other model code is refused, and the
coordinator shows why.

Options:
  --queue URL         the Redis server: redis://[user:password@]host[:port][/db], rediss:// for TLS
  --workers N         runs at the same time, one thread each (default: the number of cores, ${defaultWorkers()})
  --lock-seconds S    how long a run stays claimed by a worker that stopped answering before another
                      worker takes it over (default 30)
  --exit-when-idle S  exit (status 0) once nothing has been waiting or running in the queue for S
                      seconds, for batch jobs (Kubernetes Job); default: run until SIGINT/SIGTERM
  --name NAME         this worker's name in messages (default host:pid)
  --identity          print the exodus version and model code hash a coordinator must match, and exit
  -h, --help          this help

On SIGINT or SIGTERM the worker finishes the runs in progress and exits; a second signal quits at
once (the runs in progress go back to the queue).`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      queue: { type: 'string' },
      workers: { type: 'string' },
      'lock-seconds': { type: 'string' },
      'exit-when-idle': { type: 'string' },
      name: { type: 'string' },
      identity: { type: 'boolean' },
    },
    usage,
  );
  if (values.help) return console.log(usage), 0;
  if (values.identity) {
    const me = localIdentity();
    console.log(`exodus ${me.version}, model code ${me.code}`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${usage}`);
  const url = values.queue as string | undefined;
  if (!url) throw new UsageError(`--queue: expected the Redis server, such as redis://127.0.0.1:6379\n\n${usage}`);
  checkQueueUrl(url);
  const threads = intOption(values.workers, 'workers', defaultWorkers());
  const lockMs = 1000 * intOption(values['lock-seconds'], 'lock-seconds', 30);
  const idle = values['exit-when-idle'] === undefined ? undefined : intOption(values['exit-when-idle'], 'exit-when-idle', 0, 1);
  const name = (values.name as string | undefined) ?? `${hostname()}:${process.pid}`;
  const log = (m: string) => process.stderr.write(`worker ${name}: ${m}\n`);

  let lastError = 0;
  const onEvent = (e: WorkerEvent) => {
    if (e.type === 'refused') log(`REFUSED ${e.reason.replace(`worker ${name} refused`, 'refused')}`);
    else if (e.type === 'failed') log(`run ${e.jobId} failed: ${e.reason}`);
    else if (e.type === 'error' && Date.now() - lastError > 10_000) {
      lastError = Date.now();
      log(`queue error: ${e.message} (retrying)`);
    }
  };
  const w = await startQueueWorker({ url, threads, lockMs, name, onEvent });
  log(`taking runs from ${redactUrl(url)} on ${threads} thread${threads === 1 ? '' : 's'} (exodus ${w.identity.version}, model code ${w.identity.code})`);

  let reported = 0;
  let stopping = false;
  return await new Promise<number>((resolve) => {
    const stop = async (code: number, why: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(tick);
      log(`${why}; finishing ${w.stats.active} run${w.stats.active === 1 ? '' : 's'} in progress (again to quit at once)`);
      await w.close(false);
      log(`stopped: ${w.stats.done} runs done, ${w.stats.refused} refused, ${w.stats.failed} failed`);
      resolve(code);
    };
    const onSignal = (sig: string) => {
      if (stopping) process.exit(130);
      void stop(0, `${sig}`);
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    let lastSummary = Date.now();
    let checking = false;
    const tick = setInterval(async () => {
      const now = Date.now();
      if (now - lastSummary >= 30_000 && w.stats.done !== reported) {
        log(`${w.stats.done} runs done (${w.stats.done - reported} in the last ${Math.round((now - lastSummary) / 1000)} s), ${w.stats.active} running`);
        reported = w.stats.done;
        lastSummary = now;
      }
      if (idle === undefined || checking || w.stats.active > 0 || now - w.stats.lastActivity < idle * 1000) return;
      checking = true;
      try {
        if ((await unfinishedInQueue(url)) === 0) void stop(0, `queue idle for ${idle} s`);
        else w.stats.lastActivity = now;
      } catch {
        /* Redis unreachable: keep waiting */
      } finally {
        checking = false;
      }
    }, 1000);
  });
}
