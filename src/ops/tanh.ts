// Tanh: hyperbolic tangent, elementwise.

import { FLOAT_TYPES } from './util/check.js';
import { unaryOp } from './util/ew-unary.js';

export const Tanh = unaryOp({ opType: 'Tanh', types: FLOAT_TYPES, kernel: () => Math.tanh });
