// LessOrEqual: a <= b elementwise with broadcasting, as bool.

import { comparisonOp } from './util/ew-compare.js';

export const LessOrEqual = comparisonOp('LessOrEqual', (a, b) => a <= b);
