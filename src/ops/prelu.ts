// PRelu: x for x >= 0, slope * x below zero; the slope broadcasts to X's shape (one direction only).

import { nodeError } from '../errors.js';
import { isBigIntType, type DType } from '../ir/dtype.js';
import { sameShape } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { broadcastShapes } from './util/broadcast.js';
import { required, requireType, sameType } from './util/check.js';
import { mapBroadcast } from './util/elementwise.js';

const PRELU_TYPES: readonly DType[] = ['float32', 'float16', 'float64', 'int32', 'int64', 'uint32', 'uint64'];

export const PRelu = defineOp<Record<string, never>>({
  opType: 'PRelu',
  domain: '',
  inputs: [2, 2],
  outputs: [1, 1],
  paramInputs: { 1: 'weight' },
  parseAttrs: () => ({}),
  infer(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    const slope = required(inputs, 1, node);
    const dtype = sameType([x, slope], node);
    requireType(x, PRELU_TYPES, node, 'input X');
    const shape = broadcastShapes([x.shape, slope.shape], node);
    if (!sameShape(shape, x.shape)) {
      throw nodeError(node, `slope of shape [${slope.shape.join(',')}] does not broadcast to X's shape [${x.shape.join(',')}]`);
    }
    return [{ dtype, shape }];
  },
  evaluate(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    const slope = required(inputs, 1, node);
    const kernel = isBigIntType(x.dtype)
      ? (v: bigint, s: bigint) => (v < 0n ? v * s : v)
      : x.dtype === 'int32'
        ? (v: number, s: number) => (v < 0 ? Math.imul(v, s) : v)
        : (v: number, s: number) => (v < 0 ? v * s : v);
    return [mapBroadcast([x, slope], x.dtype, node, kernel)];
  },
});
