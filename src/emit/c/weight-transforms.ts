// Constant rewrites the C kernels want: transposed matrices and axis-collapsed broadcast shapes.

import { Tensor } from '../../ir/tensor.js';

/** [R][C] → [C][R]. */
export function transpose2d(t: Tensor): Tensor {
  const [R, C] = t.shape;
  const out = new Tensor(t.dtype, [C, R]);
  const src = t.data as Float32Array;
  const dst = out.data as Float32Array;
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) dst[c * R + r] = src[r * C + c];
  return out;
}

/** Row-major strides of `shape` aligned to an output of rank `rank`, 0 on axes where it broadcasts. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = rank - shape.length + i;
    strides[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Merge neighbouring output axes where every operand is either contiguous across both or broadcast
 * on both: fewer, longer loops for the kernel. Returns the collapsed shape and strides.
 */
export function collapseAxes(outShape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const shape: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let i = 0; i < outShape.length; i++) {
    if (outShape[i] === 1) continue;
    const last = shape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => {
      const prev = out[k][last];
      return (prev === 0 && s[i] === 0) || (s[i] !== 0 && prev === s[i] * outShape[i]);
    });
    if (mergeable) {
      shape[last] *= outShape[i];
      strides.forEach((s, k) => (out[k][last] = s[i]));
    } else {
      shape.push(outShape[i]);
      strides.forEach((s, k) => out[k].push(s[i]));
    }
  }
  if (shape.length === 0) return { shape: [1], strides: strides.map(() => [1]) };
  return { shape, strides: out };
}
