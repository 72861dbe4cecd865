// Read data files and folders with errors a user can act on: missing, a folder, permission denied, not a regular file, too large.

import fs from 'node:fs';
import { UserError } from '../errors.js';

/** Largest data file read into memory (a CSV after gunzip, a .npy file, a .pb tensor). */
export const MAX_DATA_FILE_BYTES = 1 << 30;

/** Why a file-system call failed, in words (from the errno code). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'it does not exist';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a folder, not a file';
    case 'ENOTDIR': return 'it is a file, not a folder';
    case 'ELOOP': return 'a loop of symbolic links';
    case 'ENAMETOOLONG': return 'the path is too long';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    case 'EIO': return 'an input/output error';
    default: return code ? `error ${code}` : (e instanceof Error ? e.message : String(e));
  }
}

/** The stat of a path (following symbolic links), or a UserError naming `what`. */
export function statPath(file: string, what: string): fs.Stats {
  try {
    return fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`${what} '${file}' ${fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() ? 'is a broken symbolic link' : 'does not exist'}`);
    }
    throw new UserError(`cannot read ${what} '${file}': ${fsReason(e)}`);
  }
}

/** The bytes of a regular file (no FIFOs or devices, which could block or never end), at most `maxBytes`. */
export function readDataFile(file: string, what: string, maxBytes = MAX_DATA_FILE_BYTES): Buffer {
  const st = statPath(file, what);
  if (st.isDirectory()) throw new UserError(`${what} '${file}' is a folder, not a file`);
  if (!st.isFile()) throw new UserError(`${what} '${file}' is not a regular file (a device, pipe or socket)`, 'give a file');
  if (st.size > maxBytes) throw new UserError(`${what} '${file}' has ${st.size.toLocaleString('en-US')} bytes, more than the ${maxBytes.toLocaleString('en-US')} edgeprune reads`, 'use a smaller data set');
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UserError(`cannot read ${what} '${file}': ${fsReason(e)}`);
  }
}

/** The entry names of a folder, sorted; a UserError naming `what` when it cannot be listed. */
export function listFolder(dir: string, what: string): string[] {
  const st = statPath(dir, what);
  if (!st.isDirectory()) throw new UserError(`${what} '${dir}' is not a folder`);
  try {
    return fs.readdirSync(dir).sort();
  } catch (e) {
    throw new UserError(`cannot read ${what} '${dir}': ${fsReason(e)}`);
  }
}
