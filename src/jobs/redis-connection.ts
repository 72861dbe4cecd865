// The Redis connection of the job queue: `--queue redis://host:port[/db]` parsed and checked, and the connection
// options that make a missing or vanished server an error within seconds instead of a hang.

import type { RedisOptions } from 'bullmq';
import { UserError } from '../errors.js';

/** The BullMQ queue every job kind shares (BullMQ keys it by name under bull:<name>:*). */
export const QUEUE_NAME = 'edgeprune-jobs';

export interface QueueAddress {
  url: string;
  host: string;
  port: number;
  db: number;
}

export function parseQueueUrl(text: string): QueueAddress {
  const hint = 'give the queue as redis://host:port (e.g. redis://127.0.0.1:6379), optionally with /db';
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UserError(`--queue '${text}' is not a URL`, hint);
  }
  if (u.protocol !== 'redis:') throw new UserError(`--queue '${text}' is not a redis:// URL`, hint);
  if (!u.hostname) throw new UserError(`--queue '${text}' names no host`, hint);
  if (u.username || u.password || u.search || u.hash) throw new UserError(`--queue '${text}': only redis://host:port[/db] is supported (no user, password or options)`, hint);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText && !/^\d+$/.test(dbText)) throw new UserError(`--queue '${text}': the database after the port must be a number, got '${dbText}'`, hint);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: `redis://${u.host}${dbText ? `/${dbText}` : ''}`, host, port, db: dbText ? Number(dbText) : 0 };
}

/** Reconnection attempts (~0.25 s apart) before a connection gives up and ends. */
const RECONNECTS = 8;

/**
 * Options of a connection: a short connect timeout and a few reconnection attempts, then the connection ends and
 * every command fails. `blocking` connections (a BullMQ worker's) must retry requests without limit; the others
 * fail a request after one retry.
 */
export function connectionOptions(address: QueueAddress, blocking: boolean): RedisOptions {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    connectTimeout: 5_000,
    maxRetriesPerRequest: blocking ? null : 1,
    retryStrategy: (times: number) => (times > RECONNECTS ? null : 250),
  };
}

/** The error for a server that cannot be reached or went away. */
export function redisLost(address: QueueAddress, cause: string, everConnected: boolean, side: 'queue' | 'worker' = 'queue'): UserError {
  return everConnected
    ? new UserError(
        `lost the connection to the Redis queue at ${address.url} (${cause})`,
        side === 'worker'
          ? 'start Redis again, then this worker: the queued jobs and their attempts are kept there'
          : 'start Redis again and run the same command: the jobs that finished are kept there and are not redone',
      )
    : new UserError(`cannot reach the Redis queue at ${address.url} (${cause})`, 'start redis-server there, or check the host and port of --queue');
}
