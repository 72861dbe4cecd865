// Identity: the input, unchanged (any dtype).

import { defineOp } from './op-def.js';
import { required } from './util/check.js';
import { copyAs } from './util/tensor-copy.js';

export const Identity = defineOp<Record<string, never>>({
  opType: 'Identity',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 1],
  parseAttrs: () => ({}),
  infer(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  evaluate(inputs, _attrs, node) {
    const x = required(inputs, 0, node);
    return [copyAs(x, x.shape)];
  },
});
