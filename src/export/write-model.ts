// Write a model as ONNX (.onnx) or as a TF.js layers model (a folder, or a path ending in model.json), atomically.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { writeOnnx } from '../onnx/export.js';
import { checkWritableLocation, outputError } from '../util/output-path.js';
import { sweepDeadOwners, untrackTempPath } from '../util/temp-dir.js';
import { checkOutputDir, makeStagingDir, swapIntoPlace, writeOutputMarker } from '../util/write-dir.js';

export type ModelFormat = 'onnx' | 'tfjs';

export function formatOf(out: string): ModelFormat {
  if (out.toLowerCase().endsWith('.onnx')) return 'onnx';
  if (path.basename(out) === 'model.json' || !path.extname(out)) return 'tfjs';
  throw new UserError(`--out '${out}' must end in .onnx (ONNX) or be a folder / model.json (TF.js layers model)`);
}

/** The folder a TF.js output goes to. */
function tfjsDir(out: string): string {
  return path.basename(out) === 'model.json' ? path.dirname(out) : out;
}

/** Remove `<file>.tmp-<pid>` files (writeOnnx's temporaries) beside `file` whose writer has ended. */
function sweepStaleOnnxTemps(file: string): void {
  const base = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  sweepDeadOwners(path.dirname(path.resolve(file)), new RegExp(`^${base}\\.tmp-(\\d+)$`), (st) => st.isFile());
}

/**
 * Check before any work that the output can be written: its folder exists and is writable; an
 * existing file needs `force`; a TF.js folder follows the output-folder rules (checkOutputDir:
 * only a folder edgeprune wrote is replaced, never one holding `inputs`).
 */
export function checkModelOut(out: string, force = false, inputs: readonly string[] = []): void {
  formatOf(out);
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir)) throw new UserError(`the folder of --out '${out}' does not exist`);
  if (formatOf(out) === 'tfjs') {
    checkOutputDir(tfjsDir(out), { force, inputs: [...inputs] });
    return;
  }
  sweepStaleOnnxTemps(out);
  checkWritableLocation(out);
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new UserError(`--out '${out}' is a folder`, 'give a file name ending in .onnx');
  if (fs.existsSync(out) && !force) throw new UserError(`'${out}' exists`, 'pass --force to replace it, or choose another --out');
}

export async function writeModel(g: Graph, out: string): Promise<string[]> {
  if (formatOf(out) === 'onnx') {
    try {
      writeOnnx(g, out);
    } catch (e) {
      throw outputError(out, e);
    }
    return [out];
  }
  const dir = tfjsDir(out);
  let staging: string | undefined;
  try {
    staging = makeStagingDir(dir);
    const { saveTfjsLayersModel } = await import('../train/index.js');
    await saveTfjsLayersModel(g, staging);
    writeOutputMarker(staging);
    swapIntoPlace(staging, dir);
  } catch (e) {
    if (staging) {
      fs.rmSync(staging, { recursive: true, force: true });
      untrackTempPath(staging);
    }
    throw outputError(dir, e);
  }
  return fs
    .readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .map((f) => path.join(dir, f));
}
