// Gather: pick slices of the data along an axis by int32/int64 indices (negative ones count from the end).

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { required, requireType } from './util/check.js';
import { normalizeAxis } from './util/axes.js';
import { blocksAround, copyRange } from './util/tensor-copy.js';
import { INDEX_TYPES } from './util/tensor-ints.js';

export interface GatherAttrs {
  axis: number;
}

/** data.shape[:axis] + indices.shape + data.shape[axis+1:] */
function gatheredShape(data: readonly number[], indices: readonly number[], axis: number): number[] {
  return [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
}

function checkedIndex(raw: number, length: number, node: Node): number {
  const i = raw < 0 ? raw + length : raw;
  if (i < 0 || i >= length) throw nodeError(node, `index ${raw} is out of range for an axis of size ${length}`);
  return i;
}

export const Gather = defineOp<GatherAttrs>({
  opType: 'Gather',
  domain: '',
  inputs: [2, 2],
  outputs: [1, 1],
  parseAttrs: (a) => ({ axis: a.int('axis', 0) }),
  infer(inputs, attrs, node) {
    const data = required(inputs, 0, node);
    const indices = required(inputs, 1, node);
    requireType(indices, INDEX_TYPES, node, 'input indices');
    const axis = normalizeAxis(attrs.axis, data.shape.length, node);
    return [{ dtype: data.dtype, shape: gatheredShape(data.shape, indices.shape, axis) }];
  },
  evaluate(inputs, attrs, node) {
    const data = required(inputs, 0, node);
    const indices = required(inputs, 1, node);
    const axis = normalizeAxis(attrs.axis, data.rank, node);
    const out = new Tensor(data.dtype, gatheredShape(data.shape, indices.shape, axis));
    const { outer, length, inner } = blocksAround(data.shape, axis);
    const picks = indices.toNumbers().map((raw) => checkedIndex(raw, length, node));
    for (let o = 0; o < outer; o++) {
      picks.forEach((i, k) => copyRange(data, (o * length + i) * inner, out, (o * picks.length + k) * inner, inner));
    }
    return [out];
  },
});
