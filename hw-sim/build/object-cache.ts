// A cache of the harness's compiled objects: harness.c, startup.c, the platform and UART drivers are the same source
// in every firmware of a target, so each firmware build compiled them again (4 of its 6 compiler runs). An object is
// kept under ~/.cache/edgeprune/objects, keyed by everything that decides its bytes: the compiler (its resolved path,
// size and modification time), the whole argument list but the object's name, the source's path and bytes, and every
// header the harness includes. Only sources whose includes are all in FIRMWARE_DIR (and the compiler's own) may use it.
// A model library's sources (generated into a new folder by every compile) are keyed by their bytes and their folder's
// headers instead of their path, so the same library compiled again, in any folder, is a lookup (libraryObjectKey).
// The folder is kept under MAX_OBJECTS objects and MAX_BYTES, checked at most once an hour: the least recently used go first.

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
export function compilerIdentity(command: string): string | null {
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

/** A quoted #include of a file beside the source (`#include "model.h"`), or a system one (`#include <math.h>`). */
const PLAIN_INCLUDE = /^\s*#\s*include\s*(?:"([A-Za-z0-9_.-]+)"|<[^>]+>)\s*(?:\/\/.*|\/\*.*\*\/\s*)?$/;

/**
 * The key of a model library's `source` (a .c file of `dir`) compiled with `flags`, by its bytes and those of every
 * header in `dir`, not by its path: null when the compiler cannot be found, or when the source or one of those headers
 * may include a file the key does not hold (an #include of a path or a macro, or of a name not in `dir`). The flags must
 * not name a folder of headers (-I): the caller gives none. The object's bytes do not depend on the source's folder
 * (no -g, no __FILE__ in the library) but for its STT_FILE symbol, which is not linked into the program's sections.
 */
export function libraryObjectKey(command: string, flags: string[], source: string, dir: string): string | null {
  const compiler = compilerIdentity(command);
  if (!compiler) return null;
  const headers = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.h')).map((e) => e.name).sort();
  const known = new Set(headers);
  const hash = crypto.createHash('sha256').update('library\0').update(compiler).update('\0').update(flags.join('\0')).update('\0');
  for (const file of [source, ...headers.map((h) => path.join(dir, h))]) {
    const bytes = fs.readFileSync(file);
    for (const line of bytes.toString('latin1').split('\n')) {
      if (!/^\s*#\s*include/.test(line)) continue;
      const m = PLAIN_INCLUDE.exec(line);
      if (!m || (m[1] !== undefined && !known.has(m[1]))) return null;
    }
    hash.update(path.basename(file)).update('\0').update(bytes).update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

function cachedObjectPath(key: string): string {
  return path.join(guardCacheDir(), 'objects', `${key}.o`);
}

/** Copy the cached object of `key` to `object`: whether it was there. */
export function restoreCachedObject(key: string, object: string): boolean {
  try {
    const cached = cachedObjectPath(key);
    fs.copyFileSync(cached, object);
    touch(cached); // used: the last to go when the folder is pruned
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
  if (pruneDue(path.dirname(target))) pruneObjectCache(path.dirname(target));
}

/** How often the cache's limits are checked: a check stats every object (about 25 ms at 2,000). */
export const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const PRUNE_STAMP = '.last-pruned';

/**
 * Whether the cache in `dir` is due for a check of its limits (none in the last PRUNE_INTERVAL_MS): when it is, the
 * stamp is renewed first, so that concurrent builds leave the check to one of them. One stat per stored object.
 */
export function pruneDue(dir: string, now = Date.now()): boolean {
  const stamp = path.join(dir, PRUNE_STAMP);
  const last = fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs;
  if (last !== undefined && now - last < PRUNE_INTERVAL_MS) return false;
  try {
    fs.writeFileSync(stamp, '');
    fs.utimesSync(stamp, now / 1000, now / 1000);
  } catch {
    return false; // the folder went away or is not ours to write: no check
  }
  return true;
}

/** Most objects the cache keeps, and most bytes: past either, the least recently used objects are removed. */
export const MAX_OBJECTS = 4000;
export const MAX_BYTES = 256 * 1024 * 1024;

/**
 * Remove the least recently used objects of `dir` (by modification time: a lookup touches its object) until at most
 * three quarters of MAX_OBJECTS and of MAX_BYTES remain, when either is passed (storeCachedObject asks at most once
 * per PRUNE_INTERVAL_MS: pruneDue). An object removed under a concurrent lookup costs that build a compile:
 * restoreCachedObject then reports a miss.
 */
export function pruneObjectCache(dir: string, limits = { objects: MAX_OBJECTS, bytes: MAX_BYTES }): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.o'));
  } catch {
    return;
  }
  const entries = names.flatMap((n) => {
    const file = path.join(dir, n);
    const stat = fs.statSync(file, { throwIfNoEntry: false }); // gone: removed by a concurrent prune
    return stat ? [{ file, size: stat.size, mtimeMs: stat.mtimeMs }] : [];
  });
  let count = entries.length;
  let bytes = entries.reduce((sum, e) => sum + e.size, 0);
  if (count <= limits.objects && bytes <= limits.bytes) return;
  entries.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.file < b.file ? -1 : 1));
  for (const e of entries) {
    if (count <= (limits.objects * 3) / 4 && bytes <= (limits.bytes * 3) / 4) break;
    fs.rmSync(e.file, { force: true });
    count--;
    bytes -= e.size;
  }
}

function touch(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // a cache of another user's: the object is still good
  }
}
