// Mean: elementwise mean of one or more inputs, with broadcasting (sum left to right, then divide).

import { FLOAT_TYPES } from './util/check.js';
import { variadicOp } from './util/ew-variadic.js';

export const Mean = variadicOp({
  opType: 'Mean',
  types: FLOAT_TYPES,
  combine: (a: number, b: number) => a + b,
  finish: (sum, count) => sum / count,
});
