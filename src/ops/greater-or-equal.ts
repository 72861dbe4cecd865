// GreaterOrEqual: a >= b elementwise with broadcasting, as bool.

import { comparisonOp } from './util/ew-compare.js';

export const GreaterOrEqual = comparisonOp('GreaterOrEqual', (a, b) => a >= b);
