// Concat: join tensors of one dtype along an axis (negative axes count from the end; empty inputs allowed).

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp, type ValueType } from './op-def.js';
import { sameType } from './util/check.js';
import { normalizeAxis } from './util/axes.js';
import { blocksAround, copyRange } from './util/tensor-copy.js';

export interface ConcatAttrs {
  axis: number;
}

/** The concatenation axis (normalized) and output shape; every input must match off the axis. */
function concatShape(inputs: readonly (ValueType | undefined)[], attrs: ConcatAttrs, node: Node): { axis: number; shape: number[] } {
  const present = inputs.filter((v): v is ValueType => v !== undefined);
  if (present.length === 0) throw nodeError(node, 'needs at least one input');
  const first = present[0].shape;
  const axis = normalizeAxis(attrs.axis, first.length, node);
  const shape = [...first];
  shape[axis] = 0;
  for (const v of present) {
    const mismatch = v.shape.length !== first.length || v.shape.some((d, i) => i !== axis && d !== first[i]);
    if (mismatch) {
      throw nodeError(node, `input shapes ${present.map((p) => `[${p.shape.join(',')}]`).join(', ')} differ off axis ${attrs.axis}`);
    }
    shape[axis] += v.shape[axis];
  }
  return { axis, shape };
}

export const Concat = defineOp<ConcatAttrs>({
  opType: 'Concat',
  domain: '',
  inputs: [1, Infinity],
  outputs: [1, 1],
  parseAttrs: (a) => {
    const axis = a.int('axis');
    if (axis === undefined) return a.fail('axis', 'is required');
    return { axis };
  },
  upgrade(node, opset) {
    // Concat-1 defaulted the axis to 1; it became required in opset 4.
    if (opset < 4 && node.attrs['axis'] === undefined) node.attrs['axis'] = { kind: 'int', value: 1 };
  },
  infer(inputs, attrs, node) {
    const dtype = sameType(inputs, node);
    return [{ dtype, shape: concatShape(inputs, attrs, node).shape }];
  },
  evaluate(inputs, attrs, node) {
    const present = inputs.filter((t): t is Tensor => t !== undefined);
    const { axis, shape } = concatShape(present, attrs, node);
    const out = new Tensor(sameType(present, node), shape);
    const { outer, length: outLength, inner } = blocksAround(shape, axis);
    let offset = 0; // position along the axis where the current input starts
    for (const t of present) {
      const block = t.shape[axis] * inner;
      for (let o = 0; o < outer; o++) copyRange(t, o * block, out, (o * outLength + offset) * inner, block);
      offset += t.shape[axis];
    }
    return [out];
  },
});
