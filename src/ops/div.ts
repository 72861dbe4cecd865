// Div: elementwise quotient with broadcasting; integer division truncates toward zero, as in C.

import { binaryArithmeticOp } from './util/binary-arithmetic.js';

export const Div = binaryArithmeticOp('Div', {
  num: (x, y) => x / y,
  int: (x, y) => Math.trunc(x / y),
  big: (x, y) => x / y,
});
