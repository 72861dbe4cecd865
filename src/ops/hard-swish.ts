// HardSwish: x * max(0, min(1, x / 6 + 1/2)), elementwise.

import { FLOAT_TYPES } from './util/check.js';
import { roundingFor, unaryOp } from './util/ew-unary.js';

export const HardSwish = unaryOp({
  opType: 'HardSwish',
  types: FLOAT_TYPES,
  kernel: (dtype) => {
    const r = roundingFor(dtype);
    const alpha = r(1 / 6);
    return (v: number) => v * Math.max(0, Math.min(1, r(r(alpha * v) + 0.5)));
  },
});
