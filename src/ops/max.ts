// Max: elementwise maximum of one or more inputs, with broadcasting (NaN propagates).

import { NUMERIC_TYPES } from './util/check.js';
import { larger, variadicOp } from './util/ew-variadic.js';

export const Max = variadicOp({ opType: 'Max', types: NUMERIC_TYPES, combine: larger });
