// Log: natural logarithm, elementwise (log 0 = -inf, log of a negative number = NaN).

import { FLOAT_TYPES } from './util/check.js';
import { unaryOp } from './util/ew-unary.js';

export const Log = unaryOp({ opType: 'Log', types: FLOAT_TYPES, kernel: () => Math.log });
