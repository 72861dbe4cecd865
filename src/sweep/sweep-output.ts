// The sweep's output folder: made (or, with --resume, kept with what finished in it; with --force, emptied) before any
// work, and its reports written through a temporary file and a rename, so a reader never sees half of one.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { makeDirs } from '../util/make-dirs.js';
import { refuseProtectedOutput } from '../util/protected-paths.js';
import { checkOutputDir, OUTPUT_MARKER, writeOutputMarker } from '../util/write-dir.js';

export interface SweepOutputOptions {
  resume?: boolean;
  force?: boolean;
  /** The model and data: an output folder holding one is refused. */
  inputs: string[];
}

/** Refuse, before any work, an output folder the sweep may not use; true when it goes on with an earlier sweep there. */
export function checkSweepOutput(out: string, o: SweepOutputOptions): boolean {
  if (o.resume && o.force) throw new UserError('--resume and --force exclude each other', '--resume goes on with the sweep in --out; --force starts it again from nothing');
  const nonEmpty = fs.existsSync(out) && fs.statSync(out).isDirectory() && fs.readdirSync(out).length > 0;
  if (o.resume && nonEmpty) {
    refuseProtectedOutput(out, o.inputs);
    if (!fs.existsSync(path.join(out, OUTPUT_MARKER))) throw new UserError(`--resume: '${out}' was not written by edgeprune (it has no ${OUTPUT_MARKER} file)`, 'give --resume the --out folder of an earlier sweep');
    return true;
  }
  if (!o.resume && nonEmpty && !o.force) throw new UserError(`output directory '${out}' exists and is not empty`, 'pass --resume to go on with the sweep in it, --force to start it again, or choose another --out');
  checkOutputDir(out, { force: o.force, inputs: o.inputs });
  return false;
}

/** Make the output folder once the sweep's own checks passed: kept (--resume), or new (emptied with --force). */
export function prepareSweepOutput(out: string, o: SweepOutputOptions): void {
  if (checkSweepOutput(out, o)) return;
  if (fs.existsSync(out)) fs.rmSync(out, { recursive: true, force: true });
  makeDirs(out);
  writeOutputMarker(out);
}

/** Write `out/name` through a temporary file beside it and a rename. */
export function writeFileAtomically(out: string, name: string, text: string): void {
  const file = path.join(out, name);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Whether `dir` holds nothing but the marker and empty folders (a sweep that failed before any job's result). */
function holdsNothing(dir: string, top = true): boolean {
  return fs.readdirSync(dir, { withFileTypes: true }).every((e) => (top && e.name === OUTPUT_MARKER && e.isFile()) || (e.isDirectory() && holdsNothing(path.join(dir, e.name), false)));
}

/**
 * After a failure (an unreachable queue, a bad flag found late): remove the --out folder this run made when nothing
 * was kept in it, so that no half-written output is left. A folder that existed before the run is left as it is.
 */
export function removeUnusedOutput(out: string, existedBefore: boolean): void {
  if (existedBefore || !fs.existsSync(out) || !fs.statSync(out).isDirectory()) return;
  if (holdsNothing(out)) fs.rmSync(out, { recursive: true, force: true });
}
