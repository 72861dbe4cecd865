// Data movement and shape ops: reshapes, transposes, concatenation, padding, gathers, constants.

import type { OpDef } from '../op-def.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TENSOR_OPS: readonly OpDef<any>[] = [];
