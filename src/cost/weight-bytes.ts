// Bytes of a weight array as the C emitter stores it (its C element type), for the cost model's flash figures.

import { C_ELEMENT_BYTES, cElementType, type CArg } from '../emit/c/c-step.js';

/** Bytes of a weight array as the emitter stores it (its C element type; an empty array holds one element). */
export function weightArrayBytes(arg: Extract<CArg, { kind: 'weight' }>): number {
  return C_ELEMENT_BYTES[cElementType(arg.weight)] * Math.max(1, arg.weight.tensor.size);
}
