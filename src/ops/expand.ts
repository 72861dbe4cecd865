// Expand: broadcast the input to a constant int64 shape (numpy-style, in both directions).

import type { Node } from '../ir/graph.js';
import { defineOp, type InferInput } from './op-def.js';
import { required } from './util/check.js';
import { broadcastOffsets, broadcastShapes } from './util/broadcast.js';
import { copyAs, takeElements } from './util/tensor-copy.js';
import { constantInts, withValues } from './util/tensor-ints.js';

function expandedShape(inputs: readonly (InferInput | undefined)[], node: Node): number[] {
  const x = required(inputs, 0, node);
  const shape = constantInts(required(inputs, 1, node), node, 'input shape')!;
  return broadcastShapes([x.shape, shape], node);
}

export const Expand = defineOp<Record<string, never>>({
  opType: 'Expand',
  domain: '',
  inputs: [2, 2],
  outputs: [1, 1],
  parseAttrs: () => ({}),
  infer(inputs, _attrs, node) {
    return [{ dtype: required(inputs, 0, node).dtype, shape: expandedShape(inputs, node) }];
  },
  evaluate(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    const shape = expandedShape(withValues(inputs), node);
    const offsets = broadcastOffsets(x.shape, shape);
    return [offsets ? takeElements(x, shape, offsets) : copyAs(x, shape)];
  },
});
