// Temporary folders that never outlive the command: created under os.tmpdir() with the owner's
// pid and start time in the name, removed on normal exit, removed by the janitor process once a
// signal ended edgeprune (hw-sim/guard/janitor.c, told of each path through observeTempPaths), and
// swept at the next start when even that failed (sweepStaleTempDirs: owner dead).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { hasProc, procStat } from './proc-stat.js';

const PREFIX = 'edgeprune-';
/** edgeprune-<pid>-<start>-<label>-XXXXXX */
const OWNED = /^edgeprune-(\d+)-(\d+)-/;

let ownStart: string | null = null;

/** The start time of process `pid` in clock ticks since boot; null when unknown or ended. */
function processStart(pid: number): { start: string; zombie: boolean } | null {
  const stat = procStat(pid);
  return stat && { start: stat.startTicks, zombie: stat.state === 'Z' || stat.state === 'X' };
}

/** "<pid>-<start>": who owns a temporary path, in its name. */
export function ownerTag(): string {
  ownStart ??= processStart(process.pid)?.start ?? '0';
  return `${process.pid}-${ownStart}`;
}

/**
 * Whether the process that made a path tagged (pid, start) still runs. Without /proc, a signal-0
 * probe; a start of '0' means unknown (only the pid is compared).
 */
export function ownerAlive(pid: number, start: string): boolean {
  if (pid === process.pid && (start === '0' || start === ownerTag().split('-')[1])) return true;
  if (hasProc()) {
    const info = processStart(pid);
    if (!info || info.zombie) return false;
    return start === '0' || info.start === start;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const live = new Set<string>();
let exitHookInstalled = false;

/** Who else must know the live temporary paths: the janitor that removes them after a kill. */
export interface TempPathObserver {
  added(p: string): void;
  removed(p: string): void;
}

let observer: TempPathObserver | null = null;

/** Tell `o` of every live temporary path, now and from now on. */
export function observeTempPaths(o: TempPathObserver): void {
  observer = o;
  for (const p of live) o.added(p);
}

function track(p: string): void {
  installExitHook();
  live.add(p);
  observer?.added(p);
}

function untrack(p: string): void {
  if (live.delete(p)) observer?.removed(p);
}

function removeAll(): void {
  for (const dir of live) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
  live.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', removeAll);
}

let swept = false;

/**
 * A new folder under os.tmpdir(), removed when the process ends (normally or by SIGINT/SIGTERM)
 * unless `keep` (then its name carries no owner, and no sweep removes it).
 */
export function makeTempDir(label: string, options: { keep?: boolean } = {}): string {
  if (!swept) {
    swept = true;
    sweepStaleTempDirs();
  }
  const safe = label.replace(/[^A-Za-z0-9_.-]/g, '_');
  const prefix = options.keep ? `${PREFIX}kept-${safe}-` : `${PREFIX}${ownerTag()}-${safe}-`;
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`cannot create a temporary folder in ${os.tmpdir()} (${err.code ?? err.message})`, 'set TMPDIR to a writable folder with free space');
  }
  if (!options.keep) track(dir);
  return dir;
}

/** Remove `p` (a staging folder beside an output, say) if the process ends or is interrupted before untrackTempPath. */
export function trackTempPath(p: string): void {
  track(p);
}

export function untrackTempPath(p: string): void {
  untrack(p);
}

/** Remove a folder from makeTempDir now. */
export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  untrack(dir);
}

/**
 * Remove the entries of `folder` whose name matches `pattern` (group 1: the owner's pid, group 2 when present: its
 * start time) and whose owner has ended, when `removable` agrees; returns what was removed. Errors are ignored: an
 * entry gone meanwhile, or not ours to remove.
 */
export function sweepDeadOwners(folder: string, pattern: RegExp, removable: (stat: fs.Stats) => boolean = () => true): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || ownerAlive(Number(m[1]), m[2] ?? '0')) continue;
    const entry = path.join(folder, name);
    try {
      if (!removable(fs.lstatSync(entry))) continue;
      fs.rmSync(entry, { recursive: true, force: true });
      removed.push(entry);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}

/** Remove the temporary folders (of this user) whose owner process has ended; returns them. */
export function sweepStaleTempDirs(root = os.tmpdir()): string[] {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  return sweepDeadOwners(root, OWNED, (st) => st.isDirectory() && (uid === null || st.uid === uid));
}
