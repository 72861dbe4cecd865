// Resume for every runner: each finished job's result is kept as <dir>/<id>.json (written atomically when it
// finishes), and a run first takes the results kept there and runs only the other jobs. The local pool resumes
// through it; a Redis queue also keeps its results itself, and goes through the same function.

import fs from 'node:fs';
import path from 'node:path';
import { uniqueJobs, sortOutcomes, type JobOutcome, type JobRunner, type RunJobsOptions } from './runner.js';
import type { JobSpec, Json } from './spec.js';

export interface ResumableOptions extends RunJobsOptions {
  /** Where results are kept, one <id>.json per job. */
  dir: string;
  /**
   * What to keep of a fresh result (default: all of it), called before it is written: e.g. write its files
   * elsewhere and keep the rest. A job kept in `dir` comes back with what was kept.
   */
  keep?: (id: string, result: Json) => Json;
}

export interface ResumableRun {
  /** One per job, sorted by id; a successful one carries what was kept. */
  outcomes: JobOutcome[];
  /** Jobs whose kept result was used (not run). */
  reused: number;
  /** Jobs given to the runner. */
  ran: number;
}

interface KeptJob {
  id: string;
  kind: string;
  result: Json;
}

export function keptResultPath(dir: string, id: string): string {
  return path.join(dir, `${id}.json`);
}

/** The kept result of `job`, or null (none, or not this job's: unreadable, another id or kind). */
export function readKeptResult(dir: string, job: JobSpec): Json | null {
  const file = keptResultPath(dir, job.id);
  if (!fs.existsSync(file)) return null;
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as KeptJob;
    return kept.id === job.id && kept.kind === job.kind && kept.result !== undefined ? kept.result : null;
  } catch {
    return null;
  }
}

/** Write `<dir>/<id>.json` through a temporary file and a rename: a reader never sees half of it. */
export function writeKeptResult(dir: string, job: { id: string; kind: string }, result: Json): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = keptResultPath(dir, job.id);
  const tmp = `${file}.tmp-${process.pid}`;
  const kept: KeptJob = { id: job.id, kind: job.kind, result };
  fs.writeFileSync(tmp, `${JSON.stringify(kept)}\n`);
  fs.renameSync(tmp, file);
}

/** Run `jobs` on `runner`, skipping those with a result kept in `options.dir`, keeping each new result there. */
export async function runResumable(runner: JobRunner, jobs: JobSpec[], options: ResumableOptions): Promise<ResumableRun> {
  const unique = uniqueJobs(jobs);
  const outcomes: JobOutcome[] = [];
  const todo: JobSpec[] = [];
  for (const job of unique) {
    const result = readKeptResult(options.dir, job);
    if (result === null) todo.push(job);
    else outcomes.push({ id: job.id, kind: job.kind, ok: true, result });
  }
  const reused = outcomes.length;
  if (todo.length > 0) {
    const fresh = await runner.run(todo, {
      onSettled: (o, done, total) => {
        if (o.ok) {
          const kept = options.keep ? options.keep(o.id, o.result) : o.result;
          writeKeptResult(options.dir, o, kept);
          outcomes.push({ ...o, result: kept });
        } else {
          outcomes.push(o);
        }
        options.onSettled?.(outcomes[outcomes.length - 1], reused + done, reused + total);
      },
    });
    // Every outcome came through onSettled; a runner that returned one without it is a bug here.
    if (outcomes.length !== unique.length) throw new Error(`the runner settled ${outcomes.length - reused} of ${fresh.length} jobs through onSettled`);
  }
  return { outcomes: sortOutcomes(outcomes), reused, ran: todo.length };
}
