// Neg: -x, elementwise; integers wrap (Neg of the most negative value is itself), as in C.

import type { DType } from '../ir/dtype.js';
import { unaryOp } from './util/ew-unary.js';

const SIGNED_TYPES: readonly DType[] = ['float32', 'float16', 'float64', 'int8', 'int16', 'int32', 'int64'];

export const Neg = unaryOp({
  opType: 'Neg',
  types: SIGNED_TYPES,
  kernel: (dtype) => (dtype === 'int64' ? (v: bigint) => -v : (v: number) => -v),
});
