// ReduceSum: sum over the given axes (all by default), in index order; integers wrap.

import { NUMERIC_TYPES } from './util/check.js';
import { adder, reduceOp, zeroOf } from './util/ew-reduce.js';

export const ReduceSum = reduceOp({
  opType: 'ReduceSum',
  axesInputSince: 13,
  types: NUMERIC_TYPES,
  reducer: (dtype) => ({ init: zeroOf(dtype), step: adder(dtype) }),
});
