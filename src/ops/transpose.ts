// Transpose: permute the axes (default: reverse them), copying elements of any dtype.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { stridesOf } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { required } from './util/check.js';
import { affineOffsets, takeElements } from './util/tensor-copy.js';

export interface TransposeAttrs {
  perm?: number[];
}

/** The permutation for a rank, checked: every axis exactly once. */
export function permutation(rank: number, attrs: TransposeAttrs, node: Node): number[] {
  const perm = attrs.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw nodeError(node, `perm [${perm.join(', ')}] is not a permutation of the ${rank} input axes`);
  }
  return perm;
}

export const Transpose = defineOp<TransposeAttrs>({
  opType: 'Transpose',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 1],
  parseAttrs: (a) => ({ perm: a.ints('perm') }),
  infer(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const perm = permutation(x.shape.length, attrs, node);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
  evaluate(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const perm = permutation(x.rank, attrs, node);
    const inStrides = stridesOf(x.shape);
    const outShape = perm.map((p) => x.shape[p]);
    return [takeElements(x, outShape, affineOffsets(outShape, perm.map((p) => inStrides[p])))];
  },
});
