// Squeeze: remove size-1 axes, the listed ones (a constant int64 input) or, without a list, all of them.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { defineOp, type InferInput } from './op-def.js';
import { required } from './util/check.js';
import { normalizeAxes } from './util/axes.js';
import { copyAs } from './util/tensor-copy.js';
import { constantInts, withValues } from './util/tensor-ints.js';
import { moveIntsAttrToInput } from './util/tensor-upgrade.js';

function squeezedShape(inputs: readonly (InferInput | undefined)[], node: Node): number[] {
  const x = required(inputs, 0, node);
  const listed = constantInts(inputs[1], node, 'input axes');
  if (listed === undefined) return x.shape.filter((d) => d !== 1);
  const axes = normalizeAxes(listed, x.shape.length, node);
  for (const a of axes) {
    if (x.shape[a] !== 1) throw nodeError(node, `cannot squeeze axis ${a} of shape [${x.shape.join(', ')}]: its size is ${x.shape[a]}, not 1`);
  }
  return x.shape.filter((_, i) => !axes.includes(i));
}

export const Squeeze = defineOp<Record<string, never>>({
  opType: 'Squeeze',
  domain: '',
  inputs: [1, 2],
  outputs: [1, 1],
  parseAttrs: () => ({}),
  upgrade(node, opset, ctx) {
    // Before opset 13 the axes were an attribute.
    if (opset < 13) moveIntsAttrToInput(node, 'axes', 1, ctx);
  },
  infer(inputs, _attrs, node) {
    return [{ dtype: required(inputs, 0, node).dtype, shape: squeezedShape(inputs, node) }];
  },
  evaluate(inputs, _attrs, node) {
    return [copyAs(required(inputs, 0, node), squeezedShape(withValues(inputs), node))];
  },
});
