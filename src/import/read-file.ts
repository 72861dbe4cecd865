// Reading the files a model names, safely: regular files within the size limit (src/util/regular-file.ts), and, for
// files a model refers to (external data, TF.js weight shards), only inside the model's own folder.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { countText, limits } from '../ir/limits.js';
import { fsReason, openRegular, readRange, readRegularFile as readSafely } from '../util/regular-file.js';

/** The whole content of a regular file, refused past `maxBytes` (default: the file-size limit of src/ir/limits.ts). */
export function readRegularFile(file: string, what: string, maxBytes = limits().maxFileBytes): Buffer {
  return readSafely(file, what, maxBytes);
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
    throw new UserError(`${named}: cannot read the model's folder '${folder}': ${fsReason(e)}`);
  }
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(realFolder, location));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`${named} is missing next to the model (in '${folder}')`);
    throw new UserError(`cannot read ${named}: ${fsReason(e)}`);
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
