// Element copying for the data-movement ops, exact for every dtype (BigInt storage included: nothing goes through numbers).

import type { TensorData } from '../../ir/dtype.js';
import { shapeSize, Tensor, type Shape } from '../../ir/tensor.js';

/** Read and write access to any tensor storage; elements are copied as stored, never converted. */
export interface Elements {
  [i: number]: number | bigint;
  readonly length: number;
}

/** Block copies between two storages of the same typed-array class. */
interface BlockStorage {
  set(source: ArrayLike<number | bigint>, offset?: number): void;
  subarray(begin: number, end: number): ArrayLike<number | bigint>;
  fill(value: number | bigint, start?: number, end?: number): void;
}

export function elementsOf(t: Tensor): Elements {
  return t.data as unknown as Elements;
}

/** A copy of `t` with another shape of the same size (no storage is shared with the input). */
export function copyAs(t: Tensor, shape: Shape): Tensor {
  return new Tensor(t.dtype, shape, t.data.slice() as TensorData);
}

/** A tensor of `shape` whose element i is element `sourceIndex[i]` of `src`. */
export function takeElements(src: Tensor, shape: Shape, sourceIndex: ArrayLike<number>): Tensor {
  const out = new Tensor(src.dtype, shape);
  const from = elementsOf(src);
  const to = elementsOf(out);
  for (let i = 0; i < to.length; i++) to[i] = from[sourceIndex[i]];
  return out;
}

/**
 * For every element of `outShape` (row-major), the source offset `base + Σ coord[axis] * strides[axis]`:
 * the index map of transposes, strided slices and other affine views.
 */
export function affineOffsets(outShape: Shape, strides: readonly number[], base = 0): Int32Array {
  const n = shapeSize(outShape);
  const offsets = new Int32Array(n);
  const rank = outShape.length;
  const counter = new Array<number>(rank).fill(0);
  let offset = base;
  for (let i = 0; i < n; i++) {
    offsets[i] = offset;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      offset += strides[axis];
      if (counter[axis] < outShape[axis]) break;
      offset -= strides[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return offsets;
}

/** Copy `count` consecutive elements from `src` at `srcStart` into `dst` at `dstStart` (same dtype). */
export function copyRange(src: Tensor, srcStart: number, dst: Tensor, dstStart: number, count: number): void {
  if (count < SHORT_RANGE) {
    // A typed-array view per few elements costs more than copying them one by one.
    const from = elementsOf(src);
    const to = elementsOf(dst);
    for (let i = 0; i < count; i++) to[dstStart + i] = from[srcStart + i];
    return;
  }
  const from = src.data as unknown as BlockStorage;
  (dst.data as unknown as BlockStorage).set(from.subarray(srcStart, srcStart + count), dstStart);
}

/** Ranges shorter than this are copied element by element. */
const SHORT_RANGE = 16;

/** A tensor of `shape` and the dtype of `value`, every element equal to element 0 of `value`. */
export function filledLike(value: Tensor, shape: Shape): Tensor {
  const out = new Tensor(value.dtype, shape);
  if (out.size > 0) (out.data as unknown as BlockStorage).fill(elementsOf(value)[0]);
  return out;
}

/**
 * Split `shape` around `axis` into the product of the dims before it (outer), the axis length and
 * the product of the dims after it (inner): the block layout Concat, Split and Gather work in.
 */
export function blocksAround(shape: Shape, axis: number): { outer: number; length: number; inner: number } {
  return { outer: shapeSize(shape.slice(0, axis)), length: shape[axis], inner: shapeSize(shape.slice(axis + 1)) };
}
