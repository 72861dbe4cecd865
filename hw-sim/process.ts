// A child process for a session (QEMU, the host harness): spawned with execa (argument array,
// a lifetime timeout) under the process guard (guard/guard.c: its whole process group dies with
// edgeprune, SIGKILL included), its stderr kept for error messages, and a kill that waits until
// the process is really gone.

import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';
import { missingTool, type Tool } from './build/tools.js';
import { ENOENT, errnoName, guardExecutable, parseGuardReport, type GuardedStdio } from './guard/guard.js';
import { startJanitor } from './guard/janitor.js';
import { hasProc, procStat } from '../src/util/proc-stat.js';

export interface ChildExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
}

export interface Child {
  /** The program's own pid (not its guard's). */
  readonly pid: number;
  /** Subscribe to stdout (what came before the first subscriber is replayed to it); returns the unsubscribe. */
  onStdout(listener: (chunk: string) => void): () => void;
  readonly stdin: NodeJS.WritableStream | null;
  /** Resolves when the process has ended, however it ended. */
  readonly exited: Promise<ChildExit>;
  /** The last few KB of stderr. */
  stderrTail(): string;
  /** Whether the program has ended (or is a zombie), even if its end is not reported yet. */
  hasEnded(): boolean;
  /** Kill the program's whole process group and wait for the end (no-op when already ended). */
  kill(): Promise<ChildExit>;
}

/** What a guarded process resolves with (execa's result, the fields used here). */
export interface GuardedResult {
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  stdout: unknown;
  stderr: unknown;
  /** stdio[3]: what the guard reported ("started <pid>" or "exec-failed <errno>"). */
  stdio: unknown[];
  shortMessage?: string;
}

/** A running guarded process (execa's subprocess, the fields used here). */
export interface GuardedProcess extends Promise<GuardedResult> {
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly stdio: (Readable | Writable | null | undefined)[];
  kill(signal?: NodeJS.Signals): boolean;
}

/**
 * Start `command args` under the guard; the guard is asked to end (SIGTERM: it SIGKILLs the
 * group) on timeouts and kills. Shared by spawnChild and tools.ts's runTool. The first spawn also
 * starts the janitor, which removes the temporary folders if edgeprune is killed.
 */
export async function spawnGuarded(
  command: string,
  args: string[],
  opts: { stdin: 'pipe' | 'ignore'; buffer: boolean; timeoutMs: number; cwd?: string; maxBuffer?: number },
): Promise<{ subprocess: GuardedProcess }> {
  const [guard] = await Promise.all([guardExecutable(), startJanitor()]);
  const stdio: GuardedStdio = [opts.stdin, 'pipe', 'pipe', 'pipe'];
  const subprocess = execa(guard, [command, ...args], {
    stdio,
    cwd: opts.cwd,
    buffer: opts.buffer,
    maxBuffer: opts.maxBuffer,
    reject: false,
    timeout: opts.timeoutMs,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: 5_000,
    // The guard ends the child when this process ends; execa's cleanup would add signal handlers
    // that wait for the event loop (a busy one delays Ctrl-C by many seconds).
    cleanup: false,
    encoding: 'utf8',
  }) as unknown as GuardedProcess;
  return { subprocess }; // wrapped: awaiting the subprocess itself would wait for its end
}

export async function spawnChild(tool: Tool, args: string[], opts: { lifetimeMs: number; stdin: boolean }): Promise<Child> {
  const { subprocess } = await spawnGuarded(tool.command, args, { stdin: opts.stdin ? 'pipe' : 'ignore', buffer: false, timeoutMs: opts.lifetimeMs });
  let stderr = '';
  subprocess.stderr?.on('data', (chunk: Buffer | string) => {
    stderr = (stderr + chunk.toString()).slice(-8192);
  });
  // stdout flows from the start: keep what arrives before anyone listens.
  const early: string[] = [];
  const listeners = new Set<(chunk: string) => void>();
  subprocess.stdout?.on('data', (chunk: Buffer | string) => {
    const text = chunk.toString();
    if (listeners.size === 0) early.push(text);
    for (const l of [...listeners]) l(text);
  });
  const onStdout = (listener: (chunk: string) => void): (() => void) => {
    listeners.add(listener);
    for (const text of early.splice(0)) listener(text);
    return () => listeners.delete(listener);
  };
  subprocess.stdin?.on('error', () => {
    // EPIPE after the child exited: the exit is reported through `exited`
  });
  const exited: Promise<ChildExit> = subprocess.then((r) => ({
    exitCode: r.exitCode ?? null,
    signal: r.signal ?? null,
    timedOut: r.timedOut,
  }));

  // The guard says "started <pid>" once the program runs, or "exec-failed <errno>".
  const report = await new Promise<ReturnType<typeof parseGuardReport> | ChildExit>((resolve) => {
    let text = '';
    const watch = subprocess.stdio[3] as Readable | undefined;
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const r = parseGuardReport(text);
      if (r) {
        watch?.off('data', onData);
        resolve(r);
      }
    };
    watch?.on('data', onData);
    void exited.then((e) => resolve(parseGuardReport(text) ?? e));
  });
  if (report && 'execFailed' in report) {
    await exited;
    if (report.execFailed === ENOENT) throw missingTool(tool);
    throw new Error(`'${tool.command}' could not start (${errnoName(report.execFailed)})`);
  }
  if (!report || !('started' in report)) {
    const e = (report as ChildExit | null) ?? (await exited);
    throw new Error(`'${tool.command}' could not start (its guard ${describeExit(e)}${stderr ? `: ${stderr.trim()}` : ''})`);
  }
  return {
    pid: report.started,
    onStdout,
    stdin: subprocess.stdin ?? null,
    exited,
    stderrTail: () => stderr.trim(),
    hasEnded: () => processEnded(report.started),
    kill: async () => {
      subprocess.kill('SIGTERM');
      return exited;
    },
  };
}

 /** Whether process `pid` has ended: gone from /proc, or a zombie (a signal-0 probe without /proc). */
export function processEnded(pid: number): boolean {
  const stat = procStat(pid);
  if (stat) return stat.state === 'Z' || stat.state === 'X';
  if (hasProc()) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** "exited with code 3" / "was killed by SIGKILL" / "timed out". */
export function describeExit(e: ChildExit): string {
  if (e.timedOut) return 'ran past its lifetime timeout and was killed';
  if (e.signal) return `was killed by ${e.signal}`;
  return `exited with code ${e.exitCode}`;
}
