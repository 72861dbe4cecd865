// Run one edgeprune command as a child process for the fuzz bench: exit code or signal, wall time, peak memory.

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { repoPath } from '../src/util/package-root.js';

const CHILD = repoPath('dist/bench/fuzz-child.js');

export interface ChildRun {
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  ms: number;
  /** Peak resident memory in MiB, as the child measured it at exit (undefined when it did not exit normally). */
  maxRssMiB?: number;
  /** CPU time (user + system) of the child in ms, likewise. */
  cpuMs?: number;
  /** First line of stderr. */
  stderr: string;
}

/**
 * `edgeprune <args>` with a time limit (the child is killed past it) and a heap cap well above the memory
 * goal, so that a runaway case ends as a crash instead of taking the machine.
 */
export async function runEdgeprune(args: string[], options: { timeoutMs: number; scratch: string }): Promise<ChildRun> {
  const rssFile = path.join(options.scratch, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const r = await execa(process.execPath, ['--max-old-space-size=2048', CHILD, ...args], {
    reject: false,
    timeout: options.timeoutMs,
    killSignal: 'SIGKILL',
    env: { EDGEPRUNE_FUZZ_RSS_FILE: rssFile },
    stdin: 'ignore',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  let maxRssMiB: number | undefined;
  let cpuMs: number | undefined;
  if (fs.existsSync(rssFile)) {
    const usage = JSON.parse(fs.readFileSync(rssFile, 'utf8')) as { maxRSS: number; cpu: number };
    maxRssMiB = usage.maxRSS / 1024;
    cpuMs = usage.cpu / 1000;
    fs.rmSync(rssFile, { force: true });
  }
  return {
    exitCode: r.exitCode,
    signal: r.signal ?? undefined,
    timedOut: Boolean(r.timedOut),
    ms,
    maxRssMiB,
    cpuMs,
    stderr: String(r.stderr).split('\n')[0] ?? '',
  };
}
