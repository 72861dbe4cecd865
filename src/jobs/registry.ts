// The job kinds a worker can run, by name: a handler turns a kind's JSON payload into a JSON result.

import { UserError } from '../errors.js';
import type { Json } from './spec.js';

export interface JobKind {
  kind: string;
  /** Runs in a worker process; what it throws fails the attempt (a job has a few before it is reported failed). */
  handler: (payload: Json, context: JobContext) => Promise<Json>;
}

export interface JobContext {
  /** Progress lines (a worker writes them to its stderr). */
  log: (line: string) => void;
}

const kinds = new Map<string, JobKind>();

/** Register a kind (idempotent for the same definition; a different one under a taken name is a bug). */
export function registerJobKind(kind: JobKind): void {
  const old = kinds.get(kind.kind);
  if (old && old !== kind) throw new Error(`job kind '${kind.kind}' is registered twice`);
  kinds.set(kind.kind, kind);
}

export function findJobKind(name: string): JobKind {
  const kind = kinds.get(name);
  if (!kind) {
    throw new UserError(
      `this worker has no job kind '${name}' (it knows ${[...kinds.keys()].join(', ') || 'none'})`,
      'run workers from the same edgeprune version as the command that queued the jobs',
    );
  }
  return kind;
}

export function jobKindNames(): string[] {
  return [...kinds.keys()];
}
