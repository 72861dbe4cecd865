// Int8Conv (ai.edgeprune): int8 convolution with per-channel symmetric weights, int32 bias, fixed-point requantization and a fused clamp.
//
// Inputs: x (int8, N x C x spatial), x_scale, x_zero_point, w (int8, M x C/group x kernel), w_scale (1 or M),
// y_scale, y_zero_point, B (int32, M, optional). Attributes: Conv's, plus act_min, act_max and multiplier_bits (8-31, default 31).
// y = clamp(requantize(B[m] + Σ (x − x_zero_point) · w, x_scale·w_scale[m]/y_scale) + y_zero_point, act_min, act_max)
// with the rule of src/quant/fixed-point.ts (docs/numerics.md, "int8").

import { shapeSize, Tensor } from '../ir/tensor.js';
import { requantizeToInt8 } from '../quant/fixed-point.js';
import { defineOp } from './op-def.js';
import { required } from './util/check.js';
import { convOutputShape } from './util/conv-kernel.js';
import { convGeometry, convMacs, readConvAttrs, type ConvAttrs } from './util/conv-geometry.js';
import { integerConvolve } from './util/quant-conv.js';
import { channelMultipliers, checkLayerParams, checkSymmetricWeights, EDGEPRUNE_DOMAIN, LAYER_INPUTS, readLayerClamp, type Int8Clamp } from './util/int8-params.js';

const { X, X_SCALE, X_ZERO, W, W_SCALE, Y_SCALE, Y_ZERO, BIAS } = LAYER_INPUTS;

export type Int8ConvAttrs = ConvAttrs & Int8Clamp;

export const Int8Conv = defineOp<Int8ConvAttrs>({
  opType: 'Int8Conv',
  domain: EDGEPRUNE_DOMAIN,
  inputs: [7, 8],
  outputs: [1, 1],
  paramInputs: { [W]: 'weight', [BIAS]: 'bias' },
  keepUnfolded: true,
  parseAttrs: (a, node) => ({ ...readConvAttrs(a), ...readLayerClamp(a, node) }),
  infer(inputs, attrs, node) {
    checkLayerParams(inputs, node);
    const x = required(inputs, X, node);
    const w = required(inputs, W, node);
    return [{ dtype: 'int8', shape: convOutputShape(convGeometry(x.shape, w.shape, attrs, node)) }];
  },
  evaluate(inputs, attrs, node) {
    checkLayerParams(inputs, node);
    const w = inputs[W]!;
    checkSymmetricWeights(w, node);
    const { shape, acc } = integerConvolve(inputs[X]!, w, inputs[X_ZERO], undefined, inputs[BIAS], attrs, node);
    const M = shape[1];
    const plane = shapeSize(shape.slice(2));
    const multipliers = channelMultipliers(inputs[X_SCALE]!, inputs[W_SCALE]!, inputs[Y_SCALE]!, M, node);
    const yZero = inputs[Y_ZERO]!.at(0) as number;
    const out = new Tensor('int8', shape);
    const y = out.data as Int8Array;
    for (let i = 0; i < y.length; i++) {
      const m = Math.floor(i / plane) % M;
      y[i] = requantizeToInt8(acc[i], multipliers[m], yZero, attrs.actMin, attrs.actMax);
    }
    return [out];
  },
  macs: (inputs, outputs) => convMacs(inputs[W]!, outputs[0]),
});
