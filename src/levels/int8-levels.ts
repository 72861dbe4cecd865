// How `build --levels` deploys int8 levels (the precision a single int8 build would take): each level quantized
// post-training with the build's calibration method and samples (quantizeLevels: shared weight scales), compiled into
// one library; the quantization is made once per set of levels (a narrowing makes another).

import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { CalibrationMethod } from '../quant/calibrate.js';
import { calibrationInputs, DEFAULT_CALIBRATION_SAMPLES } from '../quant/calibration-data.js';
import type { WeightGranularity } from '../quant/qparams.js';
import { analyzePruneGroups } from '../prune/structure/index.js';
import { levelGraph, type NestedLevels } from './nested-levels.js';
import { quantizeLevels } from './quantize-levels.js';

/** How the int8 levels were made, for the report. */
export interface LevelsQuantizationSummary {
  scheme: 'ptq';
  calibration: CalibrationMethod;
  calibrationSamples: number;
  denseWeights: WeightGranularity;
  /** What is stored once and what each level has of its own. */
  shared: string;
  perLevel: string;
}

export interface Int8LevelsDeployer {
  summary: LevelsQuantizationSummary;
  /** The int8 graph of every level of `levels` (the same graphs for the same levels). */
  graphs(levels: NestedLevels): Graph[];
}

/** Post-training quantization of nested levels on the first train samples (as quantizePruned takes them). */
export function int8LevelsDeployer(train: Dataset, o: { method: CalibrationMethod; denseWeights?: WeightGranularity }): Int8LevelsDeployer {
  const denseWeights = o.denseWeights ?? 'per-channel';
  // Per full model (the levels fine-tuned again after a narrowing are a new one), per keep.
  const cache = new WeakMap<Graph, Map<string, Graph[]>>();
  let calibration: ReturnType<typeof calibrationInputs> | null = null;
  const samples = Math.min(DEFAULT_CALIBRATION_SAMPLES, train.count);
  return {
    summary: {
      scheme: 'ptq', calibration: o.method, calibrationSamples: samples, denseWeights,
      shared: `each kept channel's int8 weights: quantized in every level with level 0's ${denseWeights === 'per-tensor' ? 'weight scale (one per dense layer, per channel for convs)' : 'per-channel weight scale'}, they are the same bytes (the scale is folded into each level's multipliers); a layer whose inputs the level narrowed reads the leading block of level 0's rows through a row stride`,
      perLevel: 'activation scales and zero points (each level calibrated on its own activations), int32 biases, requantization multipliers and shifts',
    },
    graphs(levels) {
      const key = JSON.stringify(levels.keep);
      let byKeep = cache.get(levels.full);
      if (!byKeep) cache.set(levels.full, (byKeep = new Map()));
      let graphs = byKeep.get(key);
      if (!graphs) {
        const analysis = analyzePruneGroups(levels.full);
        calibration ??= calibrationInputs(levels.full, train, samples);
        graphs = quantizeLevels(levels.keep.map((_, k) => levelGraph(levels, k, analysis)), { method: o.method, denseWeights, calibration }).graphs;
        byKeep.set(key, graphs);
      }
      return graphs;
    },
  };
}
