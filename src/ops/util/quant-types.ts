// Element types of the quantization ops, and reading a dtype attribute (output_dtype, precision) with clear refusals.

import { dtypeFromOnnx, type DType } from '../../ir/dtype.js';
import type { AttrReader } from '../attrs.js';

/** Integer types QuantizeLinear produces (and DequantizeLinear reads, with int32). */
export const QUANTIZED_TYPES: readonly DType[] = ['int8', 'uint8', 'int16', 'uint16', 'int4', 'uint4', 'int2', 'uint2'];
export const DEQUANTIZE_INPUT_TYPES: readonly DType[] = [...QUANTIZED_TYPES, 'int32'];
/** Scales and dequantized outputs. */
export const SCALE_TYPES: readonly DType[] = ['float32', 'float16'];
/** Inputs of the 8-bit integer convolution and matrix product ops. */
export const INT8_TYPES: readonly DType[] = ['int8', 'uint8'];

/**
 * A TensorProto.DataType attribute as an IR dtype; absent or 0 gives undefined. Types the IR does not hold
 * (float8, float4, bfloat16) and types outside `allowed` are refused with the attribute named.
 */
export function dtypeAttr(a: AttrReader, name: string, allowed: readonly DType[]): DType | undefined {
  const code = a.int(name, 0);
  if (code === 0) return undefined;
  const found = dtypeFromOnnx(code);
  if ('unsupported' in found) {
    a.fail(name, `is ${found.unsupported}, which edgeprune does not support (supported: ${allowed.join(', ')})`);
  }
  if (!allowed.includes(found.dtype)) a.fail(name, `is ${found.dtype}; supported: ${allowed.join(', ')}`);
  return found.dtype;
}
