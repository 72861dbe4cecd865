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

/** Which of `candidates` is `pid` or an ancestor of it (Linux /proc), or undefined. */
export function ancestorAmong(pid: number, candidates: number[]): number | undefined {
  for (let p = pid; p > 1; ) {
    if (candidates.includes(p)) return p;
    const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    // The command name (field 2, in parentheses) may hold spaces: the parent pid is the second field after it.
    p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return undefined;
}
