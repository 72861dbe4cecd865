// What runs jobs: a JobRunner takes job specs and returns one outcome per job, in job-id order, whichever
// implementation ran them (the local worker pool, or a BullMQ queue on Redis).

import { UserError } from '../errors.js';
import { compareStrings } from '../util/compare.js';
import type { JobSpec, Json } from './spec.js';

export type JobOutcome =
  | { id: string; kind: string; ok: true; result: Json }
  | { id: string; kind: string; ok: false; error: string; attempts: number };

export interface RunJobsOptions {
  /** Called as each job finishes (successfully or for good). */
  onSettled?: (outcome: JobOutcome, done: number, total: number) => void;
}

export interface JobRunner {
  /** A short description for progress lines ("2 local workers", "the queue at redis://…"). */
  readonly description: string;
  /** Jobs it runs at once on its own (a local pool: its processes); absent: as many as it is given (a queue). */
  readonly slots?: number;
  /**
   * Whether runs may overlap on its slots, their jobs sharing one queue (a kept local pool); absent: one run at a time
   * (a local pool per run would start processes of its own).
   */
  readonly runsOverlap?: boolean;
  /** Run the jobs (duplicates by id run once); outcomes sorted by job id. */
  run(jobs: JobSpec[], options?: RunJobsOptions): Promise<JobOutcome[]>;
  /**
   * Have every worker run `job` before its next one, its outcome dropped (a local pool kept between runs: it loads what
   * the jobs to come share while the command works); absent or a no-op where workers are not the runner's own (a queue).
   */
  warm?(job: JobSpec): void;
  /** Release the workers or connections. */
  close(): Promise<void>;
}

/** Jobs with distinct ids, sorted by id. */
export function uniqueJobs(jobs: JobSpec[]): JobSpec[] {
  const byId = new Map<string, JobSpec>();
  for (const j of jobs) byId.set(j.id, j);
  return [...byId.values()].sort((a, b) => compareStrings(a.id, b.id));
}

export function sortOutcomes(outcomes: JobOutcome[]): JobOutcome[] {
  return [...outcomes].sort((a, b) => compareStrings(a.id, b.id));
}

/** The results by job id; a UserError naming every failed job and its error when any failed. */
export function requireResults(outcomes: JobOutcome[]): Map<string, Json> {
  const failed = outcomes.filter((o): o is Extract<JobOutcome, { ok: false }> => !o.ok);
  if (failed.length) {
    const lines = failed.map((f) => `  ${f.id} (${f.attempts} attempt${f.attempts === 1 ? '' : 's'}): ${f.error}`);
    throw new UserError(`${failed.length} of ${outcomes.length} jobs failed:\n${lines.join('\n')}`, 'fix the cause and run the command again (finished jobs are not redone on a Redis queue)');
  }
  return new Map(outcomes.map((o) => [o.id, (o as { result: Json }).result]));
}
