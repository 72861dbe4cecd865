// The job queue on a real redis-server (hw-sim/redis/server.ts) with real `edgeprune worker --queue` processes:
// the same outcomes as the local pool, a worker killed with SIGKILL mid-job (the job stalls and runs again on the
// other worker), a job that blocks its process's event loop past the lock (it runs once), Redis stopped mid-run (a
// clear UserError in the command and in the workers), a re-run that reuses the finished jobs (resume) without any
// worker, and a job's progress lines relayed to the terminal of the worker that ran it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { ancestorAmong, startedMarkers } from '../support/job-markers.js';
import { startRedisServer, type RedisServer } from '../../hw-sim/redis/server.js';
import { UserError } from '../../src/errors.js';
import { LocalRunner } from '../../src/jobs/local-runner.js';
import { parseQueueUrl } from '../../src/jobs/redis-connection.js';
import { RedisRunner } from '../../src/jobs/redis-runner.js';
import { makeJob } from '../../src/jobs/spec.js';
import { skipWithoutTools } from '../support/toolchain.js';

const skip = await skipWithoutTools('test/jobs/redis-queue.test.ts', ['redis-server']);
const KINDS = path.resolve('test/fixtures/jobs/test-kinds.mjs');
const BIN = path.resolve('bin/edgeprune.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-jobs-redis-'));
const started: { server?: RedisServer; workers: ResultPromise[] }[] = [];
afterAll(async () => {
  for (const s of started) {
    for (const w of s.workers) w.kill('SIGKILL');
    await Promise.allSettled(s.workers);
    await s.server?.stop();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A redis-server and `count` worker processes serving it (2 s locks: a dead worker's job returns within seconds). */
async function queueWithWorkers(count: number) {
  const server = await startRedisServer();
  const workers = Array.from({ length: count }, () =>
    execa(process.execPath, [BIN, 'worker', '--queue', server.url, '--lock-ms', '2000', '--kinds', KINDS], { reject: false, stdin: 'ignore', timeout: 300_000 }),
  );
  started.push({ server, workers });
  const runner = new RedisRunner(parseQueueUrl(server.url), { backoffMs: 100 });
  return { server, workers, runner };
}

async function firstMarker(folder: string): Promise<{ n: number; pid: number }> {
  for (;;) {
    const m = startedMarkers(folder)[0];
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip)('Redis job queue', () => {
  it('gives the outcomes of the local pool with two worker processes, and a re-run reuses them without workers', async () => {
    const { server, workers, runner } = await queueWithWorkers(2);
    const folder = fs.mkdtempSync(path.join(dir, 'same-'));
    const logged = makeJob('test-log', { n: 8 });
    const jobs = [...[2, 9, 4, 6, 1, 3].map((n) => makeJob('test-square', { n })), makeJob('test-fail', { n: 7, dir: folder }), logged];
    const queued = await runner.run(jobs);
    const local = await new LocalRunner({ workers: 2, workerArgs: ['--kinds', KINDS] }).run(jobs);
    expect(queued).toEqual(local);
    expect(queued.filter((o) => !o.ok)).toEqual([{ id: jobs[6].id, kind: 'test-fail', ok: false, error: 'test-fail always fails (job 7)', attempts: 3 }]);

    for (const w of workers) w.kill('SIGKILL');
    // The job process's progress lines reached the terminal of the worker that ran the job: its id first, escaped.
    const stderr = (await Promise.allSettled(workers)).map((r) => (r.status === 'fulfilled' ? String(r.value.stderr) : '')).join('\n');
    expect(stderr).toContain(`[${logged.id}] step 1 of job 8\n`);
    expect(stderr).toContain(`[${logged.id}] layer '\\x1b[31mred\\x1b[0m\\nfake line \\u202eevil' pruned\n`);
    expect(stderr).not.toContain('\u001b');
    const lines: string[] = [];
    const resumed = new RedisRunner(parseQueueUrl(server.url), { log: (l) => lines.push(l) });
    const again = await resumed.run(jobs.slice(0, 6));
    expect(again).toEqual(queued.filter((o) => o.ok && o.kind === 'test-square'));
    expect(lines).toContain(`6 of 6 jobs already finished on ${server.url}: reused`);
    await runner.close();
    await resumed.close();
  });

  it('completes when a worker is killed with SIGKILL mid-job: the job runs again on the other worker', async () => {
    const { runner, workers } = await queueWithWorkers(2);
    const folder = fs.mkdtempSync(path.join(dir, 'kill-'));
    const jobs = [1, 2, 3, 4].map((n) => makeJob('test-slow', { n, ms: 1_500, dir: folder }));
    const run = runner.run(jobs);
    const victim = await firstMarker(folder);
    // The job runs in a job process of one of the two `edgeprune worker` processes: that worker is the one killed.
    const owner = ancestorAmong(victim.pid, workers.map((w) => w.pid!));
    expect(owner).toBeDefined();
    process.kill(owner!, 'SIGKILL');
    const outcomes = await run;
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true]);
    const runs = startedMarkers(folder).filter((m) => m.n === victim.n);
    expect(runs.some((m) => m.pid !== victim.pid)).toBe(true);
    // The killed worker's job process died with it (the process guard), instead of finishing the job unseen.
    expect(fs.existsSync(`/proc/${victim.pid}`)).toBe(false);
    await runner.close();
  });

  it('runs a job that keeps the event loop busy past its lock once: the worker still renews the lock', async () => {
    // A build computes for minutes without yielding. Were it to run on the worker's own event loop, its 2 s lock
    // would lapse, the other worker would take the job for stalled and start it again.
    const { runner } = await queueWithWorkers(2);
    const folder = fs.mkdtempSync(path.join(dir, 'busy-'));
    const outcomes = await runner.run([makeJob('test-busy', { n: 1, ms: 6_000, dir: folder })]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect(startedMarkers(folder)).toHaveLength(1);
    await runner.close();
  });

  it('gives a clear error when Redis stops mid-run, in the command and in the workers', async () => {
    const { server, workers, runner } = await queueWithWorkers(1);
    const folder = fs.mkdtempSync(path.join(dir, 'stop-'));
    const run = runner.run([1, 2, 3].map((n) => makeJob('test-slow', { n, ms: 5_000, dir: folder })));
    run.catch(() => {});
    await firstMarker(folder);
    await server.stop();
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow(`lost the connection to the Redis queue at ${server.url}`);
    await runner.close();
    const worker = await workers[0];
    expect(worker.exitCode, String(worker.stderr)).toBe(2);
    expect(worker.stderr).toContain(`error: lost the connection to the Redis queue at ${server.url}`);
    const never = new RedisRunner(parseQueueUrl(server.url));
    await expect(never.run([makeJob('test-square', { n: 1 })])).rejects.toThrow(`cannot reach the Redis queue at ${server.url}`);
    await never.close();
  });
});
