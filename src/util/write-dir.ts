// Write a whole output folder atomically: build it beside the target, then swap it into place.
// `--force` replaces only a folder edgeprune wrote (it holds OUTPUT_MARKER), never one holding an
// input, the current folder or its parents, home, / or a repository; folders get the umask's
// mode; a staging folder that a killed run left beside the output is removed by the next run.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { makeDirs } from './make-dirs.js';
import { checkWritableLocation, outputError } from './output-path.js';
import { refuseProtectedOutput } from './protected-paths.js';
import { ownerTag, sweepDeadOwners, trackTempPath, untrackTempPath } from './temp-dir.js';

/** The file in every folder edgeprune writes: its presence lets `--force` replace the folder. */
export const OUTPUT_MARKER = '.edgeprune-output';

export interface WriteDirOptions {
  /** Replace an existing folder that has other content (only one edgeprune wrote). */
  force?: boolean;
  /** Files or folders the command reads (model, data): an output folder holding one is refused. */
  inputs?: string[];
  /** The command that writes the folder, recorded in the marker (default: this process's command line). */
  command?: string;
}

/** This process's command line as `edgeprune <args>`, for the marker. */
export function commandLine(): string {
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['edgeprune', ...process.argv.slice(2)].map(quote).join(' ');
}

function markerText(command: string): string {
  return `${command}\n# written by edgeprune ${VERSION}; \`--force\` replaces this folder only while this file is in it\n`;
}

/** `.NAME.tmp-<pid>-<start>-<random>` (and its `.old`): the staging names of `dir`. */
function stagingPattern(dir: string): RegExp {
  const base = path.basename(path.resolve(dir)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${base}\\.tmp-(\\d+)-(\\d+)-[0-9a-f]+(\\.old)?$`);
}

/** Remove the staging folders beside `dir` whose writer has ended (a kill during its final write); returns them. */
export function sweepStaleStaging(dir: string): string[] {
  return sweepDeadOwners(path.dirname(path.resolve(dir)), stagingPattern(dir));
}

/** Refuse early (before any work) when `dir` cannot be written, or must not be replaced, as an output folder. */
export function checkOutputDir(dir: string, options: WriteDirOptions = {}): void {
  sweepStaleStaging(dir);
  const exists = fs.existsSync(dir);
  if (exists) {
    if (!fs.statSync(dir).isDirectory()) throw new UserError(`output '${dir}' exists and is not a directory`, 'choose a new folder for --out');
    refuseProtectedOutput(dir, options.inputs ?? []);
  }
  checkWritableLocation(dir);
  if (!exists || fs.readdirSync(dir).length === 0) return;
  if (!options.force) {
    throw new UserError(`output directory '${dir}' exists and is not empty`, 'pass --force to replace it, or choose another --out');
  }
  if (!fs.existsSync(path.join(dir, OUTPUT_MARKER))) {
    throw new UserError(
      `--force replaces only folders edgeprune wrote, and '${dir}' has no ${OUTPUT_MARKER} file`,
      'choose another --out, or empty or remove that folder yourself if nothing in it is needed',
    );
  }
}

/** A new, empty staging folder beside `dir` (mode from the umask), named for the sweep. */
export function makeStagingDir(dir: string): string {
  const parent = path.dirname(path.resolve(dir));
  makeDirs(parent); // not mkdirSync's recursive mode: it spins for ever under /proc
  for (;;) {
    const staging = path.join(parent, `.${path.basename(path.resolve(dir))}.tmp-${ownerTag()}-${crypto.randomBytes(4).toString('hex')}`);
    try {
      fs.mkdirSync(staging); // not mkdtemp: that makes 0700, and the folder becomes the output
      trackTempPath(staging);
      return staging;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Put the marker into a staging folder (see OUTPUT_MARKER). */
export function writeOutputMarker(staging: string, command = commandLine()): void {
  fs.writeFileSync(path.join(staging, OUTPUT_MARKER), markerText(command));
}

/** Swap a finished staging folder into place at `dir` (the old folder, if any, is removed after). */
export function swapIntoPlace(staging: string, dir: string): void {
  let old: string | undefined;
  if (fs.existsSync(dir)) {
    old = `${staging}.old`;
    fs.renameSync(dir, old);
    trackTempPath(old);
  }
  fs.renameSync(staging, dir);
  untrackTempPath(staging);
  if (old) {
    fs.rmSync(old, { recursive: true, force: true });
    untrackTempPath(old);
  }
}

/** Write `files` (relative path → content) as the directory `dir`; nothing half-written is ever left at `dir`. */
export function writeDirAtomically(dir: string, files: ReadonlyMap<string, string | Uint8Array>, options: WriteDirOptions = {}): void {
  checkOutputDir(dir, options);
  let staging: string | undefined;
  try {
    staging = makeStagingDir(dir);
    for (const [rel, content] of files) {
      const file = path.join(staging, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    writeOutputMarker(staging, options.command);
    swapIntoPlace(staging, dir);
  } catch (e) {
    if (staging) {
      fs.rmSync(staging, { recursive: true, force: true });
      untrackTempPath(staging);
    }
    throw outputError(dir, e);
  }
}
