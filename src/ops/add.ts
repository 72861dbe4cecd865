// Add: elementwise sum with broadcasting.

import { binaryArithmeticOp } from './util/binary-arithmetic.js';

export const Add = binaryArithmeticOp('Add', { num: (x, y) => x + y, big: (x, y) => x + y });
