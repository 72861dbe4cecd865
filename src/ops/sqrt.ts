// Sqrt: square root, elementwise (NaN for negative inputs).

import { FLOAT_TYPES } from './util/check.js';
import { unaryOp } from './util/ew-unary.js';

export const Sqrt = unaryOp({ opType: 'Sqrt', types: FLOAT_TYPES, kernel: () => Math.sqrt });
