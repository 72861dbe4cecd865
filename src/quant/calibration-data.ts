// Calibration inputs from a data set: the first samples, shaped like the model's input (one batch of the model's size per feed).

import { UserError } from '../errors.js';
import { describeData, type Dataset } from '../data/dataset.js';
import { fitToModel, modelIo } from '../data/fit-model.js';
import type { Graph } from '../ir/graph.js';
import { shapeSize, Tensor } from '../ir/tensor.js';

/** The default number of calibration samples. */
export const DEFAULT_CALIBRATION_SAMPLES = 500;

/**
 * Feeds of the first `samples` samples of `ds` (all of them when fewer). A data set whose samples do not
 * fit the model's input is refused with both shapes (fitToModel); an empty one is refused.
 */
export function calibrationInputs(g: Graph, ds: Dataset, samples = DEFAULT_CALIBRATION_SAMPLES): Record<string, Tensor>[] {
  if (ds.count === 0) throw new UserError(`${describeData(ds)} holds no samples to calibrate with`, 'give calibration data with at least one sample');
  const fitted = fitToModel(ds, g);
  const io = modelIo(g);
  const input = g.inputs[0];
  const per = shapeSize(io.sampleShape);
  const count = Math.min(samples, fitted.count);
  if (count < io.batch) throw new UserError(`${describeData(ds)} has ${count} samples to calibrate with, fewer than the model's batch of ${io.batch}`);
  const feeds: Record<string, Tensor>[] = [];
  for (let start = 0; start + io.batch <= count; start += io.batch) {
    const x = fitted.features.slice(start * per, (start + io.batch) * per);
    feeds.push({ [input.name]: new Tensor('float32', input.shape as number[], x) });
  }
  return feeds;
}
