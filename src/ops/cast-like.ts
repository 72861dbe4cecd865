// CastLike: convert input 0 to the element type of input 1 (whose values are not read).

import { defineOp } from './op-def.js';
import { ignoreFloat8Attrs } from './cast.js';
import { required } from './util/check.js';
import { castTensor } from './util/ew-cast.js';

export const CastLike = defineOp<Record<string, never>>({
  opType: 'CastLike',
  domain: '',
  inputs: [2, 2],
  outputs: [1, 1],
  parseAttrs(a) {
    ignoreFloat8Attrs(a);
    return {};
  },
  infer(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    const like = required(inputs, 1, node);
    // Only the type of input 1 matters, so a constant input 0 gives a constant result (folded away).
    const value = x.value ? castTensor(x.value, like.dtype) : undefined;
    return [{ dtype: like.dtype, shape: x.shape, value }];
  },
  evaluate: (inputs, _attrs, node) => [castTensor(required(inputs, 0, node), required(inputs, 1, node).dtype)],
});
