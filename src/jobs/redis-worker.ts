// `edgeprune worker --queue redis://…`: a BullMQ worker that runs the queue's jobs until it is stopped, or until Redis
// cannot be reached any more (a UserError, never a hang). Each job runs in a local worker process of its own slot
// (src/jobs/local-runner.ts, kept between jobs), never on this process's event loop: a build that computes for minutes
// would otherwise keep BullMQ from renewing the job's lock, and another worker would take the job for stalled and run
// it a second time. Killing this process (kill -9) ends its job processes with it (hw-sim's process guard).

import path from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';
import { LocalRunner } from './local-runner.js';
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
  /** Job-kind modules the job processes register besides the built-in kinds (the worker's --kinds). */
  kindModules?: string[];
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

  // One job process per slot, started now and kept; a job takes a free slot. BullMQ retries a failed attempt, so a
  // slot makes one attempt (a job process that dies is replaced for the next job).
  const concurrency = options.concurrency ?? 1;
  const workerArgs = (options.kindModules ?? []).flatMap((m) => ['--kinds', path.resolve(m)]);
  // The job processes' progress lines go to this worker's log, prefixed with their job id.
  const free = Array.from({ length: concurrency }, () => new LocalRunner({ workers: 1, keepWorkers: true, attempts: 1, workerArgs, log }));
  const slots = [...free];
  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      log(`job ${job.id} (${job.name}), attempt ${job.attemptsMade + 1}`);
      const slot = free.pop();
      if (!slot) throw new Error(`edgeprune's bug: BullMQ gave this worker more than its ${concurrency} jobs at a time`);
      try {
        const [outcome] = await slot.run([{ id: job.id ?? job.name, kind: job.name, payload: job.data as Json }]);
        if (!outcome.ok) throw new Error(outcome.error);
        return outcome.result;
      } finally {
        free.push(slot);
      }
    },
    {
      connection: connectionOptions(address, true),
      concurrency,
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
    await Promise.all(slots.map((s) => s.close()));
    watch.disconnect();
  }
}
