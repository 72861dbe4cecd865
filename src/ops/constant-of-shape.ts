// ConstantOfShape: a tensor of a constant int64 shape filled with one value (attribute `value`, default float 0).

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp, type InferInput } from './op-def.js';
import { required } from './util/check.js';
import { filledLike } from './util/tensor-copy.js';
import { constantInts, withValues } from './util/tensor-ints.js';

export interface ConstantOfShapeAttrs {
  /** One element: the fill value, and through its dtype the output's. */
  value: Tensor;
}

function outputShape(inputs: readonly (InferInput | undefined)[], node: Node): number[] {
  const shape = constantInts(required(inputs, 0, node), node, 'input shape')!;
  if (shape.some((d) => d < 0)) throw nodeError(node, `shape [${shape.join(', ')}] has a negative dim`);
  return shape;
}

export const ConstantOfShape = defineOp<ConstantOfShapeAttrs>({
  opType: 'ConstantOfShape',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 1],
  parseAttrs: (a) => {
    const value = a.tensor('value') ?? Tensor.scalar('float32', 0);
    if (value.size !== 1) a.fail('value', `has ${value.size} elements; it must hold exactly one`);
    return { value };
  },
  infer(inputs, attrs, node) {
    return [{ dtype: attrs.value.dtype, shape: outputShape(inputs, node) }];
  },
  evaluate(inputs, attrs, node) {
    return [filledLike(attrs.value, outputShape(withValues(inputs), node))];
  },
});
