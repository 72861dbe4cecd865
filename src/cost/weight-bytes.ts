// Bytes of a weight array as the C emitter stores it (its C element type), for the cost model's flash figures.

import { cElementType, type CArg } from '../emit/c/c-step.js';
import { byteSize } from '../ir/dtype.js';

const C_BYTES: Record<string, number> = { float: 4, uint8_t: 1, uint16_t: 2, uint32_t: 4, int32_t: 4 };

/** Bytes of a weight array as the emitter stores it (its C element type; an empty array holds one element). */
export function weightArrayBytes(arg: Extract<CArg, { kind: 'weight' }>): number {
  const size = C_BYTES[cElementType(arg.weight)] ?? byteSize(arg.weight.tensor.dtype);
  return size * Math.max(1, arg.weight.tensor.size);
}
