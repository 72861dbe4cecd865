// Abs: |x|, elementwise; for signed integers the most negative value wraps to itself, as in C.

import { isBigIntType } from '../ir/dtype.js';
import { NUMERIC_TYPES } from './util/check.js';
import { unaryOp } from './util/ew-unary.js';

export const Abs = unaryOp({
  opType: 'Abs',
  types: NUMERIC_TYPES,
  kernel: (dtype) => (isBigIntType(dtype) ? (v: bigint) => (v < 0n ? -v : v) : Math.abs),
});
