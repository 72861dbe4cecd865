// Reshape: same elements, a new shape given by a constant int64 input (0 copies a dim, -1 infers one).

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { shapeSize, shapeToString } from '../ir/tensor.js';
import { defineOp, type InferInput } from './op-def.js';
import { required } from './util/check.js';
import { copyAs } from './util/tensor-copy.js';
import { constantInts, withValues } from './util/tensor-ints.js';
import { moveIntsAttrToInput } from './util/tensor-upgrade.js';

export interface ReshapeAttrs {
  allowZero: boolean;
}

/** The output shape for an input shape and a requested shape, with ONNX's rules for 0 and -1. */
export function reshapeTarget(inShape: readonly number[], requested: readonly number[], allowZero: boolean, node: Node): number[] {
  const out = requested.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= inShape.length) throw nodeError(node, `shape [${requested.join(', ')}] copies dim ${i} (0), but the input has rank ${inShape.length}`);
      return inShape[i];
    }
    if (d < -1) throw nodeError(node, `shape [${requested.join(', ')}] has the invalid dim ${d}`);
    return d;
  });
  const inferred = out.flatMap((d, i) => (d === -1 ? [i] : []));
  if (inferred.length > 1) throw nodeError(node, `shape [${requested.join(', ')}] has more than one -1`);
  if (allowZero && inferred.length === 1 && requested.includes(0)) {
    throw nodeError(node, `shape [${requested.join(', ')}] has both 0 and -1, which allowzero=1 forbids`);
  }
  const total = shapeSize(inShape);
  if (inferred.length === 1) {
    const known = shapeSize(out.filter((d) => d !== -1));
    if (known === 0 || total % known !== 0) {
      throw nodeError(node, `cannot reshape ${shapeToString(inShape)} (${total} elements) to [${requested.join(', ')}]: the -1 dim has no integer size`);
    }
    out[inferred[0]] = total / known;
  }
  if (shapeSize(out) !== total) {
    throw nodeError(node, `cannot reshape ${shapeToString(inShape)} (${total} elements) to [${requested.join(', ')}] (${shapeSize(out)} elements)`);
  }
  return out;
}

function outputShape(inputs: readonly (InferInput | undefined)[], attrs: ReshapeAttrs, node: Node): number[] {
  const x = required(inputs, 0, node);
  const requested = constantInts(required(inputs, 1, node), node, 'input shape')!;
  return reshapeTarget(x.shape, requested, attrs.allowZero, node);
}

export const Reshape = defineOp<ReshapeAttrs>({
  opType: 'Reshape',
  domain: '',
  inputs: [2, 2],
  outputs: [1, 1],
  parseAttrs: (a) => ({ allowZero: a.intOf('allowzero', 0, [0, 1]) === 1 }),
  upgrade(node, opset, ctx) {
    if (opset >= 5) return;
    // Reshape-1 and -4 held the shape as an attribute; consumed_inputs was a legacy optimization hint.
    delete node.attrs['consumed_inputs'];
    if (!moveIntsAttrToInput(node, 'shape', 1, ctx)) throw nodeError(node, `has no 'shape' attribute (required before opset 5)`);
  },
  infer(inputs, attrs, node) {
    return [{ dtype: required(inputs, 0, node).dtype, shape: outputShape(inputs, attrs, node) }];
  },
  evaluate(inputs, attrs, node) {
    return [copyAs(required(inputs, 0, node), outputShape(withValues(inputs), attrs, node))];
  },
});
