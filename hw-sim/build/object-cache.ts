// A cache of the harness's compiled objects: harness.c, startup.c, the platform and UART drivers are the same source
// in every firmware of a target, so each firmware build compiled them again (4 of its 6 compiler runs). An object is
// kept under ~/.cache/edgeprune/objects, keyed by everything that decides its bytes: the compiler (its resolved path,
// size and modification time), the whole argument list but the object's name, the source's path and bytes, and every
// header the harness includes. Only sources whose includes are all in FIRMWARE_DIR (and the compiler's own) may use it.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { guardCacheDir, writableCacheDir } from '../guard/guard.js';

/** Where `command` runs from (a name is looked up on PATH, as the guard's execvp does), or null when not found. */
function resolveCommand(command: string): string | null {
  const candidates = command.includes('/') ? [path.resolve(command)] : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, command));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.realpathSync(c);
    } catch {
      // next
    }
  }
  return null;
}

/** The compiler's identity: null when it cannot be found (then nothing is cached, and compiling reports it). */
function compilerIdentity(command: string): string | null {
  const resolved = resolveCommand(command);
  if (!resolved) return null;
  const s = fs.statSync(resolved);
  return `${resolved}\0${s.size}\0${s.mtimeMs}\0${s.ino}`;
}

/**
 * The key of `source` compiled by `command` with `flags` (everything but `-c <source> -o <object>`), given the files
 * it may include (`headers`): null when the compiler cannot be found.
 */
export function objectCacheKey(command: string, flags: string[], source: string, headers: string[]): string | null {
  const compiler = compilerIdentity(command);
  if (!compiler) return null;
  const hash = crypto.createHash('sha256').update(compiler).update('\0').update(flags.join('\0')).update('\0').update(path.resolve(source)).update('\0');
  for (const file of [source, ...[...headers].sort()]) hash.update(path.basename(file)).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 32);
}

function cachedObjectPath(key: string): string {
  return path.join(guardCacheDir(), 'objects', `${key}.o`);
}

/** Copy the cached object of `key` to `object`: whether it was there. */
export function restoreCachedObject(key: string, object: string): boolean {
  try {
    fs.copyFileSync(cachedObjectPath(key), object);
    return true;
  } catch {
    return false;
  }
}

/** Keep a freshly compiled object (atomically: a concurrent build of the same object wins or loses whole). */
export function storeCachedObject(key: string, object: string): void {
  const target = cachedObjectPath(key);
  if (!writableCacheDir(path.dirname(target))) return; // no writable cache: nothing kept
  const staging = `${target}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.copyFileSync(object, staging);
    fs.renameSync(staging, target);
  } catch {
    fs.rmSync(staging, { force: true }); // a full disk or a vanished folder costs the cache, not the build
  }
}
