// The JobRunner on a BullMQ queue in Redis (`--queue redis://host:port`): adds each job under its id (a job that
// already finished there is not redone: resume), lets BullMQ retry failed and stalled attempts, polls the jobs
// until each has completed or failed for good, and turns a missing or vanished Redis into a UserError. BullMQ loads on
// the first run: a command that takes --queue but stops before its jobs (or runs them locally) does not pay its ~0.3 s.

import type { Queue } from 'bullmq';
import { errorMessage, UserError } from '../errors.js';
import { DEFAULT_ATTEMPTS } from './local-runner.js';
import { connectionOptions, QUEUE_NAME, redisLost, type QueueAddress } from './redis-connection.js';
import { uniqueJobs, type JobOutcome, type JobRunner, type RunJobsOptions } from './runner.js';
import type { JobSpec, Json } from './spec.js';

export interface RedisRunnerOptions {
  /** Attempts per job (default 3): BullMQ retries a failed attempt after a backoff. */
  attempts?: number;
  /** First backoff before a retry, doubled each time (default 2 s). */
  backoffMs?: number;
  /** Interval between polls of the jobs' states (default 300 ms). */
  pollMs?: number;
  /** Progress lines (e.g. that no worker is connected yet). */
  log?: (line: string) => void;
}

/** Seconds without a connected worker before saying so. */
const NO_WORKER_NOTICE_MS = 5_000;

export class RedisRunner implements JobRunner {
  readonly description: string;
  private opened: Promise<Queue> | undefined;
  private lastError: string | null = null;
  private connected = false;

  constructor(
    private readonly address: QueueAddress,
    private readonly options: RedisRunnerOptions = {},
  ) {
    this.description = `the Redis queue at ${address.url}`;
  }

  /** The queue, created (and BullMQ loaded) on the first call. */
  private queue(): Promise<Queue> {
    this.opened ??= import('bullmq').then(({ Queue }) => {
      const queue = new Queue(QUEUE_NAME, { connection: connectionOptions(this.address, false) });
      queue.on('error', (e) => {
        this.lastError = errorMessage(e);
      });
      return queue;
    });
    return this.opened;
  }

  /** Run `f` on the queue; a Redis failure becomes the UserError of redisLost. */
  private async redis<T>(f: () => Promise<T>): Promise<T> {
    try {
      const r = await f();
      this.connected = true;
      return r;
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw redisLost(this.address, this.lastError ?? errorMessage(e), this.connected);
    }
  }

  async run(jobs: JobSpec[], options: RunJobsOptions = {}): Promise<JobOutcome[]> {
    const unique = uniqueJobs(jobs);
    const log = this.options.log ?? (() => {});
    const queue = await this.queue();
    await this.redis(() => queue.waitUntilReady());
    let reused = 0;
    for (const spec of unique) {
      const existing = await this.redis(() => queue.getJob(spec.id));
      if (existing) {
        const state = await this.redis(() => existing.getState());
        // A job that failed for good in an earlier run gets its attempts again; any other is running or done.
        if (state === 'failed') await this.redis(() => existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }));
        else if (state === 'completed') reused++;
        continue;
      }
      await this.redis(() =>
        queue.add(spec.kind, spec.payload, {
          jobId: spec.id,
          attempts: this.options.attempts ?? DEFAULT_ATTEMPTS,
          backoff: { type: 'exponential', delay: this.options.backoffMs ?? 2_000 },
          // Kept (a week) so that a re-run reuses the results.
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        }),
      );
    }
    if (reused) log(`${reused} of ${unique.length} jobs already finished on ${this.address.url}: reused`);

    const outcomes = new Map<string, JobOutcome>();
    const started = Date.now();
    let noticed = false;
    while (outcomes.size < unique.length) {
      const open = unique.filter((s) => !outcomes.has(s.id));
      const states = await Promise.all(open.map((s) => this.redis(() => this.settledState(queue, s))));
      for (const o of states) {
        if (!o) continue;
        outcomes.set(o.id, o);
        options.onSettled?.(o, outcomes.size, unique.length);
      }
      if (outcomes.size === unique.length) break;
      if (!noticed && Date.now() - started > NO_WORKER_NOTICE_MS && (await this.redis(() => queue.getWorkersCount())) === 0) {
        noticed = true;
        log(`no worker is connected to ${this.address.url} yet: start some with edgeprune worker --queue ${this.address.url}`);
      }
      await new Promise((r) => setTimeout(r, this.options.pollMs ?? 300));
    }
    return unique.map((s) => outcomes.get(s.id)!);
  }

  /** The outcome of a job that completed or failed for good, else null. */
  private async settledState(queue: Queue, spec: JobSpec): Promise<JobOutcome | null> {
    // The state first, then the job: a job read first and then found completed may be a snapshot from before it
    // finished (its return value still null). BullMQ stores the result with the move to completed or failed.
    const state = await queue.getJobState(spec.id);
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return null;
    const job = await queue.getJob(spec.id);
    if (!job || state === 'unknown') throw new UserError(`job ${spec.id} disappeared from the Redis queue at ${this.address.url}`, 'something removed it (a flush, an eviction policy): run the command again');
    if (state === 'completed') return { id: spec.id, kind: spec.kind, ok: true, result: job.returnvalue as Json };
    if (state === 'failed') return { id: spec.id, kind: spec.kind, ok: false, error: job.failedReason, attempts: job.attemptsMade };
    return null;
  }

  async close(): Promise<void> {
    if (!this.opened) return; // never ran: no connection to release
    const queue = await this.opened;
    // close() waits for pending commands, which never end when Redis is gone: disconnect then.
    await Promise.race([queue.close(), new Promise((r) => setTimeout(r, 2_000).unref())]);
    await queue.disconnect().catch(() => {});
  }
}
