// Match a data set to a model: reshape samples to the model's input, and check labels against its outputs.

import { UserError } from '../errors.js';
import { staticInfo, type Graph } from '../ir/graph.js';
import { shapeSize, shapeToString } from '../ir/tensor.js';
import { describeData, taskOf, withFeatureShape, type Dataset } from './dataset.js';

/**
 * The model's single input and output, with the batch dimension split off. `classIndex`: the output is an int64 class
 * index per sample (a classifier ending in ArgMax), not scores.
 */
export function modelIo(g: Graph): { input: string; sampleShape: number[]; batch: number; output: string; outputSize: number; classIndex: boolean } {
  if (g.inputs.length !== 1 || g.outputs.length !== 1) {
    throw new UserError(`training and evaluation need a model with one input and one output; this one has ${g.inputs.length} and ${g.outputs.length}`);
  }
  const input = staticInfo(g, g.inputs[0].name);
  const output = staticInfo(g, g.outputs[0].name);
  const batch = input.shape.length > 1 ? input.shape[0] : 1;
  return {
    input: input.name,
    sampleShape: input.shape.length > 1 ? input.shape.slice(1) : input.shape,
    batch,
    output: output.name,
    outputSize: shapeSize(output.shape) / (output.shape.length > 1 ? output.shape[0] : 1),
    classIndex: output.dtype === 'int64',
  };
}

/** The data set seen in the model's sample shape; a clear error when features or labels do not fit. */
export function fitToModel(ds: Dataset, g: Graph): Dataset {
  const io = modelIo(g);
  const perSample = shapeSize(ds.featureShape);
  const want = shapeSize(io.sampleShape);
  if (perSample !== want) {
    throw new UserError(`${describeData(ds)} has ${perSample} features per sample (${shapeToString(ds.featureShape)}), but the model's input '${io.input}' takes ${want} per sample (${shapeToString(io.sampleShape)})`);
  }
  if (io.classIndex) {
    if (taskOf(ds) !== 'classification') throw new UserError(`${describeData(ds)} holds regression targets, but the model's output '${io.output}' is a class index (int64, from an ArgMax)`);
    if (io.outputSize !== 1) throw new UserError(`the model's output '${io.output}' holds ${io.outputSize} int64 values per sample; evaluation takes one class index per sample (an ArgMax over the classes)`);
    return withFeatureShape(ds, io.sampleShape);
  }
  if (taskOf(ds) === 'classification' && ds.classes > io.outputSize) {
    throw new UserError(`${describeData(ds)} has labels up to ${ds.classes - 1}, but the model's output '${io.output}' has only ${io.outputSize} classes`);
  }
  if (taskOf(ds) === 'regression' && shapeSize(ds.targetShape ?? []) !== io.outputSize) {
    throw new UserError(`${describeData(ds)} has ${shapeSize(ds.targetShape ?? [])} targets per sample, but the model's output '${io.output}' has ${io.outputSize} values`);
  }
  return withFeatureShape(ds, io.sampleShape);
}
