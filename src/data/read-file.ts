// Read data files and folders with errors a user can act on: missing, a folder, permission denied, not a regular file, too large.

import fs from 'node:fs';
import { UserError } from '../errors.js';
import { fsReason, readRegularFile } from '../util/regular-file.js';

/** Largest data file read into memory (a CSV after gunzip, a .npy file, a .pb tensor). */
export const MAX_DATA_FILE_BYTES = 1 << 30;

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
  return readRegularFile(file, `${what} '${file}'`, maxBytes, 'use a smaller data set');
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
