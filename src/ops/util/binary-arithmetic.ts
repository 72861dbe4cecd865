// Factory for the broadcasting arithmetic ops (Add, Sub, Mul, Div): one definition, four tiny op files.

import { isBigIntType, type DType } from '../../ir/dtype.js';
import { defineOp, type OpDef } from '../op-def.js';
import { NUMERIC_TYPES, required, requireType, sameType } from './check.js';
import { broadcastShapes } from './broadcast.js';
import { mapBroadcast } from './elementwise.js';

export interface ArithmeticKernels {
  /** For float and narrow integer types (stored results wrap as the typed array does). */
  num: (x: number, y: number) => number;
  /** For int32/uint32 when plain JS arithmetic would lose bits (Mul). */
  int32?: (x: number, y: number) => number;
  /** For integer types when the result is not the JS result truncated (Div). */
  int?: (x: number, y: number) => number;
  big: (x: bigint, y: bigint) => bigint;
}

function kernelFor(dtype: DType, k: ArithmeticKernels) {
  if (isBigIntType(dtype)) return k.big;
  if ((dtype === 'int32' || dtype === 'uint32') && k.int32) return k.int32;
  if (!dtype.startsWith('float') && k.int) return k.int;
  return k.num;
}

export function binaryArithmeticOp(opType: string, kernels: ArithmeticKernels): OpDef<Record<string, never>> {
  return defineOp<Record<string, never>>({
    opType,
    domain: '',
    inputs: [2, 2],
    outputs: [1, 1],
    paramInputs: { 0: 'bias', 1: 'bias' },
    parseAttrs: () => ({}),
    infer(inputs, _attrs, node) {
      const a = required(inputs, 0, node);
      const b = required(inputs, 1, node);
      const dtype = sameType([a, b], node);
      requireType(a, NUMERIC_TYPES, node, 'input A');
      return [{ dtype, shape: broadcastShapes([a.shape, b.shape], node) }];
    },
    evaluate(inputs, _attrs, node) {
      const a = required(inputs, 0, node);
      const b = required(inputs, 1, node);
      return [mapBroadcast([a, b], a.dtype, node, kernelFor(a.dtype, kernels))];
    },
  });
}
