// Matrix products for Gemm and MatMul: dot products over strided matrices in float, wrapping int32 or exact int64.

import { nodeError } from '../../errors.js';
import type { DType, TensorData } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';

/** Element types Gemm and MatMul accept. */
export const MATMUL_TYPES: readonly DType[] = ['float32', 'float16', 'float64', 'int32', 'uint32', 'int64', 'uint64'];

/** A matrix view into flat storage: element (r, c) is at offset + r * rowStride + c * colStride. */
export interface MatrixView {
  data: TensorData;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** A row-major matrix of `cols` columns starting at `offset`, optionally read transposed. */
export function matrixView(data: TensorData, offset: number, cols: number, transposed = false): MatrixView {
  return transposed ? { data, offset, rowStride: 1, colStride: cols } : { data, offset, rowStride: cols, colStride: 1 };
}

/**
 * out[outOffset + m * N + n] = Σ_k a(m, k) · b(k, n), summed in k order. Float types round every
 * product and sum to float32 (float64 stays exact); int32/uint32 wrap modulo 2^32; int64/uint64
 * wrap modulo 2^64 in BigInt.
 */
export function multiplyInto(
  dtype: DType,
  a: MatrixView,
  b: MatrixView,
  M: number,
  K: number,
  N: number,
  out: TensorData,
  outOffset: number,
): void {
  if (dtype === 'int64' || dtype === 'uint64') return multiplyBig(dtype, a, b, M, K, N, out as BigInt64Array | BigUint64Array, outOffset);
  const x = a.data as Float64Array;
  const y = b.data as Float64Array;
  const dst = out as Float64Array;
  if (dtype === 'int32' || dtype === 'uint32') {
    const toType = dtype === 'int32' ? (v: number) => v | 0 : (v: number) => v >>> 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        let ia = a.offset + m * a.rowStride;
        let ib = b.offset + n * b.colStride;
        for (let k = 0; k < K; k++, ia += a.colStride, ib += b.rowStride) acc = (acc + Math.imul(x[ia], y[ib])) | 0;
        dst[outOffset + m * N + n] = toType(acc);
      }
    }
    return;
  }
  const exact = dtype === 'float64';
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc = 0;
      let ia = a.offset + m * a.rowStride;
      let ib = b.offset + n * b.colStride;
      if (exact) {
        for (let k = 0; k < K; k++, ia += a.colStride, ib += b.rowStride) acc += x[ia] * y[ib];
      } else {
        for (let k = 0; k < K; k++, ia += a.colStride, ib += b.rowStride) acc = Math.fround(acc + Math.fround(x[ia] * y[ib]));
      }
      dst[outOffset + m * N + n] = acc;
    }
  }
}

function multiplyBig(
  dtype: 'int64' | 'uint64',
  a: MatrixView,
  b: MatrixView,
  M: number,
  K: number,
  N: number,
  out: BigInt64Array | BigUint64Array,
  outOffset: number,
): void {
  const x = a.data as BigInt64Array;
  const y = b.data as BigInt64Array;
  const wrap = dtype === 'int64' ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => BigInt.asUintN(64, v);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc = 0n;
      let ia = a.offset + m * a.rowStride;
      let ib = b.offset + n * b.colStride;
      for (let k = 0; k < K; k++, ia += a.colStride, ib += b.rowStride) acc = wrap(acc + x[ia] * y[ib]);
      out[outOffset + m * N + n] = acc;
    }
  }
}

/** How a numpy-style MatMul lines up its operands. */
export interface MatMulLayout {
  M: number;
  K: number;
  N: number;
  /** Broadcast batch dimensions of the output. */
  batchShape: number[];
  /** Batch dimensions of each operand after 1-D promotion (possibly shorter than batchShape). */
  aBatch: number[];
  bBatch: number[];
  outShape: number[];
}

/** numpy matmul shapes: a 1-D A gains a leading 1, a 1-D B a trailing 1, both removed from the output. */
export function matMulLayout(aShape: readonly number[], bShape: readonly number[], node: Node): MatMulLayout {
  if (aShape.length === 0 || bShape.length === 0) throw nodeError(node, 'MatMul inputs must have rank 1 or more (a scalar was given)');
  const a = aShape.length === 1 ? [1, aShape[0]] : [...aShape];
  const b = bShape.length === 1 ? [bShape[0], 1] : [...bShape];
  const M = a[a.length - 2];
  const K = a[a.length - 1];
  const N = b[b.length - 1];
  if (b[b.length - 2] !== K) {
    throw nodeError(node, `inner dimensions differ: A is ${aShape.join('x')}, B is ${bShape.join('x')} (${K} vs ${b[b.length - 2]})`);
  }
  const aBatch = a.slice(0, -2);
  const bBatch = b.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batchShape = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = aBatch[i - (rank - aBatch.length)] ?? 1;
    const db = bBatch[i - (rank - bBatch.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw nodeError(node, `batch dimensions do not broadcast: A is ${aShape.join('x')}, B is ${bShape.join('x')}`);
    }
    batchShape[i] = da === 1 ? db : da;
  }
  const outShape = [...batchShape];
  if (aShape.length > 1) outShape.push(M);
  if (bShape.length > 1) outShape.push(N);
  return { M, K, N, batchShape, aBatch, bBatch, outShape };
}
