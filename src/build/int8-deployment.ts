// `build --precision int8`: the search's costs are those of each candidate's int8 deployment, and the pruned model is
// quantized (post-training, or after quantization-aware fine-tuning) before it is compiled, verified and measured.

import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { CalibrationMethod } from '../quant/calibrate.js';
import { calibrationInputs, DEFAULT_CALIBRATION_SAMPLES } from '../quant/calibration-data.js';
import { DEFAULT_QAT_LEARNING_RATE } from '../quant/qat-defaults.js';
import type { WeightGranularity } from '../quant/qparams.js';
import { quantizeModel } from '../quant/quantize.js';
import type { BackendChoice } from '../train/backend.js';
import type { BoundCostModel } from './build.js';

/**
 * Calibration samples of the search's quantization (the first of the train split, which --seed shuffles), with
 * min/max ranges: a candidate is quantized only to price it, and its int8 kernels, weights and arena do not depend
 * on where the activation ranges fall (only the scales do), so a small sample and the cheapest method suffice.
 */
export const SEARCH_CALIBRATION_SAMPLES = 16;

/** How the search quantizes each candidate to price it (cached per graph): min/max ranges on the first train samples. */
export function searchQuantizer(train: Dataset, o: { denseWeights?: WeightGranularity; multiplierBits?: number } = {}): (g: Graph) => Graph {
  const cache = new WeakMap<Graph, Graph>();
  return (g) => {
    let q = cache.get(g);
    if (!q) {
      q = quantizeModel(g, calibrationInputs(g, train, SEARCH_CALIBRATION_SAMPLES), { method: 'minmax', ...o }).graph;
      cache.set(g, q);
    }
    return q;
  };
}

/** The cost model of int8 deployments: each candidate float graph is quantized (searchQuantizer), and the int8 graph priced. */
export function int8CostModel(int8Cost: BoundCostModel, train: Dataset, denseWeights?: WeightGranularity): BoundCostModel {
  const quantized = searchQuantizer(train, { denseWeights });
  return { costs: (g) => int8Cost.costs(quantized(g)), layerInstructions: (g) => int8Cost.layerInstructions(quantized(g)) };
}

export interface Int8Options {
  /** Activation ranges of the final quantization (--calibration). */
  method: CalibrationMethod;
  /** Weight scales of the dense layers (--dense-weights; default per channel). */
  denseWeights?: WeightGranularity;
  /** Quantization-aware fine-tuning epochs (--qat-epochs); post-training quantization alone when absent. */
  qatEpochs?: number;
  /** Significant bits of the requantization multipliers (FPGA targets: the DSP block's operand; default 31). */
  multiplierBits?: number;
  seed?: number;
  batchSize?: number;
  backend?: BackendChoice;
}

/** How the deployed int8 model was made, for the report. */
export interface QuantizationSummary {
  scheme: 'ptq' | 'qat';
  calibration: CalibrationMethod;
  calibrationSamples: number;
  /** Weight scales of the dense layers. */
  denseWeights: WeightGranularity;
  qatEpochs: number | null;
  /** QAT: the fine-tuning's learning rate, per-epoch loss, and the kernels whose pruned zeros were kept. */
  qat: { learningRate: number; loss: number[]; masked: string[] } | null;
  /** What the search priced and what it judged accuracy on. */
  search: { costs: string; accuracy: string };
}

export interface Int8Deployment {
  graph: Graph;
  summary: QuantizationSummary;
}

/** Quantize the pruned float model: PTQ on the first train samples, or QAT (pruned weights stay zero) then PTQ. */
export async function quantizePruned(g: Graph, train: Dataset, o: Int8Options): Promise<Int8Deployment> {
  const samples = Math.min(DEFAULT_CALIBRATION_SAMPLES, train.count);
  const denseWeights = o.denseWeights ?? 'per-channel';
  const search = {
    costs: `each candidate's int8 deployment (quantized post-training, min/max ranges on ${Math.min(SEARCH_CALIBRATION_SAMPLES, train.count)} train samples) with the int8 cost model`,
    accuracy: 'the float candidates\' fine-tuned validation accuracy (the int8 model is evaluated once, after the search, on the test split)',
  };
  if (o.qatEpochs === undefined) {
    const { graph } = quantizeModel(g, calibrationInputs(g, train, samples), { method: o.method, denseWeights, multiplierBits: o.multiplierBits });
    return { graph, summary: { scheme: 'ptq', calibration: o.method, calibrationSamples: samples, denseWeights, qatEpochs: null, qat: null, search } };
  }
  const { quantizeWithTraining } = await import('../quant/qat.js');
  const r = await quantizeWithTraining(g, train, {
    epochs: o.qatEpochs, method: o.method, denseWeights, multiplierBits: o.multiplierBits, samples, seed: o.seed, batchSize: o.batchSize, backend: o.backend, learningRate: DEFAULT_QAT_LEARNING_RATE,
  });
  return {
    graph: r.graph,
    summary: {
      scheme: 'qat', calibration: o.method, calibrationSamples: samples, denseWeights, qatEpochs: o.qatEpochs,
      qat: { learningRate: DEFAULT_QAT_LEARNING_RATE, loss: r.history.map((e) => e.loss), masked: r.masked }, search,
    },
  };
}
