// QLinearMatMul: quantized numpy-style matrix product (A per row, B per column), exact int32 accumulation, then requantization.

import { nodeError } from '../errors.js';
import type { DType } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp, type ValueType } from './op-def.js';
import { required, requireType } from './util/check.js';
import { checkScalarParam } from './util/quant-conv.js';
import {
  centered,
  checkBroadcastsTo,
  columnParamShape,
  integerMatMul,
  matMulMacs,
  paramOffsets,
  planMatMul,
  rowParamShape,
} from './util/quant-matmul.js';
import { requantize, requantMultiplier } from './util/quant-round.js';
import { INT8_TYPES, SCALE_TYPES } from './util/quant-types.js';

const A = 0, A_SCALE = 1, A_ZERO = 2, B = 3, B_SCALE = 4, B_ZERO = 5, Y_SCALE = 6, Y_ZERO = 7;

export const QLinearMatMul = defineOp<Record<string, never>>({
  opType: 'QLinearMatMul',
  domain: '',
  inputs: [8, 8],
  outputs: [1, 1],
  paramInputs: { [B]: 'weight' },
  parseAttrs: () => ({}),
  infer(inputs, _attrs, node) {
    const { plan, dtype } = check(inputs, node);
    return [{ dtype, shape: plan.result }];
  },
  evaluate(inputs, _attrs, node) {
    const { plan, dtype, shapes } = check(inputs, node);
    const [a, aScale, aZero, b, bScale, bZero, yScale, yZero] = inputs;
    const acc = integerMatMul(
      plan,
      centered(a!, plan.a, aZero, shapes.aZero, node, 'a_zero_point'),
      centered(b!, plan.b, bZero, shapes.bZero, node, 'b_zero_point'),
    );
    const aScaleAt = paramOffsets(shapes.aScale, plan.out, node, 'a_scale');
    const bScaleAt = paramOffsets(shapes.bScale, plan.out, node, 'b_scale');
    const as = aScale!.data as Float32Array;
    const bs = bScale!.data as Float32Array;
    const ys = yScale!.at(0);
    const yz = yZero ? yZero.at(0) : 0;
    const out = new Tensor(dtype, plan.result);
    const y = out.data as Int8Array | Uint8Array;
    for (let i = 0; i < y.length; i++) {
      const multiplier = requantMultiplier(as[aScaleAt ? aScaleAt[i] : i], bs[bScaleAt ? bScaleAt[i] : i], ys, aScale!.dtype);
      y[i] = requantize(dtype, acc[i], multiplier, yz);
    }
    return [out];
  },
  macs: (inputs, outputs) => matMulMacs(inputs[A]!.shape, outputs[0].shape),
});

/** Check types and parameter shapes; returns the product's plan, the output type and the parameters' broadcast shapes. */
function check(inputs: readonly (ValueType | undefined)[], node: Node) {
  const a = required(inputs, A, node);
  const b = required(inputs, B, node);
  requireType(a, INT8_TYPES, node, 'input a');
  requireType(b, INT8_TYPES, node, 'input b');
  const scaleType = required(inputs, A_SCALE, node).dtype;
  for (const [i, name] of [[A_SCALE, 'a_scale'], [B_SCALE, 'b_scale'], [Y_SCALE, 'y_scale']] as const) {
    const scale = required(inputs, i, node);
    requireType(scale, SCALE_TYPES, node, name);
    if (scale.dtype !== scaleType) throw nodeError(node, `${name} has type ${scale.dtype}, but a_scale has ${scaleType}; the scales must share one type`);
  }
  const aZero = inputs[A_ZERO];
  const bZero = inputs[B_ZERO];
  const yZero = inputs[Y_ZERO];
  if (aZero && aZero.dtype !== a.dtype) throw nodeError(node, `a_zero_point has type ${aZero.dtype}, but a has ${a.dtype}`);
  if (bZero && bZero.dtype !== b.dtype) throw nodeError(node, `b_zero_point has type ${bZero.dtype}, but b has ${b.dtype}`);
  if (yZero) requireType(yZero, INT8_TYPES, node, 'y_zero_point');
  checkScalarParam(inputs[Y_SCALE], node, 'y_scale');
  checkScalarParam(yZero, node, 'y_zero_point');
  const plan = planMatMul(a.shape, b.shape, node);
  const shapes = {
    aScale: rowParamShape(inputs[A_SCALE]!.shape, plan, node, 'a_scale'),
    aZero: aZero ? rowParamShape(aZero.shape, plan, node, 'a_zero_point') : [],
    bScale: columnParamShape(inputs[B_SCALE]!.shape, plan, node, 'b_scale'),
    bZero: bZero ? columnParamShape(bZero.shape, plan, node, 'b_zero_point') : [],
  };
  checkBroadcastsTo(shapes.aScale, plan.out, node, 'a_scale');
  checkBroadcastsTo(shapes.aZero, plan.a, node, 'a_zero_point');
  checkBroadcastsTo(shapes.bScale, plan.out, node, 'b_scale');
  checkBroadcastsTo(shapes.bZero, plan.b, node, 'b_zero_point');
  const dtype: DType = yZero?.dtype ?? a.dtype;
  return { plan, dtype, shapes };
}
