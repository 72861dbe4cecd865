// Resume through kept results (src/jobs/resumable.ts): each finished job's result is written to <dir>/<id>.json as it
// finishes, a second run takes those and runs only the rest (a failed job, a job whose kept file is unreadable).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRunner } from '../../src/jobs/local-runner.js';
import { keptResultPath, runResumable } from '../../src/jobs/resumable.js';
import { makeJob, type Json } from '../../src/jobs/spec.js';
import { startedMarkers } from '../support/job-markers.js';

const KINDS = path.resolve('test/fixtures/jobs/test-kinds.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-jobs-resume-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('runResumable', () => {
  it('keeps each finished result and runs only the unfinished jobs again', async () => {
    const markers = fs.mkdtempSync(path.join(dir, 'markers-'));
    const kept = path.join(dir, 'kept');
    const slow = [1, 2, 3].map((n) => makeJob('test-slow', { n, ms: 10, dir: markers }));
    const jobs = [...slow, makeJob('test-fail', { n: 9, dir: markers })];
    const runner = new LocalRunner({ workers: 2, workerArgs: ['--kinds', KINDS], attempts: 1 });
    const keep = (_id: string, result: Json) => ({ ...(result as object), kept: true });

    const first = await runResumable(runner, jobs, { dir: kept, keep });
    expect(first).toMatchObject({ reused: 0, ran: 4 });
    // Outcomes in job-id order, each successful one with what `keep` made of it.
    const byId = [...slow].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(first.outcomes.filter((o) => o.ok).map((o) => (o as { result: Json }).result)).toEqual(byId.map((j) => ({ n: j.payload.n, done: true, kept: true })));
    expect(fs.readdirSync(kept).sort()).toEqual(slow.map((j) => `${j.id}.json`).sort());
    expect(startedMarkers(markers)).toHaveLength(3);

    // One kept file cut short (a crash mid-write would leave none, but a disk can): that job runs again.
    fs.writeFileSync(keptResultPath(kept, slow[1].id), '{"id":');
    const second = await runResumable(runner, jobs, { dir: kept, keep });
    expect(second).toMatchObject({ reused: 2, ran: 2 });
    expect(second.outcomes).toEqual(first.outcomes);
    expect(startedMarkers(markers).map((m) => m.n).sort()).toEqual([1, 2, 2, 3]);
    expect(fs.readFileSync(path.join(markers, 'attempts-9'), 'utf8').trim().split('\n')).toHaveLength(2);

    // Everything kept but the failure: nothing else runs.
    const third = await runResumable(runner, slow, { dir: kept, keep });
    expect(third).toMatchObject({ reused: 3, ran: 0 });
    expect(startedMarkers(markers)).toHaveLength(4);
  });
});
