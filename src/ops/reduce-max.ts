// ReduceMax: maximum over the given axes (all by default); NaN propagates, an empty reduction gives the lowest value.

import { NUMERIC_TYPES } from './util/check.js';
import { extremesOf, reduceOp } from './util/ew-reduce.js';
import { larger } from './util/ew-variadic.js';

export const ReduceMax = reduceOp({
  opType: 'ReduceMax',
  axesInputSince: 18,
  types: [...NUMERIC_TYPES, 'bool'],
  reducer: (dtype) => ({ init: extremesOf(dtype).lowest, step: larger }),
});
