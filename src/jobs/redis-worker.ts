// `edgeprune worker --queue redis://…`: a BullMQ worker that runs the queue's jobs with the registered kinds until
// it is stopped, or until Redis cannot be reached any more (a UserError, never a hang).

import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';
import { findJobKind } from './registry.js';
import { connectionOptions, QUEUE_NAME, redisLost, type QueueAddress } from './redis-connection.js';
import type { Json } from './spec.js';

export interface RedisWorkerOptions {
  /** Jobs run at once in this process (default 1: a job's toolchains use a core each). */
  concurrency?: number;
  /**
   * A job's lock lasts this long without renewal (default 30 s): when a worker dies (kill -9), another worker's
   * stalled-job check (every half of it) returns the job to the queue after about this long.
   */
  lockMs?: number;
  log?: (line: string) => void;
}

/** Stalls (a worker that died with the job) a job survives before it fails. */
const MAX_STALLS = 3;

/** Serve jobs until Redis is lost (rejects with a UserError) or `stop` resolves. */
export async function runRedisWorker(address: QueueAddress, options: RedisWorkerOptions = {}, stop?: Promise<void>): Promise<void> {
  const log = options.log ?? (() => {});
  const lockMs = options.lockMs ?? 30_000;
  // A plain connection that watches the server: when it gives up reconnecting, so does this worker.
  const watch = new Redis(connectionOptions(address, false));
  let connected = false;
  let lastError = 'connection closed';
  watch.on('error', (e) => (lastError = errorMessage(e)));
  watch.on('ready', () => (connected = true));
  const lost = new Promise<never>((_, reject) => watch.once('end', () => reject(redisLost(address, lastError, connected, 'worker'))));
  lost.catch(() => {});

  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      log(`job ${job.id} (${job.name}), attempt ${job.attemptsMade + 1}`);
      return findJobKind(job.name).handler(job.data as Json, { log });
    },
    {
      connection: connectionOptions(address, true),
      concurrency: options.concurrency ?? 1,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
      maxStalledCount: MAX_STALLS,
      autorun: true,
    },
  );
  worker.on('error', (e) => (lastError = errorMessage(e)));
  worker.on('failed', (job, e) => log(`job ${job?.id ?? '?'} failed: ${errorMessage(e)}`));
  worker.on('completed', (job) => log(`job ${job.id} done`));
  try {
    await Promise.race([lost, stop ?? new Promise<never>(() => {})]);
  } finally {
    await Promise.race([worker.close(true), new Promise((r) => setTimeout(r, 2_000).unref())]);
    watch.disconnect();
  }
}
