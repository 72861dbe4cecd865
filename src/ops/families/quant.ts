// Quantization ops: (De)QuantizeLinear and the integer convolution and matrix products.

import type { OpDef } from '../op-def.js';
import { ConvInteger } from '../conv-integer.js';
import { DequantizeLinear } from '../dequantize-linear.js';
import { MatMulInteger } from '../matmul-integer.js';
import { QLinearConv } from '../qlinear-conv.js';
import { QLinearMatMul } from '../qlinear-matmul.js';
import { QuantizeLinear } from '../quantize-linear.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const QUANT_OPS: readonly OpDef<any>[] = [ConvInteger, DequantizeLinear, MatMulInteger, QLinearConv, QLinearMatMul, QuantizeLinear];
