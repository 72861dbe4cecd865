// Job ids (the same payload, however its keys are ordered, gives the same id; any change gives another), the
// report of failed jobs, and the checks of --queue URLs.
import { describe, expect, it } from 'vitest';
import { canonicalJson, jobId, makeJob } from '../../src/jobs/spec.js';
import { requireResults, uniqueJobs } from '../../src/jobs/runner.js';
import { parseQueueUrl } from '../../src/jobs/redis-connection.js';
import { UserError } from '../../src/errors.js';

describe('job specs', () => {
  it('derives the id from the kind and the canonical payload', () => {
    expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: true })).toBe('{"a":true,"b":[1,{"c":null,"d":"x"}]}');
    const a = jobId('calibrate-batch', { target: 't', cases: ['x', 'y'] });
    expect(a).toMatch(/^calibrate-batch-[0-9a-f]{24}$/);
    expect(jobId('calibrate-batch', { cases: ['x', 'y'], target: 't' })).toBe(a);
    expect(jobId('calibrate-batch', { target: 't', cases: ['y', 'x'] })).not.toBe(a);
    expect(jobId('other', { target: 't', cases: ['x', 'y'] })).not.toBe(a.replace('calibrate-batch', 'other'));
  });

  it('sorts jobs by id and drops duplicates', () => {
    const jobs = [3, 1, 2, 1].map((n) => makeJob('k', { n }));
    const unique = uniqueJobs(jobs);
    expect(unique).toHaveLength(3);
    expect(unique.map((j) => j.id)).toEqual([...new Set(jobs.map((j) => j.id))].sort());
  });

  it('reports every failed job with its error and attempts', () => {
    const ok = requireResults([{ id: 'a', kind: 'k', ok: true, result: 1 }]);
    expect(ok.get('a')).toBe(1);
    const failing = () =>
      requireResults([
        { id: 'a', kind: 'k', ok: true, result: 1 },
        { id: 'b', kind: 'k', ok: false, error: 'boom', attempts: 3 },
      ]);
    expect(failing).toThrow(UserError);
    expect(failing).toThrow(/1 of 2 jobs failed:\n {2}b \(3 attempts\): boom/);
  });

  it('parses redis://host:port[/db] and refuses anything else', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6380')).toEqual({ url: 'redis://127.0.0.1:6380', host: '127.0.0.1', port: 6380, db: 0 });
    expect(parseQueueUrl('redis://queue.lan/2')).toMatchObject({ host: 'queue.lan', port: 6379, db: 2 });
    expect(() => parseQueueUrl('127.0.0.1:6379')).toThrow(/not a redis:\/\/ URL|not a URL/);
    expect(() => parseQueueUrl('http://h:1')).toThrow(/not a redis:\/\/ URL/);
    expect(() => parseQueueUrl('redis://u:p@h:1')).toThrow(/no user, password/);
    expect(() => parseQueueUrl('redis://h:1/x')).toThrow(/must be a number/);
  });
});
