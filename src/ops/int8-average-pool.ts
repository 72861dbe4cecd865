// Int8AveragePool (ai.edgeprune): int8 average of each sliding window, requantized to the output's scale with one rounding.
//
// Inputs: x (int8, N x C x spatial), x_scale, x_zero_point, y_scale, y_zero_point (per tensor).
// Attributes: AveragePool's (auto_pad, ceil_mode, count_include_pad, dilations, kernel_shape, pads, strides), plus act_min, act_max.
// y = clamp(requantize(Σ_taps (x − x_zero_point), x_scale / (y_scale · count)) + y_zero_point, act_min, act_max)
// The sum runs over the window's taps inside the input: a padded tap is the real 0 and adds nothing.
// count is the number of those taps (count_include_pad = 0, ONNX's default) or the window's size counting
// explicit and auto padding (count_include_pad = 1; with ceil_mode, the part of a window past the end
// padding does not count, as in AveragePool). Requantization: src/quant/fixed-point.ts (docs/numerics.md, "int8").

import { shapeSize, Tensor } from '../ir/tensor.js';
import { requantizeToInt8 } from '../quant/fixed-point.js';
import { defineOp } from './op-def.js';
import { AveragePool, type AveragePoolAttrs } from './average-pool.js';
import { readClamp, EDGEPRUNE_DOMAIN, type Int8Clamp } from './util/int8-params.js';
import { averageMultipliers, checkAverageInputs, checkWindowTaps, X, X_SCALE, X_ZERO, Y_SCALE, Y_ZERO } from './util/int8-average.js';
import { poolOutputShape, poolPlan, poolWork } from './util/nn-pool.js';

export type Int8AveragePoolAttrs = AveragePoolAttrs & Int8Clamp;

export const Int8AveragePool = defineOp<Int8AveragePoolAttrs>({
  opType: 'Int8AveragePool',
  domain: EDGEPRUNE_DOMAIN,
  inputs: [5, 5],
  outputs: [1, 1],
  keepUnfolded: true,
  parseAttrs: (a, node) => ({ ...AveragePool.parseAttrs(a, node), ...readClamp(a, node) }),
  infer(inputs, attrs, node) {
    const x = checkAverageInputs(inputs, node);
    checkWindowTaps(shapeSize(attrs.kernelShape), node);
    return [{ dtype: 'int8', shape: poolOutputShape(x.shape, attrs, node) }];
  },
  evaluationWork: poolWork,
  evaluate(inputs, attrs, node) {
    checkAverageInputs(inputs, node);
    checkWindowTaps(shapeSize(attrs.kernelShape), node);
    const x = inputs[X]!;
    const plan = poolPlan(x.shape, attrs, node);
    const multiplier = averageMultipliers(inputs[X_SCALE]!, inputs[Y_SCALE]!, node);
    const xZero = inputs[X_ZERO]!.at(0) as number;
    const yZero = inputs[Y_ZERO]!.at(0) as number;
    const out = new Tensor('int8', plan.outShape);
    const src = x.data as Int8Array;
    const dst = out.data as Int8Array;
    const { taps, tapStart, inPlane, outPlane, paddedCount } = plan;
    const planes = plan.outShape[0] * plan.outShape[1];
    for (let c = 0; c < planes; c++) {
      const base = c * inPlane;
      for (let pos = 0; pos < outPlane; pos++) {
        let sum = 0;
        for (let t = tapStart[pos]; t < tapStart[pos + 1]; t++) sum += src[base + taps[t]] - xZero;
        const count = attrs.countIncludePad ? paddedCount[pos] : tapStart[pos + 1] - tapStart[pos];
        dst[c * outPlane + pos] = requantizeToInt8(sum, multiplier(count), yZero, attrs.actMin, attrs.actMax);
      }
    }
    return [out];
  },
});
