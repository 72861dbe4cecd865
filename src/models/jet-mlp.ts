// The jet-tagging-shaped MLP of the FPGA goals (hls4ml's benchmark shape): 16 → 64 → 32 → 32 → 5, ReLU between the
// layers, Softmax (or an ArgMax: the class index) at the end, seeded He-normal weights; its seeded calibration inputs,
// its int8 form (quantizeModel) and its weight-pruned variant (magnitude per layer), for the RTL tests and benches.

import { attr, GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { applyMasks, magnitudeMasks } from '../prune/weight-masks.js';
import { quantizeModel } from '../quant/quantize.js';
import { Random } from '../util/random.js';

export const JET_MLP_LAYERS = [16, 64, 32, 32, 5] as const;

/** The float model; `head` 'argmax' ends in ArgMax (the class index) instead of Softmax. */
export function jetMlp(o: { seed?: number; head?: 'softmax' | 'argmax' } = {}): Graph {
  const rng = new Random(o.seed ?? 16);
  const b = new GraphBuilder(o.head === 'argmax' ? 'jet_mlp_argmax' : 'jet_mlp');
  let x = b.input('input', 'float32', [1, JET_MLP_LAYERS[0]]);
  for (let l = 1; l < JET_MLP_LAYERS.length; l++) {
    const [nIn, nOut] = [JET_MLP_LAYERS[l - 1], JET_MLP_LAYERS[l]];
    const std = Math.sqrt(2 / nIn);
    const w = b.initializer(`fc${l}.weight`, Tensor.fromNumbers('float32', [nOut, nIn], Array.from({ length: nIn * nOut }, () => rng.normal() * std)));
    const bias = b.initializer(`fc${l}.bias`, Tensor.fromNumbers('float32', [nOut], Array.from({ length: nOut }, () => rng.uniform(-0.1, 0.1))));
    x = b.op('Gemm', [x, w, bias], { transB: attr.int(1) }, `fc${l}`);
    if (l < JET_MLP_LAYERS.length - 1) x = b.op('Relu', [x], {}, `relu${l}`);
  }
  b.output(o.head === 'argmax' ? b.op('ArgMax', [x], { axis: attr.int(1), keepdims: attr.int(1) }, 'class') : b.op('Softmax', [x], { axis: attr.int(-1) }, 'probabilities'));
  return b.build();
}

/** `count` seeded input feeds, normal(0, 1) per feature (standardized jet features). */
export function jetInputs(g: Graph, count: number, seed = 1): Record<string, Tensor>[] {
  const rng = new Random(seed);
  const input = g.inputs[0];
  return Array.from({ length: count }, () => ({ [input.name]: Tensor.fromNumbers('float32', [1, JET_MLP_LAYERS[0]], Array.from({ length: JET_MLP_LAYERS[0] }, () => rng.normal())) }));
}

/** The model with `sparsity` of each layer's weights (smallest magnitudes) set to zero. */
export function pruneWeights(g: Graph, sparsity: number): Graph {
  return applyMasks(g, magnitudeMasks(g, sparsity, 'layer'));
}

/** The int8 model, calibrated (min/max) on 200 seeded inputs. */
export function quantizedJetMlp(o: { seed?: number; head?: 'softmax' | 'argmax'; sparsity?: number } = {}): Graph {
  let float = jetMlp(o);
  if (o.sparsity) float = pruneWeights(float, o.sparsity);
  return quantizeModel(float, jetInputs(float, 200, 7)).graph;
}
