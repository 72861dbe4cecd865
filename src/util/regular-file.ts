// Reading a file safely, whatever the path names: regular files only (a FIFO would block forever, a device
// never end), opened without blocking and checked on the open descriptor, within a size limit; errors in words.

import fs from 'node:fs';
import { UserError } from '../errors.js';

const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;

/** Why a file-system call failed, in words (from the errno code). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'it does not exist';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a folder, not a file';
    case 'ENOTDIR': return 'a part of the path is a file, not a folder';
    case 'ELOOP': return 'it is a symbolic link, or a loop of them';
    case 'ENAMETOOLONG': return 'the path is too long';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    case 'EIO': return 'an input/output error';
    default: return code ? `error ${code}` : (e instanceof Error ? e.message : String(e));
  }
}

/** An open regular file and its size. Close it with fs.closeSync(fd). */
export interface OpenFile {
  fd: number;
  size: number;
}

/**
 * Open `file` for reading without blocking and check with fstat that what was opened is a regular file.
 * `what` names the file in errors ("model file 'a.onnx'"); `noFollow` refuses a symbolic link.
 */
export function openRegular(file: string, what: string, noFollow = false): OpenFile {
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NONBLOCK | (noFollow ? O_NOFOLLOW : 0));
  } catch (e) {
    throw new UserError(`cannot read ${what}: ${fsReason(e)}`);
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

/** Exactly `length` bytes at `offset` of an open file, in a fresh buffer. */
export function readRange(f: OpenFile, offset: number, length: number, what: string): Buffer {
  const out = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = fs.readSync(f.fd, out, done, length - done, offset + done);
    } catch (e) {
      throw new UserError(`cannot read ${what}: ${fsReason(e)}`);
    }
    if (n === 0) throw new UserError(`${what} ended after ${done} of ${length} bytes (it changed while being read)`);
    done += n;
  }
  return out;
}

/** The whole content of the regular file `file`, refused past `maxBytes`. */
export function readRegularFile(file: string, what: string, maxBytes: number, hint = 'use a smaller file'): Buffer {
  const f = openRegular(file, what);
  try {
    if (f.size > maxBytes) throw new UserError(`${what} has ${f.size.toLocaleString('en-US')} bytes, more than the limit of ${maxBytes.toLocaleString('en-US')} bytes`, hint);
    return readRange(f, 0, f.size, what);
  } finally {
    fs.closeSync(f.fd);
  }
}
