// Whether an output path can be written at all (a file in the way, a folder without write
// permission, a read-only file system), checked before any work, and the user-facing error for a
// write that failed anyway (permissions, disk full).

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/** The nearest path at or above `p` that exists. */
function nearestExisting(p: string): string {
  let at = path.resolve(p);
  while (!fs.existsSync(at)) {
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  return at;
}

/**
 * Refuse an output path (`out`, a file or folder to create or replace) that cannot be written:
 * one of its parents is a file, or the folder that would hold it is not writable.
 */
export function checkWritableLocation(out: string): void {
  const resolved = path.resolve(out);
  const holder = fs.existsSync(resolved) ? path.dirname(resolved) : nearestExisting(path.dirname(resolved));
  if (!fs.statSync(holder).isDirectory()) {
    throw new UserError(`cannot write '${out}': '${holder}' is a file, not a folder`, 'choose an output path whose parents are folders');
  }
  try {
    fs.accessSync(holder, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'it is on a read-only file system' : 'permission denied';
    throw new UserError(`cannot write '${out}': '${holder}' is not writable (${why})`, 'choose an output folder you can write to');
  }
}

/** Refuse an output file path that cannot be written (checkWritableLocation) or names a folder. */
export function checkOutputFile(file: string): void {
  checkWritableLocation(file);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UserError(`cannot write '${file}': it is a folder`, 'give a file name');
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder is in the way',
  EEXIST: 'something is in the way',
  ENOTEMPTY: 'something is in the way',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links in the path',
  EMFILE: 'too many open files',
  EIO: 'an I/O error',
};

/** A failed write of `out` as a UserError naming the cause, when it is the environment's; other errors unchanged. */
export function outputError(out: string, e: unknown): unknown {
  if (e instanceof UserError) return e;
  const err = e as NodeJS.ErrnoException;
  const reason = err && typeof err.code === 'string' ? REASONS[err.code] : undefined;
  if (!reason) return e;
  const where = err.path ? ` at '${err.path}'` : '';
  // Space is the user's to free only when it ran out; a permission or a path in the way calls for another output.
  const full = err.code === 'ENOSPC' || err.code === 'EDQUOT';
  return new UserError(`cannot write '${out}': ${reason} (${err.code}${where})`, full ? 'free some space or choose an output on another disk, then run the command again' : 'choose an output you can write to, then run the command again');
}
