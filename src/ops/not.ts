// Not: logical negation of a bool tensor.

import { unaryOp } from './util/ew-unary.js';

export const Not = unaryOp({ opType: 'Not', types: ['bool'], kernel: () => (v: number) => (v ? 0 : 1) });
