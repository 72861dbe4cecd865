// Elementwise arithmetic, activations, comparisons, reductions and casts.

import type { OpDef } from '../op-def.js';
import { Add } from '../add.js';
import { Div } from '../div.js';
import { Mul } from '../mul.js';
import { Relu } from '../relu.js';
import { Sub } from '../sub.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ELEMENTWISE_OPS: readonly OpDef<any>[] = [Add, Div, Mul, Relu, Sub];
