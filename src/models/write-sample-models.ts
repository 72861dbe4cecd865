// Regenerate the bundled example models in examples/models/ (deterministic: same bytes every run).

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Graph } from '../ir/graph.js';
import { repoPath } from '../util/package-root.js';
import { exportOnnx } from '../onnx/export.js';
import { digitsMlp, mnistLikeCnn, residualCnn } from './sample-models.js';

export const SAMPLE_MODELS: Record<string, () => Graph> = {
  'mnist-like-cnn.onnx': mnistLikeCnn,
  'digits-mlp.onnx': digitsMlp,
  'digits-residual-cnn.onnx': residualCnn,
};

export const EXAMPLE_MODELS_DIR = repoPath('examples/models/');

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  fs.mkdirSync(EXAMPLE_MODELS_DIR, { recursive: true });
  for (const [file, make] of Object.entries(SAMPLE_MODELS)) {
    fs.writeFileSync(`${EXAMPLE_MODELS_DIR}${file}`, exportOnnx(make()));
    console.log(`wrote examples/models/${file}`);
  }
}
