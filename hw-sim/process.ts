// A child process for a session (QEMU, the host harness): spawned with execa (argument array,
// a lifetime timeout, killed with the parent), its stderr kept for error messages, and a kill
// that waits until the process is really gone.

import { execa, type ResultPromise } from 'execa';
import { missingTool, type Tool } from './build/tools.js';

export interface ChildExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
}

export interface Child {
  readonly pid: number;
  readonly stdout: NodeJS.ReadableStream;
  readonly stdin: NodeJS.WritableStream | null;
  /** Resolves when the process has ended, however it ended. */
  readonly exited: Promise<ChildExit>;
  /** The last few KB of stderr. */
  stderrTail(): string;
  /** SIGKILL and wait for the end (no-op when already ended). */
  kill(): Promise<ChildExit>;
}

export async function spawnChild(tool: Tool, args: string[], opts: { lifetimeMs: number; stdin: boolean }): Promise<Child> {
  const subprocess: ResultPromise = execa(tool.command, args, {
    stdin: opts.stdin ? 'pipe' : 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    timeout: opts.lifetimeMs,
    killSignal: 'SIGKILL',
    cleanup: true,
  });
  let stderr = '';
  subprocess.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8192);
  });
  subprocess.stdin?.on('error', () => {
    // EPIPE after the child exited: the exit is reported through `exited`
  });
  const rawExit: Promise<ChildExit & { code?: string }> = subprocess.then((r) => ({
    exitCode: r.exitCode ?? null,
    signal: r.signal ?? null,
    timedOut: r.timedOut,
    code: r.code,
  }));
  const exited: Promise<ChildExit> = rawExit.then(({ exitCode, signal, timedOut }) => ({ exitCode, signal, timedOut }));

  // Wait for the spawn to succeed or fail (a missing program fails asynchronously).
  const spawned = await Promise.race([new Promise<'spawned'>((resolve) => subprocess.once('spawn', () => resolve('spawned'))), rawExit]);
  if (spawned !== 'spawned') {
    if (spawned.code === 'ENOENT') throw missingTool(tool);
    throw new Error(`'${tool.command}' could not start (${spawned.code ?? `exit code ${spawned.exitCode}`})`);
  }
  return {
    pid: subprocess.pid!,
    stdout: subprocess.stdout!,
    stdin: subprocess.stdin ?? null,
    exited,
    stderrTail: () => stderr.trim(),
    kill: async () => {
      subprocess.kill('SIGKILL');
      return exited;
    },
  };
}

/** "exited with code 3" / "was killed by SIGKILL" / "timed out". */
export function describeExit(e: ChildExit): string {
  if (e.timedOut) return 'ran past its lifetime timeout and was killed';
  if (e.signal) return `was killed by ${e.signal}`;
  return `exited with code ${e.exitCode}`;
}
