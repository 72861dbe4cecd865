// Unsqueeze: insert size-1 axes at the positions (in the output) a constant int64 input lists.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { defineOp, type InferInput } from './op-def.js';
import { required } from './util/check.js';
import { normalizeAxes } from './util/axes.js';
import { copyAs } from './util/tensor-copy.js';
import { constantInts, withValues } from './util/tensor-ints.js';
import { moveIntsAttrToInput } from './util/tensor-upgrade.js';

function unsqueezedShape(inputs: readonly (InferInput | undefined)[], node: Node): number[] {
  const x = required(inputs, 0, node);
  const listed = constantInts(required(inputs, 1, node), node, 'input axes')!;
  const outRank = x.shape.length + listed.length;
  const axes = normalizeAxes(listed, outRank, node);
  const out: number[] = [];
  let next = 0; // next input dim to place
  for (let i = 0; i < outRank; i++) out.push(axes.includes(i) ? 1 : x.shape[next++]);
  return out;
}

export const Unsqueeze = defineOp<Record<string, never>>({
  opType: 'Unsqueeze',
  domain: '',
  inputs: [2, 2],
  outputs: [1, 1],
  parseAttrs: () => ({}),
  upgrade(node, opset, ctx) {
    // Before opset 13 the axes were a (required) attribute.
    if (opset < 13 && !moveIntsAttrToInput(node, 'axes', 1, ctx)) throw nodeError(node, `has no 'axes' attribute (required before opset 13)`);
  },
  infer(inputs, _attrs, node) {
    return [{ dtype: required(inputs, 0, node).dtype, shape: unsqueezedShape(inputs, node) }];
  },
  evaluate(inputs, _attrs, node) {
    return [copyAs(required(inputs, 0, node), unsqueezedShape(withValues(inputs), node))];
  },
});
