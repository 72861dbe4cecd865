// The C helpers of hw-sim/guard/, built once with the host gcc into a per-user cache: the guard
// every hw-sim child runs under (`ep-guard <program> args...` with fd 3 a pipe from this process:
// the program's whole process group dies as soon as edgeprune does, SIGKILL included), and the
// janitor (janitor.ts) that removes temporary folders once edgeprune has ended.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../src/errors.js';
import { repoPath } from '../../src/util/package-root.js';
import { makeDirs } from '../../src/util/make-dirs.js';
import { makeTempDir } from '../../src/util/temp-dir.js';

/** The C helpers: the guard every child runs under, and the janitor that removes temporary folders after edgeprune. */
export type Helper = 'guard' | 'janitor';

const CC = 'gcc';
const FLAGS = ['-O2', '-std=gnu11', '-Wall'];

/** stdio of a guarded child: fd 3 is the pipe the guard watches and reports on. */
export type GuardedStdio = [stdin: 'pipe' | 'ignore', stdout: 'pipe', stderr: 'pipe', watch: 'pipe'];

/** Where built helpers are kept: $XDG_CACHE_HOME/edgeprune, else ~/.cache/edgeprune. */
export function guardCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME) ? process.env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'edgeprune');
}

/**
 * Whether a cache folder exists (made if need be) and can be written: without one, builds are kept for the run only.
 * makeDirs, not mkdirSync's recursive mode, which spins for ever under /proc (HOME=/proc/self).
 */
export function writableCacheDir(dir: string): boolean {
  try {
    makeDirs(dir);
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const built = new Map<Helper, Promise<string>>();

/** A helper's executable, built on first use (then found in the cache, keyed by its source's hash). */
export function helperExecutable(helper: Helper): Promise<string> {
  let p = built.get(helper);
  if (!p) {
    p = buildHelper(helper).catch((e: unknown) => {
      built.delete(helper);
      throw e;
    });
    built.set(helper, p);
  }
  return p;
}

/** The guard's executable (guard.c). */
export function guardExecutable(): Promise<string> {
  return helperExecutable('guard');
}

async function buildHelper(helper: Helper): Promise<string> {
  const sourceFile = repoPath('hw-sim', 'guard', `${helper}.c`);
  const source = fs.readFileSync(sourceFile);
  const key = crypto.createHash('sha256').update(source).update(FLAGS.join(' ')).update(process.arch).digest('hex').slice(0, 16);
  const name = `ep-${helper}-${key}`;
  const cached = path.join(guardCacheDir(), name);
  if (isExecutable(cached)) return cached;
  // No writable cache (HOME=/proc/self, a read-only home…): build one for this run only.
  const dir = writableCacheDir(guardCacheDir()) ? guardCacheDir() : makeTempDir(helper);
  const exe = path.join(dir, name);
  const staging = `${exe}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    const r = await execa(CC, [...FLAGS, '-o', staging, sourceFile], { reject: false, timeout: 120_000, stdin: 'ignore' });
    if (r.code === 'ENOENT') {
      throw new UserError(
        `'${CC}' was not found: edgeprune builds its process helpers (hw-sim/guard/*.c) with it before it starts a compiler or an emulator`,
        `install the Debian package gcc (sudo apt-get install -y gcc), or run 'make setup'`,
      );
    }
    if (r.exitCode !== 0) throw new Error(`building hw-sim/guard/${helper}.c with ${CC} failed: ${String(r.stderr).trim().split('\n').slice(0, 5).join(' | ') || r.shortMessage}`);
    fs.renameSync(staging, exe); // atomic: a concurrent build of the same source wins or loses whole
  } finally {
    fs.rmSync(staging, { force: true });
  }
  return exe;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** What the guard reported on fd 3: the program's pid, or why it could not start. */
export type GuardReport = { started: number } | { execFailed: number } | null;

export function parseGuardReport(text: string): GuardReport {
  const started = /^started (\d+)$/m.exec(text);
  if (started) return { started: Number(started[1]) };
  const failed = /^exec-failed (\d+)$/m.exec(text);
  if (failed) return { execFailed: Number(failed[1]) };
  return null;
}

/** errno values the guard may report (os.constants.errno is keyed by name). */
export function errnoName(errno: number): string {
  const entry = Object.entries(os.constants.errno).find(([, v]) => v === errno);
  return entry ? entry[0] : `errno ${errno}`;
}

export const ENOENT = os.constants.errno.ENOENT;
