// Element index maps between a tensor and a view of it whose indices along some axes are remapped (permuted or sliced).

import { shapeSize, stridesOf, type Shape } from '../../ir/tensor.js';

/**
 * For every element of `viewShape` (row-major), its flat index in a tensor of `sourceShape`: along an axis listed in
 * `axes`, view coordinate c is source coordinate axes.get(axis)[c]; along any other axis the coordinate is the same.
 */
export function remappedIndex(viewShape: Shape, sourceShape: Shape, axes: ReadonlyMap<number, ArrayLike<number>>): Int32Array {
  const strides = stridesOf(sourceShape);
  const rank = viewShape.length;
  const n = shapeSize(viewShape);
  const out = new Int32Array(n);
  const coord = new Array<number>(rank).fill(0);
  const source = (axis: number, c: number) => axes.get(axis)?.[c] ?? c;
  for (let i = 0; i < n; i++) {
    let offset = 0;
    for (let a = 0; a < rank; a++) offset += source(a, coord[a]) * strides[a];
    out[i] = offset;
    for (let a = rank - 1; a >= 0; a--) {
      if (++coord[a] < viewShape[a]) break;
      coord[a] = 0;
    }
  }
  return out;
}
