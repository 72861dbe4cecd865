// LeakyRelu: x for x >= 0, alpha * x below zero (alpha defaults to 0.01).

import { FLOAT_TYPES } from './util/check.js';
import { unaryOp } from './util/ew-unary.js';

export const LeakyRelu = unaryOp<{ alpha: number }>({
  opType: 'LeakyRelu',
  types: FLOAT_TYPES,
  parseAttrs: (a) => ({ alpha: a.float('alpha', 0.01) }),
  kernel: (_dtype, { alpha }) => (v: number) => (v < 0 ? alpha * v : v),
});
