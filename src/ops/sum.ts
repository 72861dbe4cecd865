// Sum: elementwise sum of one or more inputs, with broadcasting, added left to right.

import { FLOAT_TYPES } from './util/check.js';
import { variadicOp } from './util/ew-variadic.js';

export const Sum = variadicOp({ opType: 'Sum', types: FLOAT_TYPES, combine: (a: number, b: number) => a + b });
