// Exp: e^x, elementwise.

import { FLOAT_TYPES } from './util/check.js';
import { unaryOp } from './util/ew-unary.js';

export const Exp = unaryOp({ opType: 'Exp', types: FLOAT_TYPES, kernel: () => Math.exp });
