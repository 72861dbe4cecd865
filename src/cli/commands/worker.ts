// `edgeprune worker`: run jobs for other edgeprune commands: --local (a process of the local pool, which starts it:
// jobs on stdin, results on stdout) or --queue redis://host:port (a BullMQ worker, on any machine with the project
// and its toolchains, until stopped or until Redis is gone).

import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { registerBuiltinJobKinds, registerJobKindsFrom } from '../../jobs/builtin-kinds.js';
import { serveLocalJobs } from '../../jobs/local-worker.js';
import { parseQueueUrl } from '../../jobs/redis-connection.js';
import { runRedisWorker } from '../../jobs/redis-worker.js';
import { terminalText } from '../../util/escape.js';
import { parseWorkerCount } from '../job-options.js';
import { parseNumber } from '../options.js';

/** The longest delay Node's timers take (BullMQ renews a job's lock on one). */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface WorkerCliOptions {
  local?: boolean;
  queue?: string;
  concurrency: string;
  lockMs: string;
  kinds?: string[];
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run jobs (calibration batches, sweep builds) for other edgeprune commands: from a Redis queue (--queue), or for the local pool that starts it (--local)')
    .option('--queue <url>', 'take jobs from the BullMQ queue in Redis at redis://host:port[/db]')
    .option('--local', 'serve the local worker pool of the command that started this process (jobs on stdin, results on stdout)')
    .option('--concurrency <n>', 'with --queue: jobs run at once in this process', '1')
    .option('--lock-ms <ms>', 'with --queue: how long a job stays locked without renewal; a worker that dies (kill -9) gives its job back after about this long', '30000')
    .option('--kinds <module...>', 'also register the job kinds a JavaScript module exports as `jobKinds`')
    .action(async (options: WorkerCliOptions) => {
      if (!!options.local === (options.queue !== undefined)) throw new UserError('give either --queue redis://host:port or --local', 'edgeprune worker --queue redis://127.0.0.1:6379 serves a queue');
      const concurrency = parseWorkerCount(options.concurrency, '--concurrency');
      // At most Node's longest timer (2^31 - 1 ms, 24.8 days): a longer lock would renew at once, in a loop.
      const lockMs = parseNumber('--lock-ms', options.lockMs, { min: 1000, max: MAX_TIMER_MS, integer: true });
      registerBuiltinJobKinds();
      for (const k of options.kinds ?? []) await registerJobKindsFrom(k);
      if (options.local) return serveLocalJobs();
      const address = parseQueueUrl(options.queue!);
      // Lines quote job errors and (relayed from the job processes) the jobs' progress: model strings, escaped.
      const log = (line: string): void => void process.stderr.write(`${terminalText(line)}\n`);
      log(`worker on ${address.url}: ${concurrency} job${concurrency === 1 ? '' : 's'} at a time`);
      // The kinds were registered above only to check the modules now: the jobs run in job processes that load them.
      await runRedisWorker(address, { concurrency, lockMs, log, kindModules: options.kinds });
    });
}
