// The marker files the test job kinds (test/fixtures/jobs/test-kinds.mjs) leave when a job starts: which job, on which worker.
import fs from 'node:fs';

/** Every `started-<n>-<pid>` marker in `folder`: job n started in process pid. */
export function startedMarkers(folder: string): { n: number; pid: number }[] {
  return fs
    .readdirSync(folder)
    .map((f) => /^started-(\d+)-(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ n: Number(m[1]), pid: Number(m[2]) }));
}
