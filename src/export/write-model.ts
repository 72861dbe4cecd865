// Write a model as ONNX (.onnx) or as a TF.js layers model (a folder, or a path ending in model.json), atomically.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { writeOnnx } from '../onnx/export.js';

export type ModelFormat = 'onnx' | 'tfjs';

export function formatOf(out: string): ModelFormat {
  if (out.toLowerCase().endsWith('.onnx')) return 'onnx';
  if (path.basename(out) === 'model.json' || !path.extname(out)) return 'tfjs';
  throw new UserError(`--out '${out}' must end in .onnx (ONNX) or be a folder / model.json (TF.js layers model)`);
}

/** Check before any work that the output can be written. */
export function checkModelOut(out: string, force = false): void {
  formatOf(out);
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir)) throw new UserError(`the folder of --out '${out}' does not exist`);
  const target = formatOf(out) === 'tfjs' && path.basename(out) === 'model.json' ? path.dirname(out) : out;
  if (fs.existsSync(target) && !force && (fs.statSync(target).isFile() || fs.readdirSync(target).length > 0)) {
    throw new UserError(`'${target}' exists`, 'pass --force to replace it, or choose another --out');
  }
}

export async function writeModel(g: Graph, out: string): Promise<string[]> {
  if (formatOf(out) === 'onnx') {
    writeOnnx(g, out);
    return [out];
  }
  const dir = path.basename(out) === 'model.json' ? path.dirname(out) : out;
  const staging = fs.mkdtempSync(path.join(path.dirname(path.resolve(dir)), `.${path.basename(dir)}.tmp-`));
  try {
    const { saveTfjsLayersModel } = await import('../train/index.js');
    await saveTfjsLayersModel(g, staging);
    if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return fs.readdirSync(dir).map((f) => path.join(dir, f));
}
