// Int8Add (ai.edgeprune): the sum of two int8 tensors with their own scales and zero points, requantized to the output's.
//
// Inputs: a (int8), a_scale, a_zero_point, b (int8), b_scale, b_zero_point, y_scale, y_zero_point (per tensor);
// a and b broadcast (numpy rules). Attributes: act_min, act_max (a fused ReLU/ReLU6/Clip).
// With the multipliers of src/ops/util/int8-add-params.ts and requantize() of src/quant/fixed-point.ts:
//   a' = requantize((a − a_zero_point) · 2^20, a_multiplier),  b' = requantize((b − b_zero_point) · 2^20, b_multiplier)
//   y  = clamp(requantize(a' + b', y_multiplier) + y_zero_point, act_min, act_max)
// (docs/numerics.md, "int8", Add). Every intermediate fits an int32: |a'|, |b'| ≤ 255 · 2^19.

import { Tensor } from '../ir/tensor.js';
import type { Node } from '../ir/graph.js';
import { requantize, requantizeToInt8 } from '../quant/fixed-point.js';
import { defineOp, type ValueType } from './op-def.js';
import { broadcastOffsets, broadcastShapes } from './util/broadcast.js';
import { required } from './util/check.js';
import { ADD_LEFT_SHIFT, addMultipliers } from './util/int8-add-params.js';
import { checkScale, checkZeroPoint, EDGEPRUNE_DOMAIN, readClamp, requireInt8, type Int8Clamp } from './util/int8-params.js';

export const A = 0, A_SCALE = 1, A_ZERO = 2, B = 3, B_SCALE = 4, B_ZERO = 5, Y_SCALE = 6, Y_ZERO = 7;

export type Int8AddAttrs = Int8Clamp;

const SHIFTED = 2 ** ADD_LEFT_SHIFT;

export const Int8Add = defineOp<Int8AddAttrs>({
  opType: 'Int8Add',
  domain: EDGEPRUNE_DOMAIN,
  inputs: [8, 8],
  outputs: [1, 1],
  keepUnfolded: true,
  parseAttrs: (a, node) => readClamp(a, node),
  infer(inputs, _attrs, node) {
    const [a, b] = check(inputs, node);
    return [{ dtype: 'int8', shape: broadcastShapes([a.shape, b.shape], node) }];
  },
  evaluate(inputs, attrs, node) {
    check(inputs, node);
    const a = inputs[A]!;
    const b = inputs[B]!;
    const shape = broadcastShapes([a.shape, b.shape], node);
    const m = addMultipliers(inputs[A_SCALE]!, inputs[B_SCALE]!, inputs[Y_SCALE]!, node);
    const aZero = inputs[A_ZERO]!.at(0) as number;
    const bZero = inputs[B_ZERO]!.at(0) as number;
    const yZero = inputs[Y_ZERO]!.at(0) as number;
    const out = new Tensor('int8', shape);
    const y = out.data as Int8Array;
    const ad = a.data as Int8Array;
    const bd = b.data as Int8Array;
    const aAt = broadcastOffsets(a.shape, shape);
    const bAt = broadcastOffsets(b.shape, shape);
    for (let i = 0; i < y.length; i++) {
      const av = requantize((ad[aAt ? aAt[i] : i] - aZero) * SHIFTED, m.a);
      const bv = requantize((bd[bAt ? bAt[i] : i] - bZero) * SHIFTED, m.b);
      y[i] = requantizeToInt8(av + bv, m.y, yZero, attrs.actMin, attrs.actMax);
    }
    return [out];
  },
});

function check(inputs: readonly (ValueType | undefined)[], node: Node): [ValueType, ValueType] {
  const a = required(inputs, A, node);
  const b = required(inputs, B, node);
  requireInt8(a, node, 'input a');
  requireInt8(b, node, 'input b');
  checkScale(required(inputs, A_SCALE, node), node, 'a_scale');
  checkZeroPoint(required(inputs, A_ZERO, node), node, 'a_zero_point');
  checkScale(required(inputs, B_SCALE, node), node, 'b_scale');
  checkZeroPoint(required(inputs, B_ZERO, node), node, 'b_zero_point');
  checkScale(required(inputs, Y_SCALE, node), node, 'y_scale');
  checkZeroPoint(required(inputs, Y_ZERO, node), node, 'y_zero_point');
  return [a, b];
}
