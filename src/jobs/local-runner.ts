// The default JobRunner: a pool of local worker processes on this machine (one per core unless told), each running
// local-worker-main.ts bundled (what `edgeprune worker --local` runs, without the rest of the command line); the jobs'
// progress lines are relayed to the command's log, prefixed with their job id.

import os from 'node:os';
import { NODE_TOOL, openWorkerPool, type PoolOutcome, type WorkerPool, type WorkerPoolOptions } from '../../hw-sim/workers/pool.js';
import { terminalText } from '../util/escape.js';
import { repoPath } from '../util/package-root.js';
import { uniqueJobs, type JobOutcome, type JobRunner, type RunJobsOptions } from './runner.js';
import type { JobSpec, Json } from './spec.js';

export interface LocalRunnerOptions {
  /** Worker processes (default: one per core). */
  workers?: number;
  /** Attempts per job (default 3). */
  attempts?: number;
  /** An attempt running longer is stopped (default 1 h). */
  jobTimeoutMs?: number;
  /** More arguments for the workers (--kinds <module>). */
  workerArgs?: string[];
  /**
   * Start every worker now and keep them up between runs until close() (default: each run starts and ends its own):
   * for a command that runs many small batches (build's fine-tunes), whose workers then start while it prepares and
   * load the data once.
   */
  keepWorkers?: boolean;
  /**
   * Where the jobs' progress lines go (a build's steps inside a worker), each as `[<job id>] <line>`, terminal-escaped:
   * they quote the model's strings. Absent: dropped.
   */
  log?: (line: string) => void;
}

export const DEFAULT_ATTEMPTS = 3;

/** The worker program, bundled (rolldown.config.mjs; the pool runs it with node, also when this module runs from TypeScript in tests). */
const WORKER_MAIN = repoPath('dist', 'bundle', 'local-worker.js');

export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism());
}

export class LocalRunner implements JobRunner {
  readonly description: string;
  readonly slots: number;
  readonly runsOverlap: boolean;
  private readonly workers: number;

  constructor(private readonly options: LocalRunnerOptions = {}) {
    this.workers = options.workers ?? defaultWorkerCount();
    this.slots = this.workers;
    this.runsOverlap = options.keepWorkers === true;
    this.description = `${this.workers} local worker${this.workers === 1 ? '' : 's'}`;
    if (options.keepWorkers) this.kept = openWorkerPool({ ...this.poolOptions(this.workers), prestart: true });
  }

  private kept: WorkerPool | undefined;

  private poolOptions(workers: number): WorkerPoolOptions {
    return {
      workers,
      command: NODE_TOOL,
      args: [WORKER_MAIN, ...(this.options.workerArgs ?? [])],
      attempts: this.options.attempts ?? DEFAULT_ATTEMPTS,
      jobTimeoutMs: this.options.jobTimeoutMs ?? 3600_000,
      onLog: this.options.log && ((id, line) => this.options.log!(relayedJobLine(id, line))),
    };
  }

  async run(jobs: JobSpec[], options: RunJobsOptions = {}): Promise<JobOutcome[]> {
    const unique = uniqueJobs(jobs);
    const kinds = new Map(unique.map((j) => [j.id, j.kind]));
    let done = 0;
    // A kept pool has all its workers (started as runs need them); a pool for one run no more than it has jobs.
    const pool = this.options.keepWorkers ? (this.kept ??= openWorkerPool(this.poolOptions(this.workers))) : openWorkerPool(this.poolOptions(Math.min(this.workers, Math.max(1, unique.length))));
    try {
      const outcomes = await pool.run(
        unique.map((j) => ({ id: j.id, kind: j.kind, payload: j.payload })),
        (o) => options.onSettled?.(toOutcome(o, kinds.get(o.id)!), ++done, unique.length),
      );
      return outcomes.map((o) => toOutcome(o, kinds.get(o.id)!));
    } finally {
      if (!this.options.keepWorkers) await pool.close();
    }
  }

  /** With keepWorkers: every worker runs `job` before its next one (WorkerPool.warm). Otherwise nothing (a pool per run). */
  warm(job: JobSpec): void {
    this.kept?.warm({ id: job.id, kind: job.kind, payload: job.payload });
  }

  async close(): Promise<void> {
    // A kept pool ends its workers here (and refuses later runs); otherwise each run started and ended its own.
    await this.kept?.close();
  }
}

/** A job's progress line as relayed: prefixed with the job's id, one terminal line (no control or invisible character). */
export function relayedJobLine(id: string, line: string): string {
  return terminalText(`[${id}] ${line}`);
}

function toOutcome(o: PoolOutcome, kind: string): JobOutcome {
  return o.ok ? { id: o.id, kind, ok: true, result: o.result as Json } : { id: o.id, kind, ok: false, error: o.error, attempts: o.attempts };
}
