// --precision, --calibration-data and --dense-weights of compile and verify: the precision chosen, and the float model quantized when int8 needs it.
// (--dense-weights is parsed here for quantize and build too.)

import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { Precision } from '../analysis/model-precision.js';
import { loadDataset } from '../data/load-dataset.js';
import type { Graph } from '../ir/graph.js';
import { calibrationInputs, DEFAULT_CALIBRATION_SAMPLES } from '../quant/calibration-data.js';
import { WEIGHT_GRANULARITIES, type WeightGranularity } from '../quant/qparams.js';
import { quantizeModel } from '../quant/quantize.js';
import { choosePrecision, parsePrecision, type PrecisionChoice } from '../targets/precision.js';
import type { McuTarget } from '../targets/schema.js';

export interface PrecisionOptions {
  precision?: Precision;
  calibrationData?: string;
  denseWeights?: WeightGranularity;
}

/** The help of --dense-weights (quantize, build, compile, verify). */
export const DENSE_WEIGHTS_HELP =
  "int8: weight scales of the dense layers: per-channel (one scale, multiplier and shift per output) or per-tensor (one per layer, TFLite's fully connected scheme: less flash, usually a little less accuracy)";

/** Commander parser of --dense-weights. */
export function parseDenseWeights(v: string): WeightGranularity {
  if (!(WEIGHT_GRANULARITIES as readonly string[]).includes(v)) throw new UserError(`--dense-weights '${v}' is not a weight granularity; known: ${WEIGHT_GRANULARITIES.join(', ')}`);
  return v as WeightGranularity;
}

export function addPrecisionOptions(cmd: Command): Command {
  return cmd
    .option('--precision <p>', 'float32 or int8 (default: float32 where the core has an FPU, int8 where it has none and the model is or can be quantized; a quantized model is int8)', parsePrecision)
    .option('--calibration-data <file>', `data to quantize a float model with when it runs as int8 (post-training, min/max ranges on its first ${DEFAULT_CALIBRATION_SAMPLES} samples, as edgeprune quantize): .csv, .npy or a data folder`)
    .option('--dense-weights <g>', DENSE_WEIGHTS_HELP, parseDenseWeights);
}

export interface ModelForPrecision {
  /** The graph to compile: the model, or the float model quantized. */
  graph: Graph;
  choice: PrecisionChoice;
  /** When the float model was quantized here: the float model it came from. */
  floatModel?: Graph;
}

/** The precision `command` runs the model in, and the model in that precision (quantized on the calibration data when needed). */
export function modelForPrecision(g: Graph, target: McuTarget, o: PrecisionOptions, command: string): ModelForPrecision {
  const request = { requested: o.precision, command };
  const probe = choosePrecision(g, target, { ...request, calibration: o.calibrationData && 'the calibration data' });
  if (!probe.quantize) {
    if (o.denseWeights) throw new UserError(`--dense-weights sets how ${command} quantizes a float model, and here no model is quantized (${probe.reason})`, 'drop --dense-weights, or run a float model as int8 (--precision int8 --calibration-data <file>)');
    return { graph: g, choice: probe };
  }
  const data = loadDataset(o.calibrationData!);
  const feeds = calibrationInputs(g, data);
  const choice = choosePrecision(g, target, { ...request, calibration: `${feeds.length} samples of ${data.source}` });
  return { graph: quantizeModel(g, feeds, { denseWeights: o.denseWeights }).graph, choice, floatModel: g };
}
