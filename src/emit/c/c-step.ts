// One step of the generated C program: a kernel call (or a view) with symbolic arguments, before memory planning.

import type { Tensor } from '../../ir/tensor.js';
import type { SparseDecision } from './sparse-choice.js';

/** An argument of a kernel call; tensors and weights become pointers once the arena is planned. */
export type CArg =
  | { kind: 'value'; name: string; elementOffset?: number }
  | { kind: 'weight'; weight: CWeight; elementOffset?: number }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'null' }
  /** A static const int array declared before the function (shapes, strides, permutations). */
  | { kind: 'ints'; values: number[] }
  /** A C constant name, e.g. EP_UNARY_RELU. */
  | { kind: 'symbol'; name: string };

/** C element types of constant arrays. */
export type CElementType = 'float' | 'int8_t' | 'uint8_t' | 'uint16_t' | 'uint32_t' | 'int32_t' | 'int64_t';

/** Bytes of one element of each C element type. */
export const C_ELEMENT_BYTES: Record<CElementType, number> = { float: 4, int8_t: 1, uint8_t: 1, uint16_t: 2, uint32_t: 4, int32_t: 4, int64_t: 8 };

/** A constant array in flash; `key` identifies it (same key, same array). */
export interface CWeight {
  key: string;
  tensor: Tensor;
  /** Its C element type; by default the tensor's (float32 → float, uint16 → uint16_t, ...). */
  ctype?: CElementType;
}

const C_TYPES: Partial<Record<Tensor['dtype'], CElementType>> = { float32: 'float', int8: 'int8_t', uint8: 'uint8_t', uint16: 'uint16_t', uint32: 'uint32_t', int32: 'int32_t' };

/** The C element type of a tensor dtype, or undefined when the C backend never stores that dtype. */
export function cTypeOf(dtype: Tensor['dtype']): CElementType | undefined {
  return C_TYPES[dtype];
}

/** The C element type of a weight array. */
export function cElementType(w: CWeight): CElementType {
  const t = w.ctype ?? C_TYPES[w.tensor.dtype];
  if (!t) throw new Error(`weight '${w.key}' is ${w.tensor.dtype}, which has no C array type`);
  return t;
}

export interface CCall {
  kernel: string;
  args: CArg[];
  /**
   * The shifts its ep__rq_apply requantizes with that are not `<node>:requant_shift` weights: Int8Add's output, the
   * int8 global average pool's, the int8 average pool's whole windows (src/emit/c/requant-shifts.ts: outside [33, 55]
   * they take the exact rule, whose code branches on the value).
   */
  requantShifts?: number[];
}

export interface CStep {
  /** IR nodes this step implements (a fused activation adds its node). */
  nodes: string[];
  /** What the step does, for the comment above it. */
  summary: string;
  calls: CCall[];
  /** Run-time values read and written (for memory planning). */
  inputs: string[];
  outputs: string[];
  /** Output 0 is input 0 seen with another shape: no code. */
  view?: boolean;
  /** Output/input pairs the kernels allow to share a buffer. */
  inPlace?: { output: number; input: number }[];
  /** Dense vs weight-sparse kernel, for a layer with constant weights that could take either. */
  sparse?: SparseDecision;
}

export const value = (name: string, elementOffset = 0): CArg => ({ kind: 'value', name, elementOffset });
export const int = (v: number): CArg => ({ kind: 'int', value: v });
export const float = (v: number): CArg => ({ kind: 'float', value: v });
export const ints = (values: number[]): CArg => ({ kind: 'ints', values });
export const symbol = (name: string): CArg => ({ kind: 'symbol', name });
export const weight = (key: string, tensor: Tensor): CArg => ({ kind: 'weight', weight: { key, tensor } });
export const NULL_ARG: CArg = { kind: 'null' };
