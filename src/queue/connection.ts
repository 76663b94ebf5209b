// The --queue address (redis://[user:password@]host[:port][/db], rediss:// for TLS) and the
// names exodus uses in Redis.
import type { RedisOptions } from 'bullmq';

/** BullMQ key prefix and queue name: keys are exodus:runs:* (jobs) and exodus:result:* (outputs). */
export const PREFIX = 'exodus';
export const QUEUE_NAME = 'runs';
/** How long finished jobs and their outputs stay in Redis (for --resume and repeated runs). */
export const KEEP_SECONDS = 7 * 24 * 3600;

export const resultKey = (jobId: string) => `${PREFIX}:result:${jobId}`;
export const eventsKey = () => `${PREFIX}:${QUEUE_NAME}:events`;

export class QueueError extends Error {
  override name = 'QueueError';
}

/** Connection options for ioredis and BullMQ; throws a QueueError naming what was expected. */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError(`--queue: expected a Redis address such as redis://127.0.0.1:6379, got "${url}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueError(`--queue: expected redis://host:port or rediss://host:port, got "${url}"`);
  if (!u.hostname) throw new QueueError(`--queue: expected a host in "${url}", such as redis://127.0.0.1:6379`);
  const db = u.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db)) throw new QueueError(`--queue: expected a database number after the port (redis://host:port/0), got "/${db}"`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's blocking connections must wait for Redis rather than fail a command.
    maxRetriesPerRequest: null,
  };
}

/** The address without its password, for messages and manifests. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
