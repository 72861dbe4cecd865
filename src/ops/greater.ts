// Greater: a > b elementwise with broadcasting, as bool.

import { comparisonOp } from './util/ew-compare.js';

export const Greater = comparisonOp('Greater', (a, b) => a > b);
