// The worker side of the local pool (`edgeprune worker --local`): reads jobs from stdin, one at a time, runs each
// kind's handler and writes its progress lines, then the result or the error, to stdout (hw-sim/workers/protocol.ts);
// ends when stdin does.

import readline from 'node:readline';
import { encodeFromWorker, type FromWorker, type ToWorker } from '../../hw-sim/workers/protocol.js';
import { errorMessage, UserError } from '../errors.js';
import { findJobKind } from './registry.js';
import type { Json } from './spec.js';

/** A handler's error as one line, with the hint of a UserError. */
export function jobErrorText(e: unknown): string {
  const hint = e instanceof UserError && e.hint ? ` (${e.hint})` : '';
  return `${errorMessage(e)}${hint}`;
}

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(encodeFromWorker(message), (e) => (e ? reject(e) : resolve())));
}

export async function serveLocalJobs(): Promise<void> {
  await send({ type: 'ready' });
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const message = JSON.parse(line) as ToWorker;
    const { job } = message;
    // The job's progress lines go to the pool on stdout (before its result: the same stream), marked with its id.
    const log = (line: string): void => void process.stdout.write(encodeFromWorker({ type: 'log', id: job.id, line: String(line) }));
    try {
      const result = await findJobKind(job.kind).handler(job.payload as Json, { log });
      await send({ type: 'done', id: job.id, result });
    } catch (e) {
      await send({ type: 'failed', id: job.id, error: jobErrorText(e) });
    }
  }
}
