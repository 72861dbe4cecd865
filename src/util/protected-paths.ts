// Folders an output must never replace, whatever --force says: the file system root, the home
// folder, the current folder and its parents, a repository (a folder with .git), and any folder
// holding one of the command's inputs (compared by real path, symbolic links resolved).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** `inner` is `outer` or inside it. */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);
}

/** Throw a UserError when the existing folder `dir` must not be replaced by an output. */
export function refuseProtectedOutput(dir: string, inputs: readonly string[]): void {
  const real = realOrResolved(dir);
  const choose = 'choose a new folder for --out (e.g. a subfolder such as ./edgeprune-out)';
  const refuse = (why: string): never => {
    throw new UserError(`--out '${dir}' ${why}: edgeprune replaces the whole --out folder`, choose);
  };
  if (real === path.parse(real).root) refuse('is the root of the file system');
  if (real === realOrResolved(os.homedir())) refuse('is your home folder');
  if (within(realOrResolved(process.cwd()), real)) refuse(real === realOrResolved(process.cwd()) ? 'is the current folder' : 'holds the current folder');
  for (const input of inputs) {
    if (fs.existsSync(input) && within(realOrResolved(input), real)) refuse(`holds the input '${input}'`);
  }
  if (fs.existsSync(path.join(dir, '.git'))) refuse('is a repository (it has .git)');
}
