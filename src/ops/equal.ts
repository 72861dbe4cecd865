// Equal: a == b elementwise with broadcasting, as bool (numbers and bools; NaN equals nothing).

import { NUMERIC_TYPES } from './util/check.js';
import { comparisonOp } from './util/ew-compare.js';

export const Equal = comparisonOp('Equal', (a, b) => a === b, [...NUMERIC_TYPES, 'bool']);
