// Write a whole output directory atomically: build it beside the target, then swap it into place.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

export interface WriteDirOptions {
  /** Replace an existing directory that has other content. */
  force?: boolean;
}

/** Refuse early (before any work) when `dir` cannot be written as a fresh output directory. */
export function checkOutputDir(dir: string, options: WriteDirOptions = {}): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory()) throw new UserError(`output '${dir}' exists and is not a directory`);
  if (fs.readdirSync(dir).length > 0 && !options.force) {
    throw new UserError(`output directory '${dir}' exists and is not empty`, 'pass --force to replace it, or choose another --out');
  }
}

/** Write `files` (relative path → content) as the directory `dir`; nothing half-written is ever left at `dir`. */
export function writeDirAtomically(dir: string, files: ReadonlyMap<string, string | Uint8Array>, options: WriteDirOptions = {}): void {
  checkOutputDir(dir, options);
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  try {
    for (const [rel, content] of files) {
      const file = path.join(staging, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    let old: string | undefined;
    if (fs.existsSync(dir)) {
      old = `${staging}.old`;
      fs.renameSync(dir, old);
    }
    fs.renameSync(staging, dir);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
