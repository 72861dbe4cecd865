// Evaluate a model on a data set with the reference interpreter: accuracy (top-1/top-k) and loss, or MSE.

import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { runGraph } from '../ir/interpreter.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { describeData, taskOf, type Dataset } from './dataset.js';
import { fitToModel, modelIo } from './fit-model.js';
import { classificationMetrics, countNonFiniteRows, meanSquaredError } from './metrics.js';

export interface EvalResult {
  task: 'classification' | 'regression';
  samples: number;
  /** Top-1 accuracy (classification). */
  accuracy: number | null;
  /** Top-k accuracy; null for a model that outputs a class index (there are no scores to rank). */
  topK: number | null;
  k: number | null;
  /**
   * Cross-entropy (classification) or mean squared error (regression); NaN when an output is not finite, and for a
   * model that outputs a class index (no scores).
   */
  loss: number;
  mse: number | null;
  /** Samples whose outputs hold NaN or ±Infinity: never counted correct. */
  nonFiniteOutputs: number;
}

/** Run every sample through the interpreter (batch = the model's batch size, usually 1). */
export function predictAll(g: Graph, ds: Dataset): Float32Array {
  const fitted = fitToModel(ds, g);
  const io = modelIo(g);
  const input = g.inputs[0];
  const perSample = shapeSize(io.sampleShape);
  const out = new Float32Array(ds.count * io.outputSize);
  for (let start = 0; start < ds.count; start += io.batch) {
    const n = Math.min(io.batch, ds.count - start);
    const x = new Float32Array(io.batch * perSample);
    x.set(fitted.features.subarray(start * perSample, (start + n) * perSample));
    const shape = input.shape.length > 1 ? [io.batch, ...io.sampleShape] : io.sampleShape;
    const y = runGraph(g, { [input.name]: new Tensor('float32', shape, x) }).get(io.output)!;
    if (y.dtype === 'int64' && io.classIndex) {
      for (let i = 0; i < n; i++) out[start + i] = Number(y.at(i));
      continue;
    }
    if (y.dtype !== 'float32') throw new UserError(`the model's output is ${y.dtype}; evaluation needs float32 outputs (or an int64 class index)`);
    out.set((y.data as Float32Array).subarray(0, n * io.outputSize), start * io.outputSize);
  }
  return out;
}

/** The score the pruning search and the build compare (top-1 accuracy, or −MSE for regression) of any graph (int8 included), run by the interpreter. */
export function interpreterScore(g: Graph, ds: Dataset): number {
  const r = evaluateModel(g, ds);
  return taskOf(ds) === 'regression' ? -r.mse! : r.accuracy!;
}

export function evaluateModel(g: Graph, ds: Dataset, k = 5): EvalResult {
  if (ds.count === 0) throw new UserError(`${describeData(ds)} holds no samples to evaluate`);
  const outputs = predictAll(g, ds);
  const io = modelIo(g);
  if (taskOf(ds) === 'regression') {
    const mse = meanSquaredError(outputs, ds.targets!);
    return { task: 'regression', samples: ds.count, accuracy: null, topK: null, k: null, loss: mse, mse, nonFiniteOutputs: countNonFiniteRows(outputs, io.outputSize) };
  }
  if (io.classIndex) {
    let correct = 0;
    for (let i = 0; i < ds.count; i++) if (outputs[i] === ds.labels[i]) correct++;
    return { task: 'classification', samples: ds.count, accuracy: correct / ds.count, topK: null, k: null, loss: NaN, mse: null, nonFiniteOutputs: 0 };
  }
  const m = classificationMetrics(outputs, ds.labels, io.outputSize, Math.min(k, io.outputSize));
  return { task: 'classification', samples: ds.count, accuracy: m.accuracy, topK: m.topK, k: m.k, loss: m.loss, mse: null, nonFiniteOutputs: m.nonFinite };
}
