// HardSigmoid: max(0, min(1, alpha * x + beta)), alpha 0.2 and beta 0.5 by default.

import { FLOAT_TYPES } from './util/check.js';
import { roundingFor, unaryOp } from './util/ew-unary.js';

export const HardSigmoid = unaryOp<{ alpha: number; beta: number }>({
  opType: 'HardSigmoid',
  types: FLOAT_TYPES,
  parseAttrs: (a) => ({ alpha: a.float('alpha', 0.2), beta: a.float('beta', 0.5) }),
  kernel: (dtype, { alpha, beta }) => {
    const r = roundingFor(dtype);
    return (v: number) => Math.max(0, Math.min(1, r(r(alpha * v) + beta)));
  },
});
