// Split: cut a tensor along an axis into parts given by a constant int64 `split` input or into num_outputs near-equal parts.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp, type InferInput } from './op-def.js';
import { required } from './util/check.js';
import { normalizeAxis } from './util/axes.js';
import { blocksAround, copyRange } from './util/tensor-copy.js';
import { constantInts, withValues } from './util/tensor-ints.js';
import { moveIntsAttrToInput } from './util/tensor-upgrade.js';

export interface SplitAttrs {
  axis: number;
  numOutputs?: number;
}

/** The normalized axis and the size of each part along it. */
function splitSizes(inputs: readonly (InferInput | undefined)[], attrs: SplitAttrs, node: Node): { axis: number; sizes: number[] } {
  const x = required(inputs, 0, node);
  const axis = normalizeAxis(attrs.axis, x.shape.length, node);
  const dim = x.shape[axis];
  const parts = node.outputs.length;
  const listed = constantInts(inputs[1], node, 'input split');
  if (listed !== undefined) {
    if (attrs.numOutputs !== undefined) throw nodeError(node, `has both a split input and the num_outputs attribute; give one`);
    if (listed.length !== parts) throw nodeError(node, `split [${listed.join(', ')}] has ${listed.length} sizes for ${parts} outputs`);
    if (listed.some((s) => s < 0) || listed.reduce((a, b) => a + b, 0) !== dim) {
      throw nodeError(node, `split [${listed.join(', ')}] does not cut axis ${attrs.axis} of size ${dim} into non-negative parts`);
    }
    return { axis, sizes: listed };
  }
  // Without sizes: parts of ceil(dim / count), the last one smaller when the axis does not divide evenly.
  const count = attrs.numOutputs ?? parts;
  if (count !== parts) throw nodeError(node, `num_outputs is ${count}, but the node has ${parts} outputs`);
  const chunk = Math.ceil(dim / count);
  return { axis, sizes: Array.from({ length: count }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk))) };
}

export const Split = defineOp<SplitAttrs>({
  opType: 'Split',
  domain: '',
  inputs: [1, 2],
  outputs: [1, Infinity],
  parseAttrs: (a) => {
    const numOutputs = a.int('num_outputs');
    if (numOutputs !== undefined && numOutputs < 1) a.fail('num_outputs', `is ${numOutputs}; it must be at least 1`);
    return { axis: a.int('axis', 0), numOutputs };
  },
  upgrade(node, opset, ctx) {
    // Before opset 13 the sizes were the attribute 'split'.
    if (opset < 13) moveIntsAttrToInput(node, 'split', 1, ctx);
    // Before opset 18 a Split without sizes cut the axis into as many equal parts as it has outputs.
    if (opset < 18 && !node.inputs[1] && node.attrs['num_outputs'] === undefined) {
      node.attrs['num_outputs'] = { kind: 'int', value: node.outputs.length };
    }
  },
  infer(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const { axis, sizes } = splitSizes(inputs, attrs, node);
    return sizes.map((size) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? size : d)) }));
  },
  evaluate(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const { axis, sizes } = splitSizes(withValues(inputs), attrs, node);
    const { outer, length, inner } = blocksAround(x.shape, axis);
    let start = 0; // where the current part starts along the axis
    return sizes.map((size) => {
      const part = new Tensor(x.dtype, x.shape.map((d, i) => (i === axis ? size : d)));
      for (let o = 0; o < outer; o++) copyRange(x, (o * length + start) * inner, part, o * size * inner, size * inner);
      start += size;
      return part;
    });
  },
});
