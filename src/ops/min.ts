// Min: elementwise minimum of one or more inputs, with broadcasting (NaN propagates).

import { NUMERIC_TYPES } from './util/check.js';
import { smaller, variadicOp } from './util/ew-variadic.js';

export const Min = variadicOp({ opType: 'Min', types: NUMERIC_TYPES, combine: smaller });
