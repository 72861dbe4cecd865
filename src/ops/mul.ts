// Mul: elementwise product with broadcasting (32-bit integers multiply modulo 2^32, as in C).

import { binaryArithmeticOp } from './util/binary-arithmetic.js';

export const Mul = binaryArithmeticOp('Mul', { num: (x, y) => x * y, int32: Math.imul, big: (x, y) => x * y });
