// Shape: the input's dims (optionally a start..end range of them) as an int64 tensor, known from shapes alone.

import type { Tensor } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { required } from './util/check.js';
import { int64Tensor } from './util/tensor-ints.js';

export interface ShapeAttrs {
  start: number;
  end?: number;
}

/** The selected dims; start and end count from the back when negative and are clamped to [0, rank]. */
function shapeValue(shape: readonly number[], attrs: ShapeAttrs): Tensor {
  const rank = shape.length;
  const clamp = (i: number) => Math.min(rank, Math.max(0, i < 0 ? i + rank : i));
  const start = clamp(attrs.start);
  const end = clamp(attrs.end ?? rank);
  return int64Tensor(shape.slice(start, Math.max(start, end)));
}

export const Shape = defineOp<ShapeAttrs>({
  opType: 'Shape',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 1],
  parseAttrs: (a) => ({ start: a.int('start', 0), end: a.int('end') }),
  infer(inputs, attrs, node) {
    const value = shapeValue(required(inputs, 0, node).shape, attrs);
    // Shapes are static: the value is known, and constant folding replaces the node with it.
    return [{ dtype: value.dtype, shape: value.shape, value }];
  },
  evaluate(inputs, attrs, node) {
    return [shapeValue(required(inputs, 0, node).shape, attrs)];
  },
});
