// Nested levels quantized to int8 (issue 15 §2 on FPU-less cores): each level post-training with its own activation
// ranges, its weights with level 0's per-channel scales (its weight rows are level 0's or their leading elements), so
// that a kept channel's int8 weights and scale are the same bytes in every level (shared in flash); biases,
// multipliers per level.

import type { Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import type { CalibrationMethod } from '../quant/calibrate.js';
import { planQuantization, type LayerStep } from '../quant/plan.js';
import { quantizeWeights, type WeightGranularity } from '../quant/qparams.js';
import { prepareForQuantization, quantizeModel } from '../quant/quantize.js';

/** One conv or dense layer's weights as the quantizer sees them: scales, output channels, elements per channel. */
export interface LayerScales {
  scales: Tensor;
  channels: number;
  rowElements: number;
}

function layerSteps(g: Graph): LayerStep[] {
  return planQuantization(prepareForQuantization(g)).steps.filter((s): s is LayerStep => (s.kind === 'conv' || s.kind === 'dense') && s.weight !== undefined);
}

/** The weight scales each conv and dense layer of `g` gets on its own (by the float node's name). */
export function layerWeightScales(g: Graph, denseWeights: WeightGranularity = 'per-channel'): Map<string, LayerScales> {
  const out = new Map<string, LayerScales>();
  for (const s of layerSteps(g)) {
    const w = s.weight!;
    const channels = w.shape[0];
    out.set(s.node.name, { scales: quantizeWeights(w, s.kind === 'dense' ? denseWeights : 'per-channel').scales, channels, rowElements: w.size / Math.max(channels, 1) });
  }
  return out;
}

/**
 * The scales a level's layers take from level 0 (`reference`): those of each layer whose channels are a prefix of level
 * 0's, its rows the same or (inputs the level narrowed) their leading elements. Nested levels' float weights are those
 * slices of level 0's, so with level 0's scales their int8 weights are level 0's leading bytes, or the leading block
 * of each of level 0's rows, which the ldw kernels read through a row stride (src/levels/share-weights.ts).
 */
export function sharedWeightScales(reference: ReadonlyMap<string, LayerScales>, level: ReadonlyMap<string, LayerScales>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, own] of level) {
    const ref = reference.get(name);
    if (!ref || own.rowElements > ref.rowElements || own.channels > ref.channels) continue;
    out.set(name, ref.scales.size === 1 ? ref.scales : new Tensor('float32', [own.channels], (ref.scales.data as Float32Array).slice(0, own.channels)));
  }
  return out;
}

export interface LevelsQuantization {
  method: CalibrationMethod;
  denseWeights: WeightGranularity;
  /** Calibration feeds (the same for every level: the first train samples, as a single int8 build takes them). */
  calibration: readonly Record<string, Tensor>[];
}

export interface QuantizedLevels {
  /** Each level's int8 graph, largest first. */
  graphs: Graph[];
  /** Per level, the layers whose weight scales are level 0's (level 0: all of its layers). */
  sharedLayers: string[][];
}

/** Quantize each float level graph (largest first); level k > 0 takes level 0's scales where its rows are level 0's or their leading elements. */
export function quantizeLevels(levels: readonly Graph[], o: LevelsQuantization): QuantizedLevels {
  const reference = layerWeightScales(levels[0], o.denseWeights);
  const graphs: Graph[] = [];
  const sharedLayers: string[][] = [];
  levels.forEach((g, k) => {
    const weightScales = k === 0 ? undefined : sharedWeightScales(reference, layerWeightScales(g, o.denseWeights));
    graphs.push(quantizeModel(g, o.calibration, { method: o.method, denseWeights: o.denseWeights, weightScales }).graph);
    sharedLayers.push(weightScales ? [...weightScales.keys()] : [...reference.keys()]);
  });
  return { graphs, sharedLayers };
}
