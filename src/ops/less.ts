// Less: a < b elementwise with broadcasting, as bool.

import { comparisonOp } from './util/ew-compare.js';

export const Less = comparisonOp('Less', (a, b) => a < b);
