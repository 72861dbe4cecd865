// Sigmoid: 1 / (1 + e^-x), elementwise, in the form that cannot overflow for either sign.

import { FLOAT_TYPES } from './util/check.js';
import { unaryOp } from './util/ew-unary.js';

export const Sigmoid = unaryOp({
  opType: 'Sigmoid',
  types: FLOAT_TYPES,
  kernel: () => (v: number) => {
    if (v >= 0) return 1 / (1 + Math.exp(-v));
    const e = Math.exp(v);
    return e / (1 + e);
  },
});
