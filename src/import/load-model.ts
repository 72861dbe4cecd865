// Load a model file of any supported format into the IR, choosing the importer by file type.

import path from 'node:path';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { loadOnnx, type LoadOptions } from '../onnx/load-onnx.js';

export type { LoadOptions };

export function loadModel(file: string, options: LoadOptions = {}): Graph {
  if (path.extname(file).toLowerCase() === '.json') {
    throw new UserError(
      `'${file}' looks like a TF.js layers model; importing TF.js models is not implemented yet`,
      'export the model to ONNX (tf2onnx) and pass the .onnx file',
    );
  }
  return loadOnnx(file, options);
}
