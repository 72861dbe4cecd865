// Relu: max(x, 0), elementwise.

import { defineOp } from './op-def.js';
import { required, requireType, NUMERIC_TYPES } from './util/check.js';
import { mapUnary } from './util/elementwise.js';

export const Relu = defineOp<Record<string, never>>({
  opType: 'Relu',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 1],
  parseAttrs: () => ({}),
  infer(inputs, _a, node) {
    const x = required(inputs, 0, node);
    requireType(x, NUMERIC_TYPES, node, 'input X');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  evaluate: (inputs, _a, node) => [mapUnary(required(inputs, 0, node), (v) => (v > 0 ? v : typeof v === 'bigint' ? 0n : 0))],
});
