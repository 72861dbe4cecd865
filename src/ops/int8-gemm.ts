// Int8Gemm (ai.edgeprune): an int8 fully connected layer, y[n, m] from x[n, :] · w[m, :], per-output symmetric weights, fixed-point requantization.
//
// Inputs: x (int8, N x K), x_scale, x_zero_point, w (int8, M x K: one row per output), w_scale (1 or M),
// y_scale, y_zero_point, B (int32, M, optional). Attributes: act_min, act_max, multiplier_bits (8-31, default 31: narrow multipliers).
// y[n, m] = clamp(requantize(B[m] + Σ_k (x[n, k] − x_zero_point) · w[m, k], x_scale·w_scale[m]/y_scale) + y_zero_point, act_min, act_max)

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { shapeToString, Tensor } from '../ir/tensor.js';
import { requantizeToInt8 } from '../quant/fixed-point.js';
import { defineOp, type ValueType } from './op-def.js';
import { required } from './util/check.js';
import { channelMultipliers, checkLayerParams, checkSymmetricWeights, EDGEPRUNE_DOMAIN, LAYER_INPUTS, readLayerClamp, type Int8Clamp } from './util/int8-params.js';

const { X, X_SCALE, X_ZERO, W, W_SCALE, Y_SCALE, Y_ZERO, BIAS } = LAYER_INPUTS;

export type Int8GemmAttrs = Int8Clamp;

export const Int8Gemm = defineOp<Int8GemmAttrs>({
  opType: 'Int8Gemm',
  domain: EDGEPRUNE_DOMAIN,
  inputs: [7, 8],
  outputs: [1, 1],
  paramInputs: { [W]: 'weight', [BIAS]: 'bias' },
  keepUnfolded: true,
  parseAttrs: (a, node) => readLayerClamp(a, node),
  infer(inputs, _attrs, node) {
    const [N, , M] = check(inputs, node);
    return [{ dtype: 'int8', shape: [N, M] }];
  },
  evaluate(inputs, attrs, node) {
    const [N, K, M] = check(inputs, node);
    const w = inputs[W]!;
    checkSymmetricWeights(w, node);
    const x = inputs[X]!.data as Int8Array;
    const wd = w.data as Int8Array;
    const bias = inputs[BIAS]?.data as Int32Array | undefined;
    const xZero = inputs[X_ZERO]!.at(0) as number;
    const yZero = inputs[Y_ZERO]!.at(0) as number;
    const multipliers = channelMultipliers(inputs[X_SCALE]!, inputs[W_SCALE]!, inputs[Y_SCALE]!, M, node);
    const out = new Tensor('int8', [N, M]);
    const y = out.data as Int8Array;
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        let acc = bias ? bias[m] : 0;
        for (let k = 0; k < K; k++) acc += (x[n * K + k] - xZero) * wd[m * K + k];
        y[n * M + m] = requantizeToInt8(acc, multipliers[m], yZero, attrs.actMin, attrs.actMax);
      }
    }
    return [out];
  },
  macs: (inputs) => {
    const x = inputs[X]!.shape;
    const w = inputs[W]!.shape;
    return x[0] * x[1] * w[0];
  },
});

/** Checks types and shapes; returns [N, K, M]. */
function check(inputs: readonly (ValueType | undefined)[], node: Node): [number, number, number] {
  const x = required(inputs, X, node);
  const w = required(inputs, W, node);
  if (x.shape.length !== 2) throw nodeError(node, `input x has shape ${shapeToString(x.shape)}; Int8Gemm takes N x K`);
  if (w.shape.length !== 2 || w.shape[1] !== x.shape[1]) {
    throw nodeError(node, `weight w has shape ${shapeToString(w.shape)}; it must be M x ${x.shape[1]} (one row per output)`);
  }
  checkLayerParams(inputs, node);
  return [x.shape[0], x.shape[1], w.shape[0]];
}
