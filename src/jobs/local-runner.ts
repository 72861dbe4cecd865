// The default JobRunner: a pool of local worker processes on this machine (one per core unless told), each running
// local-worker-main.js (what `edgeprune worker --local` runs, without the rest of the command line).

import os from 'node:os';
import { NODE_TOOL, runOnWorkerPool } from '../../hw-sim/workers/pool.js';
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
}

export const DEFAULT_ATTEMPTS = 3;

/** The worker program, compiled (the pool runs it with node, also when this module runs from TypeScript in tests). */
const WORKER_MAIN = repoPath('dist', 'src', 'jobs', 'local-worker-main.js');

export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism());
}

export class LocalRunner implements JobRunner {
  readonly description: string;
  readonly slots: number;
  private readonly workers: number;

  constructor(private readonly options: LocalRunnerOptions = {}) {
    this.workers = options.workers ?? defaultWorkerCount();
    this.slots = this.workers;
    this.description = `${this.workers} local worker${this.workers === 1 ? '' : 's'}`;
  }

  async run(jobs: JobSpec[], options: RunJobsOptions = {}): Promise<JobOutcome[]> {
    const unique = uniqueJobs(jobs);
    const kinds = new Map(unique.map((j) => [j.id, j.kind]));
    let done = 0;
    const outcomes = await runOnWorkerPool(
      unique.map((j) => ({ id: j.id, kind: j.kind, payload: j.payload })),
      {
        workers: Math.min(this.workers, Math.max(1, unique.length)),
        command: NODE_TOOL,
        args: [WORKER_MAIN, ...(this.options.workerArgs ?? [])],
        attempts: this.options.attempts ?? DEFAULT_ATTEMPTS,
        jobTimeoutMs: this.options.jobTimeoutMs ?? 3600_000,
        onSettled: (o) => options.onSettled?.(toOutcome(o, kinds.get(o.id)!), ++done, unique.length),
      },
    );
    return outcomes.map((o) => toOutcome(o, kinds.get(o.id)!));
  }

  async close(): Promise<void> {
    // Each run starts and ends its own workers.
  }
}

function toOutcome(o: Awaited<ReturnType<typeof runOnWorkerPool>>[number], kind: string): JobOutcome {
  return o.ok ? { id: o.id, kind, ok: true, result: o.result as Json } : { id: o.id, kind, ok: false, error: o.error, attempts: o.attempts };
}
