// ReduceMin: minimum over the given axes (all by default); NaN propagates, an empty reduction gives the highest value.

import { NUMERIC_TYPES } from './util/check.js';
import { extremesOf, reduceOp } from './util/ew-reduce.js';
import { smaller } from './util/ew-variadic.js';

export const ReduceMin = reduceOp({
  opType: 'ReduceMin',
  axesInputSince: 18,
  types: [...NUMERIC_TYPES, 'bool'],
  reducer: (dtype) => ({ init: extremesOf(dtype).highest, step: smaller }),
});
