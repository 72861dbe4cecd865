// Load a model file of any supported format into the IR: ONNX, or a TF.js layers model (model.json + shards).

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { verifyGraph } from '../ir/verify.js';
import { loadOnnx, type LoadOptions } from '../onnx/load-onnx.js';
import { terminalText } from '../util/escape.js';

export type { LoadOptions };

/** A TF.js layers model: a model.json, or a folder holding one. */
export function tfjsModelJson(file: string): string | undefined {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    const json = path.join(file, 'model.json');
    return fs.existsSync(json) ? json : undefined;
  }
  return path.extname(file).toLowerCase() === '.json' ? file : undefined;
}

/** A short name for reports: the file name without extension, or the folder of a TF.js model.json. */
export function modelDisplayName(file: string): string {
  const json = tfjsModelJson(file);
  if (json && path.basename(json) === 'model.json') return path.basename(path.dirname(path.resolve(json)));
  return path.basename(file, path.extname(file));
}

/** Notices go to stderr, one line each, so that a command's stdout stays its output (--json). */
function noticeOnStderr(text: string): void {
  process.stderr.write(`edgeprune: notice: ${terminalText(text, 2000)}\n`);
}

export async function loadModel(file: string, options: LoadOptions = {}): Promise<Graph> {
  const json = tfjsModelJson(file);
  if (json) {
    if (!fs.existsSync(json)) throw new UserError(`model file '${json}' does not exist`);
    // TF.js is loaded only when a TF.js model is read (it takes a good half second).
    const { loadTfjsLayersModel } = await import('../train/index.js');
    const g = await loadTfjsLayersModel(json);
    verifyGraph(g);
    return g;
  }
  // A quantized ONNX model (QDQ, QLinear or integer ops) runs as edgeprune's int8 ops in every command, the semantics
  // the C kernels reproduce (src/passes/convert-quantized-onnx.ts); loadOnnx itself keeps the standard ops.
  return loadOnnx(file, { int8Ops: true, ...options, onNotice: options.onNotice ?? noticeOnStderr });
}
