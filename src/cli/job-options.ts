// The options that choose where a command's jobs run: --workers N (local worker processes, default one per core)
// or --queue redis://host:port (a BullMQ queue served by `edgeprune worker --queue` processes anywhere).

import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { defaultWorkerCount, LocalRunner, type LocalRunnerOptions } from '../jobs/local-runner.js';
import { parseQueueUrl } from '../jobs/redis-connection.js';
import { RedisRunner } from '../jobs/redis-runner.js';
import type { JobRunner } from '../jobs/runner.js';

export interface JobCliOptions {
  workers?: string;
  queue?: string;
}

/** `defaultText`: what runs the jobs without either option (default: one local worker per core). */
export function addJobOptions(cmd: Command, defaultText = `one per core, ${defaultWorkerCount()} here`): Command {
  return cmd
    .option('--workers <n>', `local worker processes that run the jobs (default: ${defaultText})`)
    .option('--queue <url>', 'run the jobs on a Redis queue (redis://host:port) served by `edgeprune worker --queue <url>` processes, on any machines');
}

/** `min`: 0 where 0 means no worker (build: the fine-tunes in this process alone). */
export function parseWorkerCount(text: string, option = '--workers', min = 1): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > 256) throw new UserError(`${option} must be a whole number from ${min} to 256, got '${text}'`);
  return Number(text);
}

/** `local`: how a local pool runs (e.g. keepWorkers for a command that hands out many small batches). */
export function runnerFromOptions(options: JobCliOptions, log: (line: string) => void, local: Omit<LocalRunnerOptions, 'workers'> = {}): JobRunner {
  if (options.queue !== undefined) {
    if (options.workers !== undefined) throw new UserError('--workers and --queue exclude each other: with --queue, the `edgeprune worker` processes serving the queue run the jobs');
    return new RedisRunner(parseQueueUrl(options.queue), { log });
  }
  // The jobs' progress lines (a sweep's builds, inside the workers) join the command's own.
  return new LocalRunner({ log, ...local, workers: options.workers === undefined ? undefined : parseWorkerCount(options.workers) });
}
