// MatMulInteger: numpy-style matrix product of 8-bit integers minus zero points (A per row, B per column), exact into int32.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp, type ValueType } from './op-def.js';
import { required, requireType } from './util/check.js';
import { centered, checkBroadcastsTo, columnParamShape, integerMatMul, matMulMacs, planMatMul, rowParamShape } from './util/quant-matmul.js';
import { wrapInt32 } from './util/quant-round.js';
import { INT8_TYPES } from './util/quant-types.js';

export const MatMulInteger = defineOp<Record<string, never>>({
  opType: 'MatMulInteger',
  domain: '',
  inputs: [2, 4],
  outputs: [1, 1],
  paramInputs: { 1: 'weight' },
  parseAttrs: () => ({}),
  infer(inputs, _attrs, node) {
    return [{ dtype: 'int32', shape: check(inputs, node).plan.result }];
  },
  evaluate(inputs, _attrs, node) {
    const { plan, aZeroShape, bZeroShape } = check(inputs, node);
    const [a, b, aZero, bZero] = inputs;
    const acc = integerMatMul(
      plan,
      centered(a!, plan.a, aZero, aZeroShape, node, 'a_zero_point'),
      centered(b!, plan.b, bZero, bZeroShape, node, 'b_zero_point'),
    );
    const out = new Tensor('int32', plan.result);
    const y = out.data as Int32Array;
    for (let i = 0; i < y.length; i++) y[i] = wrapInt32(acc[i]);
    return [out];
  },
  macs: (inputs, outputs) => matMulMacs(inputs[0]!.shape, outputs[0].shape),
});

/** Check types and zero-point shapes; returns the product's plan and the zero points' broadcast shapes. */
function check(inputs: readonly (ValueType | undefined)[], node: Node) {
  const a = required(inputs, 0, node);
  const b = required(inputs, 1, node);
  const [, , aZero, bZero] = inputs;
  requireType(a, INT8_TYPES, node, 'input A');
  requireType(b, INT8_TYPES, node, 'input B');
  if (aZero && aZero.dtype !== a.dtype) throw nodeError(node, `a_zero_point has type ${aZero.dtype}, but A has ${a.dtype}`);
  if (bZero && bZero.dtype !== b.dtype) throw nodeError(node, `b_zero_point has type ${bZero.dtype}, but B has ${b.dtype}`);
  const plan = planMatMul(a.shape, b.shape, node);
  const aZeroShape = aZero ? rowParamShape(aZero.shape, plan, node, 'a_zero_point') : [];
  const bZeroShape = bZero ? columnParamShape(bZero.shape, plan, node, 'b_zero_point') : [];
  checkBroadcastsTo(aZeroShape, plan.a, node, 'a_zero_point');
  checkBroadcastsTo(bZeroShape, plan.b, node, 'b_zero_point');
  return { plan, aZeroShape, bZeroShape };
}
