// A cache of compiled objects: harness.c, startup.c, the platform and UART drivers are the same source in every
// firmware of a target, and the same model library is compiled again by every command that generates it, so a build
// compiled them again and again. An object is kept under ~/.cache/edgeprune/objects, keyed by everything that decides
// its bytes (objectCacheKey): the compiler (its resolved path, size and modification time), the argument list but the
// object's name, the source's bytes, and every header it may include, each by its place and bytes. Places are taken
// from the source's folder or the repository, not from the file system's root, so a library generated into a new
// folder (libraryObjectKey) and the harness of a fresh clone find the objects compiled before.
// The folder is kept under MAX_OBJECTS objects and MAX_BYTES, checked at most once an hour: the least recently used go first.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { guardCacheDir, writableCacheDir } from '../guard/guard.js';
import { PACKAGE_ROOT } from '../../src/util/package-root.js';

const REPO_ROOT = path.resolve(PACKAGE_ROOT);

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
 * A path as a key holds it: a file in the source's folder by its path from there, a file of the repository by its path
 * in it, any other by its absolute path. So a key does not change with the folder a library is generated into or the
 * repository is cloned into (CI clones into a new folder each run), and still tells apart two files of the same bytes
 * that an #include would find at different places.
 */
function keyPath(file: string, sourceDir: string): string {
  const abs = path.resolve(file);
  const inside = (root: string): string | null => {
    const rel = path.relative(root, abs);
    return rel.startsWith('..') || path.isAbsolute(rel) ? null : rel || '.';
  };
  const beside = inside(sourceDir);
  if (beside !== null) return `<source>/${beside}`;
  const inRepo = inside(REPO_ROOT);
  return inRepo !== null ? `<repo>/${inRepo}` : abs;
}

/**
 * A flag as a key holds it: an absolute path of a file (`-include /tmp/x/defs.h`) by that file's bytes, of a folder
 * (`-I <repository>/templates/c/lib`) as keyPath holds it (the headers it gives are in the key by their bytes), any
 * other flag as it is.
 */
function keyFlag(flag: string, sourceDir: string): string {
  if (!path.isAbsolute(flag)) return flag;
  const stat = fs.statSync(flag, { throwIfNoEntry: false });
  if (stat?.isFile()) return `file sha256 ${crypto.createHash('sha256').update(fs.readFileSync(flag)).digest('hex')}`;
  return `folder ${keyPath(flag, sourceDir)}`;
}

/**
 * The key of `source` compiled by `command` with `flags` (everything but `-c <source> -o <object>`), given every file
 * it may include but the compiler's own (`headers`): the compiler, the flags (keyFlag), the source's bytes, and each
 * header's place (keyPath) and bytes. Null when the compiler cannot be found. The source's own path is not in it: the
 * object's bytes do not depend on it (no -g, no __FILE__ in what is compiled here) but for its STT_FILE symbol, which
 * is not in the program's sections, and the files it may include through its folder are among `headers`.
 */
export function objectCacheKey(command: string, flags: string[], source: string, headers: string[]): string | null {
  const compiler = compilerIdentity(command);
  if (!compiler) return null;
  const sourceDir = path.dirname(path.resolve(source));
  const hash = crypto.createHash('sha256').update('object\0').update(compiler).update('\0').update(flags.map((f) => keyFlag(f, sourceDir)).join('\0')).update('\0');
  hash.update(fs.readFileSync(source)).update('\0');
  const placed = headers.map((h) => ({ place: keyPath(h, sourceDir), file: h })).sort((a, b) => (a.place < b.place ? -1 : a.place > b.place ? 1 : 0));
  for (const { place, file } of placed) hash.update(place).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 32);
}

/** A quoted #include of a file beside the source (`#include "model.h"`), or a system one (`#include <math.h>`). */
const PLAIN_INCLUDE = /^\s*#\s*include\s*(?:"([A-Za-z0-9_.-]+)"|<[^>]+>)\s*(?:\/\/.*|\/\*.*\*\/\s*)?$/;

/**
 * The key of a model library's `source` (a .c file of `dir`) compiled with `flags`: objectCacheKey with every header
 * of `dir`, which it holds by name, so the same library generated into another folder has the same key. Null when the
 * compiler cannot be found, or when the source or one of those headers may include a file the key does not hold (an
 * #include of a path or a macro, or of a name not in `dir`). The flags must not name a folder of headers (-I): the
 * caller gives none.
 */
export function libraryObjectKey(command: string, flags: string[], source: string, dir: string): string | null {
  const headers = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.h')).map((e) => path.join(dir, e.name));
  const known = new Set(headers.map((h) => path.basename(h)));
  for (const file of [source, ...headers]) {
    for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
      if (!/^\s*#\s*include/.test(line)) continue;
      const m = PLAIN_INCLUDE.exec(line);
      if (!m || (m[1] !== undefined && !known.has(m[1]))) return null;
    }
  }
  return objectCacheKey(command, flags, source, headers);
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
