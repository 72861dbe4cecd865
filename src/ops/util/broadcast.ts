// Numpy-style multidirectional broadcasting: output shapes and per-input element offsets.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { sameShape, shapeSize, stridesOf, type Shape } from '../../ir/tensor.js';

/** The broadcast result shape of several shapes, or an error naming the node. */
export function broadcastShapes(shapes: readonly Shape[], node: Node): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else {
        throw nodeError(node, `cannot broadcast shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')}`);
      }
    }
  }
  return out;
}

/**
 * For each element of `outShape` (row-major), the index of the element of a tensor of shape
 * `inShape` that broadcasts to it; null when the shapes are equal (offset = index).
 */
export function broadcastOffsets(inShape: Shape, outShape: Shape): Int32Array | null {
  if (sameShape(inShape, outShape)) return null;
  const n = shapeSize(outShape);
  const offsets = new Int32Array(n);
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  // Stride of each output axis into the input: 0 where the input is broadcast (size 1 or missing).
  const s = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    s[o] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = off;
    for (let ax = rank - 1; ax >= 0; ax--) {
      counter[ax]++;
      off += s[ax];
      if (counter[ax] < outShape[ax]) break;
      off -= s[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  return offsets;
}
