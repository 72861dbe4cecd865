// Flatten: reshape to 2-D, the dims before `axis` forming the rows and the rest the columns.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { shapeSize } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { required } from './util/check.js';
import { copyAs } from './util/tensor-copy.js';

export interface FlattenAttrs {
  axis: number;
}

/** Output shape [prod(dims before axis), prod(dims from axis)]; axis may be in [-rank, rank]. */
function flattenedShape(shape: readonly number[], axis: number, node: Node): number[] {
  const rank = shape.length;
  if (axis < -rank || axis > rank) throw nodeError(node, `axis ${axis} is out of range for rank ${rank} (allowed: ${-rank}..${rank})`);
  const split = axis < 0 ? axis + rank : axis;
  return [shapeSize(shape.slice(0, split)), shapeSize(shape.slice(split))];
}

export const Flatten = defineOp<FlattenAttrs>({
  opType: 'Flatten',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 1],
  parseAttrs: (a) => ({ axis: a.int('axis', 1) }),
  infer(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    return [{ dtype: x.dtype, shape: flattenedShape(x.shape, attrs.axis, node) }];
  },
  evaluate(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    return [copyAs(x, flattenedShape(x.shape, attrs.axis, node))];
  },
});
