// Int8Conv (ai.edgeprune): int8 convolution with per-channel symmetric weights, int32 bias, fixed-point requantization and a fused clamp.
//
// Inputs: x (int8, N x C x spatial), x_scale, x_zero_point, w (int8, M x C/group x kernel), w_scale (1 or M),
// y_scale, y_zero_point, B (int32, M, optional). Attributes: Conv's, plus act_min and act_max.
// y = clamp(requantize(B[m] + Σ (x − x_zero_point) · w, x_scale·w_scale[m]/y_scale) + y_zero_point, act_min, act_max)
// with the rule of src/quant/fixed-point.ts (docs/numerics.md, "int8").

import { nodeError } from '../errors.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { requantizeToInt8 } from '../quant/fixed-point.js';
import { defineOp, type ValueType } from './op-def.js';
import type { Node } from '../ir/graph.js';
import { required, requireType } from './util/check.js';
import { convOutputShape } from './util/conv-kernel.js';
import { convGeometry, convMacs, readConvAttrs, type ConvAttrs } from './util/conv-geometry.js';
import { integerConvolve } from './util/quant-conv.js';
import { channelMultipliers, checkScale, checkSymmetricWeights, checkZeroPoint, EDGEPRUNE_DOMAIN, readClamp, requireInt8, type Int8Clamp } from './util/int8-params.js';

export const X = 0, X_SCALE = 1, X_ZERO = 2, W = 3, W_SCALE = 4, Y_SCALE = 5, Y_ZERO = 6, BIAS = 7;

export type Int8ConvAttrs = ConvAttrs & Int8Clamp;

export const Int8Conv = defineOp<Int8ConvAttrs>({
  opType: 'Int8Conv',
  domain: EDGEPRUNE_DOMAIN,
  inputs: [7, 8],
  outputs: [1, 1],
  paramInputs: { [W]: 'weight', [BIAS]: 'bias' },
  keepUnfolded: true,
  parseAttrs: (a, node) => ({ ...readConvAttrs(a), ...readClamp(a, node) }),
  infer(inputs, attrs, node) {
    check(inputs, node);
    const x = required(inputs, X, node);
    const w = required(inputs, W, node);
    return [{ dtype: 'int8', shape: convOutputShape(convGeometry(x.shape, w.shape, attrs, node)) }];
  },
  evaluate(inputs, attrs, node) {
    check(inputs, node);
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

function check(inputs: readonly (ValueType | undefined)[], node: Node): void {
  const x = required(inputs, X, node);
  const w = required(inputs, W, node);
  requireInt8(x, node, 'input x');
  requireInt8(w, node, 'weight w');
  const M = w.shape[0];
  checkScale(required(inputs, X_SCALE, node), node, 'x_scale');
  checkZeroPoint(required(inputs, X_ZERO, node), node, 'x_zero_point');
  checkScale(required(inputs, W_SCALE, node), node, 'w_scale', M);
  checkScale(required(inputs, Y_SCALE, node), node, 'y_scale');
  checkZeroPoint(required(inputs, Y_ZERO, node), node, 'y_zero_point');
  const bias = inputs[BIAS];
  if (bias) {
    requireType(bias, ['int32'], node, 'bias B');
    if (bias.shape.length !== 1 || bias.shape[0] !== M) throw nodeError(node, `bias B has shape ${bias.shape.join('x')}, expected ${M}`);
  }
}
