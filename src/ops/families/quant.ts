// Quantization ops: (De)QuantizeLinear and the integer convolution and matrix products.

import type { OpDef } from '../op-def.js';
import { DequantizeLinear } from '../dequantize-linear.js';
import { QuantizeLinear } from '../quantize-linear.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const QUANT_OPS: readonly OpDef<any>[] = [DequantizeLinear, QuantizeLinear];
