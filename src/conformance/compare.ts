// Compare computed tensors with expected ones: exact for integers, a stated tolerance for floats.

import { isFloat } from '../ir/dtype.js';
import { sameShape, shapeToString, type Tensor } from '../ir/tensor.js';

/** Float tolerance: |got - want| <= atol + rtol * |want| (NaN matches NaN). */
export interface Tolerance {
  atol: number;
  rtol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };

export interface Mismatch {
  message: string;
}

/** A description of the first difference, or null when the tensors agree. */
export function compareTensors(got: Tensor, want: Tensor, tol: Tolerance = DEFAULT_TOLERANCE): string | null {
  if (got.dtype !== want.dtype) return `type ${got.dtype}, expected ${want.dtype}`;
  if (!sameShape(got.shape, want.shape)) return `shape ${shapeToString(got.shape)}, expected ${shapeToString(want.shape)}`;
  const float = isFloat(want.dtype);
  for (let i = 0; i < want.size; i++) {
    const g = got.data[i];
    const w = want.data[i];
    if (!float) {
      if (g !== w) return `element ${i} is ${g}, expected ${w}`;
      continue;
    }
    const gn = g as number;
    const wn = w as number;
    if (Number.isNaN(wn) && Number.isNaN(gn)) continue;
    if (gn === wn) continue;
    // An infinity matches only the same infinity (|x − ∞| ≤ rtol·∞ would pass anything).
    if (!Number.isFinite(gn) || !Number.isFinite(wn) || !(Math.abs(gn - wn) <= tol.atol + tol.rtol * Math.abs(wn))) return `element ${i} is ${gn}, expected ${wn} (tolerance ${tol.atol} + ${tol.rtol}·|expected|)`;
  }
  return null;
}

/** Largest absolute difference between two float tensors of the same shape (NaN against NaN and ∞ against the same ∞ count 0; any other NaN, Infinity). */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  let m = 0;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i] as number;
    const y = b.data[i] as number;
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    // (int64 elements are bigints: the difference as a number)
    const d = Math.abs(Number(x) - Number(y));
    m = Math.max(m, Number.isNaN(d) ? Infinity : d);
  }
  return m;
}
