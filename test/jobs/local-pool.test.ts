// The local worker pool with real `edgeprune worker --local` processes (the test kinds of
// test/fixtures/jobs/test-kinds.mjs): results in job-id order, a worker killed with SIGKILL mid-job (its job runs
// again on another worker, none lost), a handler that always throws (reported after its attempts), a job's progress
// lines relayed to the pool's log (its id first, terminal-escaped); and `edgeprune worker --local`, the same loop
// behind the command line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { startedMarkers } from '../support/job-markers.js';
import { decodeFromWorker, encodeToWorker } from '../../hw-sim/workers/protocol.js';
import { LocalRunner, relayedJobLine } from '../../src/jobs/local-runner.js';
import { makeJob } from '../../src/jobs/spec.js';

const KINDS = path.resolve('test/fixtures/jobs/test-kinds.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-jobs-pool-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const runner = (workers: number) => new LocalRunner({ workers, workerArgs: ['--kinds', KINDS] });

describe('local worker pool', () => {
  it('with keepWorkers, runs every batch on the same workers until close, which ends them', async () => {
    const kept = new LocalRunner({ workers: 1, keepWorkers: true, workerArgs: ['--kinds', KINDS] });
    const folder = fs.mkdtempSync(path.join(dir, 'kept-'));
    try {
      for (const n of [1, 2, 3]) expect((await kept.run([makeJob('test-slow', { n, ms: 0, dir: folder })]))[0].ok).toBe(true);
    } finally {
      await kept.close();
    }
    const pids = startedMarkers(folder).map((m) => m.pid);
    expect(pids).toHaveLength(3);
    expect(new Set(pids).size).toBe(1);
    expect(() => process.kill(pids[0], 0)).toThrow();
    await expect(kept.run([makeJob('test-square', { n: 1 })])).rejects.toThrow(/closed/);
  });

  it('with keepWorkers, warm() has every worker run the warm-up job once before its jobs, its outcome dropped', async () => {
    const kept = new LocalRunner({ workers: 2, keepWorkers: true, workerArgs: ['--kinds', KINDS] });
    const folder = fs.mkdtempSync(path.join(dir, 'warm-'));
    const jobs = [1, 2, 3, 4].map((n) => makeJob('test-slow', { n, ms: 100, dir: folder }));
    try {
      kept.warm(makeJob('test-slow', { n: 0, ms: 300, dir: folder }));
      const outcomes = await kept.run(jobs);
      expect(outcomes.map((o) => o.id)).toEqual(jobs.map((j) => j.id).sort());
      expect(outcomes.every((o) => o.ok)).toBe(true);
      // A second run: no second warm-up.
      expect((await kept.run([makeJob('test-slow', { n: 5, ms: 0, dir: folder })]))[0].ok).toBe(true);
    } finally {
      await kept.close();
    }
    const markers = startedMarkers(folder);
    const at = (m: { n: number; pid: number }) => fs.statSync(path.join(folder, `started-${m.n}-${m.pid}`)).mtimeMs;
    const warmed = markers.filter((m) => m.n === 0);
    expect(warmed.length).toBeLessThanOrEqual(2);
    for (const m of markers.filter((j) => j.n > 0)) {
      const own = warmed.filter((w) => w.pid === m.pid);
      expect(own, `job ${m.n}'s worker warmed once`).toHaveLength(1);
      expect(at(own[0])).toBeLessThanOrEqual(at(m));
    }
  });

  it('with keepWorkers, serves overlapping runs (a sweep\'s chains) on its workers, a killed worker replaced', async () => {
    const kept = new LocalRunner({ workers: 2, keepWorkers: true, workerArgs: ['--kinds', KINDS] });
    const folder = fs.mkdtempSync(path.join(dir, 'overlap-'));
    const slow = (n: number) => makeJob('test-slow', { n, ms: 400, dir: folder });
    let victim: { n: number; pid: number } | undefined;
    try {
      const runs = [kept.run([slow(1), slow(2)]), kept.run([slow(3)]), kept.run([slow(4), slow(5), slow(6)])];
      while (!victim) {
        await new Promise((r) => setTimeout(r, 20));
        victim = startedMarkers(folder)[0];
      }
      process.kill(victim.pid, 'SIGKILL');
      const outcomes = await Promise.all(runs);
      expect(outcomes.map((o) => o.length)).toEqual([2, 1, 3]);
      expect(outcomes.flat().every((o) => o.ok)).toBe(true);
      // A later run on the same pool still works.
      expect((await kept.run([makeJob('test-square', { n: 3 })]))[0]).toMatchObject({ ok: true, result: { square: 9 } });
    } finally {
      await kept.close();
    }
    const markers = startedMarkers(folder);
    expect(new Set(markers.filter((m) => m.n !== victim!.n).map((m) => m.n))).toEqual(new Set([1, 2, 3, 4, 5, 6].filter((n) => n !== victim!.n)));
    expect(markers.filter((m) => m.n === victim!.n).length).toBe(2); // run again, on another worker
    // Two workers at first, and one more for the killed one: never one per job.
    expect(new Set(markers.map((m) => m.pid)).size).toBeLessThanOrEqual(3);
    for (const pid of new Set(markers.map((m) => m.pid))) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('runs the jobs on the workers and returns the outcomes in job-id order', async () => {
    const jobs = [5, 3, 8, 1, 7].map((n) => makeJob('test-square', { n }));
    const outcomes = await runner(2).run(jobs);
    expect(outcomes.map((o) => o.id)).toEqual(jobs.map((j) => j.id).sort());
    for (const o of outcomes) {
      const n = (jobs.find((j) => j.id === o.id)!.payload as { n: number }).n;
      expect(o).toEqual({ id: o.id, kind: 'test-square', ok: true, result: { n, square: n * n } });
    }
  });

  it('runs the job of a worker killed with SIGKILL again on another worker', async () => {
    const folder = fs.mkdtempSync(path.join(dir, 'kill-'));
    const jobs = [1, 2, 3].map((n) => makeJob('test-slow', { n, ms: 2_000, dir: folder }));
    const run = runner(2).run(jobs);
    let victim: { n: number; pid: number } | undefined;
    while (!victim) {
      await new Promise((r) => setTimeout(r, 50));
      victim = startedMarkers(folder)[0];
    }
    process.kill(victim.pid, 'SIGKILL');
    const outcomes = await run;
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes).toHaveLength(3);
    const again = startedMarkers(folder).filter((m) => m.n === victim!.n);
    expect(again.length).toBe(2);
    expect(again.some((m) => m.pid !== victim!.pid)).toBe(true);
  });

  it('reports a job whose handler always throws after its attempts, and still finishes the others', async () => {
    const folder = fs.mkdtempSync(path.join(dir, 'fail-'));
    const fail = makeJob('test-fail', { n: 1, dir: folder });
    const ok = makeJob('test-square', { n: 4 });
    const outcomes = await new LocalRunner({ workers: 1, attempts: 3, workerArgs: ['--kinds', KINDS] }).run([fail, ok]);
    expect(outcomes.find((o) => o.id === fail.id)).toEqual({ id: fail.id, kind: 'test-fail', ok: false, error: 'test-fail always fails (job 1)', attempts: 3 });
    expect(outcomes.find((o) => o.id === ok.id)).toMatchObject({ ok: true, result: { n: 4, square: 16 } });
    expect(fs.readFileSync(path.join(folder, 'attempts-1'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('relays a job\'s progress lines to the pool\'s log, prefixed with the job id and terminal-escaped', async () => {
    const lines: string[] = [];
    const job = makeJob('test-log', { n: 3 });
    const [outcome] = await new LocalRunner({ workers: 1, workerArgs: ['--kinds', KINDS], log: (l) => lines.push(l) }).run([job]);
    expect(outcome).toMatchObject({ ok: true, result: { n: 3, logged: 2 } });
    // One line each, no raw escape, newline or bidi override: each shown as an escape.
    expect(lines).toEqual([`[${job.id}] step 1 of job 3`, `[${job.id}] layer '\\x1b[31mred\\x1b[0m\\nfake line \\u202eevil' pruned`]);
    expect(relayedJobLine('id', 'a\u001bb')).toBe('[id] a\\x1bb');
  });

  it('edgeprune worker --local answers jobs on stdin with marked result lines on stdout', async () => {
    const job = makeJob('test-square', { n: 12 });
    const input = encodeToWorker({ type: 'run', job: { id: job.id, kind: job.kind, payload: job.payload } }) + encodeToWorker({ type: 'run', job: { id: 'x', kind: 'nope', payload: null } });
    const r = await execa(process.execPath, [path.resolve('bin/edgeprune.js'), 'worker', '--local', '--kinds', KINDS], { input, timeout: 120_000 });
    const messages = String(r.stdout).split('\n').map(decodeFromWorker).filter((m) => m !== null);
    expect(messages[0]).toEqual({ type: 'ready' });
    expect(messages[1]).toEqual({ type: 'done', id: job.id, result: { n: 12, square: 144 } });
    expect(messages[2]).toMatchObject({ type: 'failed', id: 'x' });
    expect((messages[2] as { error: string }).error).toMatch(/^this worker has no job kind 'nope' \(it knows calibrate-batch, sweep-build, fine-tune, fine-tune-warm, test-square, test-slow, test-busy, test-log, test-fail\)/);
  });
});
