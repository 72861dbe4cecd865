// Verification vectors from a data set: each sample in the model's input shape, one vector per sample, with its label.

import { describeData, sampleTensors, taskOf, type Dataset } from '../data/dataset.js';
import { fitToModel } from '../data/fit-model.js';
import { UserError } from '../errors.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { shapeSize, shapeToString } from '../ir/tensor.js';
import type { VectorSet } from './vectors.js';

/** The first `count` samples of `ds` (all without a count) as vectors; class labels when the data set has them. */
export function datasetVectors(g: Graph, ds: Dataset, count?: number): VectorSet {
  if (g.inputs.length !== 1) throw new UserError(`a data set feeds one input; the model has ${g.inputs.length}`, 'give a folder of ONNX test data (test_data_set_*/input_<k>.pb) or no --data');
  const input = staticInfo(g, g.inputs[0].name);
  if (input.shape.length > 1 && input.shape[0] !== 1) {
    throw new UserError(`the model's input '${input.name}' takes a batch of ${input.shape[0]} samples; verify runs one sample per vector`, 'fix the batch to 1 with --input-shape');
  }
  const fitted = g.outputs.length === 1 ? fitToModel(ds, g) : ds;
  if (shapeSize(fitted.featureShape) !== shapeSize(input.shape)) {
    throw new UserError(`${describeData(ds)} has ${shapeSize(ds.featureShape)} features per sample, but the model's input '${input.name}' takes ${shapeSize(input.shape)} (${shapeToString(input.shape)})`);
  }
  const n = Math.min(count ?? Infinity, fitted.count);
  const indices = Array.from({ length: n }, (_, i) => i);
  const inputs = sampleTensors(fitted, indices, input.shape).map((t) => [t]);
  const labels = taskOf(fitted) === 'classification' ? Array.from(fitted.labels.subarray(0, n)) : undefined;
  const of = fitted.count === n ? 'every sample' : `${n} of the ${fitted.count} samples`;
  return { inputs, labels, source: `${of} of ${describeData(fitted)}` };
}
