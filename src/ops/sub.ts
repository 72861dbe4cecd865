// Sub: elementwise difference with broadcasting.

import { binaryArithmeticOp } from './util/binary-arithmetic.js';

export const Sub = binaryArithmeticOp('Sub', { num: (x, y) => x - y, big: (x, y) => x - y });
