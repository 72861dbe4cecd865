// ReduceMean: mean over the given axes (all by default); integer means truncate toward zero.

import { isBigIntType, isFloat } from '../ir/dtype.js';
import { NUMERIC_TYPES } from './util/check.js';
import { adder, reduceOp, zeroOf, type Reducer } from './util/ew-reduce.js';
import { roundingFor } from './util/ew-unary.js';

export const ReduceMean = reduceOp({
  opType: 'ReduceMean',
  axesInputSince: 18,
  types: NUMERIC_TYPES,
  reducer: (dtype): Reducer => {
    if (isFloat(dtype)) {
      const round = roundingFor(dtype);
      return { init: 0, step: adder(dtype), finish: (sum: number, count) => round(sum / count) };
    }
    // Integer sums are kept exact (BigInt for 64-bit types) and divided once.
    if (isBigIntType(dtype)) {
      return { init: zeroOf(dtype), step: (a: bigint, b: bigint) => a + b, finish: (sum: bigint, count) => (count ? sum / BigInt(count) : 0n) };
    }
    return { init: 0, step: (a: number, b: number) => a + b, finish: (sum: number, count) => (count ? Math.trunc(sum / count) : 0) };
  },
});
