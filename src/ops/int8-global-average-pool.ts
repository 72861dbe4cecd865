// Int8GlobalAveragePool (ai.edgeprune): int8 mean of each (N, C) plane, requantized to the output's scale with one rounding.
//
// Inputs: x (int8, N x C x spatial...), x_scale, x_zero_point, y_scale, y_zero_point (per tensor). Attributes: act_min, act_max.
// y[n, c] = clamp(requantize(Σ_plane (x − x_zero_point), x_scale / (y_scale · plane size)) + y_zero_point, act_min, act_max),
// spatial dimensions kept as 1. Requantization: src/quant/fixed-point.ts (docs/numerics.md, "int8").

import { nodeError } from '../errors.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { requantizeToInt8 } from '../quant/fixed-point.js';
import { defineOp } from './op-def.js';
import { EDGEPRUNE_DOMAIN, readClamp, type Int8Clamp } from './util/int8-params.js';
import { averageMultiplier, checkAverageInputs, checkWindowTaps, X, X_SCALE, X_ZERO, Y_SCALE, Y_ZERO } from './util/int8-average.js';
import type { Node } from '../ir/graph.js';

export type Int8GlobalAveragePoolAttrs = Int8Clamp;

function planeShape(shape: readonly number[], node: Node): { out: number[]; plane: number } {
  if (shape.length < 3) throw nodeError(node, `input x has shape ${shape.join('x') || 'scalar'}; expected N x C x spatial...`);
  return { out: shape.map((d, i) => (i < 2 ? d : 1)), plane: shapeSize(shape.slice(2)) };
}

export const Int8GlobalAveragePool = defineOp<Int8GlobalAveragePoolAttrs>({
  opType: 'Int8GlobalAveragePool',
  domain: EDGEPRUNE_DOMAIN,
  inputs: [5, 5],
  outputs: [1, 1],
  keepUnfolded: true,
  parseAttrs: (a, node) => readClamp(a, node),
  infer(inputs, _attrs, node) {
    const x = checkAverageInputs(inputs, node);
    const { out, plane } = planeShape(x.shape, node);
    checkWindowTaps(plane, node);
    return [{ dtype: 'int8', shape: out }];
  },
  evaluate(inputs, attrs, node) {
    checkAverageInputs(inputs, node);
    const x = inputs[X]!;
    const { out: outShape, plane } = planeShape(x.shape, node);
    checkWindowTaps(plane, node);
    if (plane === 0) throw nodeError(node, 'input x has an empty spatial plane; there is nothing to average');
    const m = averageMultiplier(inputs[X_SCALE]!, inputs[Y_SCALE]!, plane, node);
    const xZero = inputs[X_ZERO]!.at(0) as number;
    const yZero = inputs[Y_ZERO]!.at(0) as number;
    const out = new Tensor('int8', outShape);
    const src = x.data as Int8Array;
    const dst = out.data as Int8Array;
    for (let c = 0; c < dst.length; c++) {
      let sum = 0;
      for (let i = c * plane; i < (c + 1) * plane; i++) sum += src[i] - xZero;
      dst[c] = requantizeToInt8(sum, m, yZero, attrs.actMin, attrs.actMax);
    }
    return [out];
  },
});
