// The marker files the test job kinds (test/fixtures/jobs/test-kinds.mjs) leave when a job starts: which job, on which worker.
import fs from 'node:fs';
import { procStat } from '../../src/util/proc-stat.js';

/** Every `started-<n>-<pid>` marker in `folder`: job n started in process pid. */
export function startedMarkers(folder: string): { n: number; pid: number }[] {
  return fs
    .readdirSync(folder)
    .map((f) => /^started-(\d+)-(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ n: Number(m[1]), pid: Number(m[2]) }));
}

/** Which of `candidates` is `pid` or an ancestor of it (Linux /proc), or undefined. */
export function ancestorAmong(pid: number, candidates: number[]): number | undefined {
  for (let p = pid; p > 1; ) {
    if (candidates.includes(p)) return p;
    const stat = procStat(p);
    if (!stat) return undefined;
    p = stat.parentPid;
  }
  return undefined;
}
