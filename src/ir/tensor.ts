// Dense row-major tensors with static shapes: the values the interpreter and the passes work on.

import { allocData, dtypeInfo, isBigIntType, type DType, type TensorData } from './dtype.js';
import { roundToFloat16 } from '../util/float16.js';

export type Shape = readonly number[];

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapeToString(shape: Shape): string {
  return shape.length === 0 ? 'scalar' : shape.join('x');
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Number of elements equal to zero (0, -0, or 0n for 64-bit integers). */
export function countZeros(t: Tensor): number {
  let z = 0;
  for (let i = 0; i < t.size; i++) if (t.data[i] == 0) z++; // eslint-disable-line eqeqeq
  return z;
}

/** How many values of `data` are NaN or ±Infinity, and the first of them (0 when there is none). */
export function countNonFinite(data: ArrayLike<number>): { count: number; first: number } {
  let count = 0;
  let first = 0;
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i])) continue;
    if (count === 0) first = data[i];
    count++;
  }
  return { count, first };
}

export class Tensor {
  readonly dtype: DType;
  readonly shape: number[];
  readonly data: TensorData;

  constructor(dtype: DType, shape: Shape, data?: TensorData) {
    this.dtype = dtype;
    this.shape = [...shape];
    const n = shapeSize(shape);
    this.data = data ?? allocData(dtype, n);
    if (this.data.length !== n) {
      throw new Error(`tensor of shape [${shape.join(',')}] needs ${n} elements, got ${this.data.length}`);
    }
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Element i as a JS number (int64 values beyond 2^53 lose precision; use `data` for exact work). */
  at(i: number): number {
    const v = this.data[i];
    return typeof v === 'bigint' ? Number(v) : v;
  }

  /** All elements as JS numbers: meant for small tensors such as shapes, axes and pads. */
  toNumbers(): number[] {
    const out = new Array<number>(this.data.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }

  /** A tensor with the same data and another shape (no copy). */
  reshaped(shape: Shape): Tensor {
    return new Tensor(this.dtype, shape, this.data);
  }

  clone(): Tensor {
    return new Tensor(this.dtype, this.shape, this.data.slice() as TensorData);
  }

  /** Build a tensor from JS numbers, converting to the dtype's storage (floats rounded, ints truncated and wrapped). */
  static fromNumbers(dtype: DType, shape: Shape, values: ArrayLike<number>): Tensor {
    const t = new Tensor(dtype, shape);
    t.setAll(values);
    return t;
  }

  static scalar(dtype: DType, value: number): Tensor {
    return Tensor.fromNumbers(dtype, [], [value]);
  }

  /** Store JS numbers into this tensor's storage, with the dtype's conversion rules. */
  setAll(values: ArrayLike<number>): void {
    const d = this.data;
    if (isBigIntType(this.dtype)) {
      const big = d as BigInt64Array | BigUint64Array;
      for (let i = 0; i < values.length; i++) big[i] = BigInt(Math.trunc(values[i]));
      return;
    }
    const num = d as Exclude<TensorData, BigInt64Array | BigUint64Array>;
    if (this.dtype === 'float16') {
      for (let i = 0; i < values.length; i++) num[i] = roundToFloat16(values[i]);
    } else if (this.dtype === 'bool') {
      for (let i = 0; i < values.length; i++) num[i] = values[i] ? 1 : 0;
    } else if (dtypeInfo(this.dtype).bits < 8) {
      for (let i = 0; i < values.length; i++) num[i] = wrapSubByte(this.dtype, values[i]);
    } else {
      for (let i = 0; i < values.length; i++) num[i] = values[i];
    }
  }
}

/** Wrap an integer into a sub-byte type's range, as storing it in that many bits would. */
function wrapSubByte(dtype: DType, v: number): number {
  const { bits, signed } = dtypeInfo(dtype);
  const m = 1 << bits;
  let r = ((Math.trunc(v) % m) + m) % m;
  if (signed && r >= m / 2) r -= m;
  return r;
}
