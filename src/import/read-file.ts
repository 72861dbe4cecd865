// Reading the files a model names, safely: regular files only (never a FIFO that blocks or a device that never
// ends), within a size limit, and, for files a model refers to, only inside the model's own folder.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { countText, limits } from '../ir/limits.js';

const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;

/** An open regular file and its size. Close it with closeSync(fd). */
interface OpenFile {
  fd: number;
  size: number;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'is not readable (permission denied)';
  if (code === 'ELOOP') return 'is a symbolic link';
  return `cannot be read (${code ?? (e as Error).message})`;
}

/**
 * Open `file` for reading without blocking (a FIFO would wait for a writer forever) and check with fstat
 * that what was opened is a regular file. `what` names the file in errors ("model file 'a.onnx'").
 */
function openRegular(file: string, what: string, noFollow: boolean): OpenFile {
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NONBLOCK | (noFollow ? O_NOFOLLOW : 0));
  } catch (e) {
    throw new UserError(`${what} ${errnoText(e)}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
      throw new UserError(`${what} is ${kind}, not a regular file`);
    }
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** Read exactly `length` bytes at `offset` of an open file into a fresh buffer. */
function readRange(f: OpenFile, offset: number, length: number, what: string): Buffer {
  const out = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(f.fd, out, done, length - done, offset + done);
    if (n === 0) throw new UserError(`${what} ended after ${done} of ${length} bytes (it changed while being read)`);
    done += n;
  }
  return out;
}

/** The whole content of a regular file, refused past `maxBytes` (default: the file-size limit). */
export function readRegularFile(file: string, what: string, maxBytes = limits().maxFileBytes): Buffer {
  const f = openRegular(file, what, false);
  try {
    if (f.size > maxBytes) throw new UserError(`${what} has ${countText(f.size)} bytes, more than the limit of ${countText(maxBytes)} bytes`);
    return readRange(f, 0, f.size, what);
  } finally {
    fs.closeSync(f.fd);
  }
}

/**
 * The real path of `location`, a path relative to `folder` that a model file wrote, when it names a
 * file inside the folder (after following every symbolic link); otherwise a user error
 * `<what> '<location>' <why>` (`what` ends as the caller's sentence needs: "weight shard").
 */
export function resolveInsideFolder(folder: string, location: string, what: string): string {
  const named = `${what} '${location}'`;
  const outside = 'a model may only refer to files inside its own folder';
  if (location === '') throw new UserError(`${named} is not a file name`);
  if (location.includes('\0')) throw new UserError(`${named} contains a NUL character`);
  if (path.isAbsolute(location)) throw new UserError(`${named} is an absolute path; ${outside}`);
  let realFolder: string;
  try {
    realFolder = fs.realpathSync(folder);
  } catch (e) {
    throw new UserError(`${named}: the model's folder '${folder}' ${errnoText(e)}`);
  }
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(realFolder, location));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`${named} is missing next to the model (in '${folder}')`);
    throw new UserError(`${named} ${errnoText(e)}`);
  }
  const rel = path.relative(realFolder, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new UserError(`${named} resolves to '${real}', outside the model's folder '${realFolder}'; ${outside}`);
  }
  return real;
}

/**
 * `length` bytes at `offset` of the file `location` names inside `folder` (see resolveInsideFolder),
 * which must be a regular file long enough. `length` undefined: everything from `offset` to the end.
 */
export function readFileInFolder(folder: string, location: string, offset: number, length: number | undefined, what: string): Buffer {
  const real = resolveInsideFolder(folder, location, what);
  const named = `${what} '${location}'`;
  // The real path has no symbolic link left: O_NOFOLLOW refuses one swapped in since.
  const f = openRegular(real, named, true);
  try {
    if (offset > f.size) throw new UserError(`${named}: offset ${countText(offset)} is past its end (${countText(f.size)} bytes)`);
    const want = length ?? f.size - offset;
    if (offset + want > f.size) {
      throw new UserError(`${named} has ${countText(f.size)} bytes, too few for ${countText(want)} bytes at offset ${countText(offset)}`);
    }
    if (want > limits().maxFileBytes) throw new UserError(`${named}: ${countText(want)} bytes are more than the limit of ${countText(limits().maxFileBytes)} bytes`);
    return readRange(f, offset, want, named);
  } finally {
    fs.closeSync(f.fd);
  }
}
