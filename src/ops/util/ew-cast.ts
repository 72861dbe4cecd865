// Element type conversion shared by Cast and CastLike: ONNX's rules between every pair of IR dtypes.

import { dtypeInfo, isBigIntType, isFloat, type DType } from '../../ir/dtype.js';
import { Tensor } from '../../ir/tensor.js';
import { finishFloat16 } from './elementwise.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Convert = (v: any) => number | bigint;

/**
 * Convert every element of `x` to `to`:
 * - to bool: nonzero (NaN included) is true;
 * - to a float type: the nearest value (float16 rounded half to even);
 * - float to an integer of 8 bits or more: truncated toward zero, then wrapped modulo 2^bits
 *   (out-of-range values are undefined behaviour in ONNX; NaN and infinities give 0);
 * - float to a 2- or 4-bit integer: rounded half to even, then wrapped (ONNX's int4 rule);
 * - integer to integer: wrapped modulo 2^bits, as in C.
 */
export function castTensor(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x.clone();
  const out = new Tensor(to, x.shape);
  const convert = converter(x.dtype, to);
  const src = x.data as ArrayLike<any>;
  const dst = out.data as any;
  for (let i = 0; i < src.length; i++) dst[i] = convert(src[i]);
  return finishFloat16(out);
}

function converter(from: DType, to: DType): Convert {
  if (to === 'bool') return (v) => (v === 0 || v === 0n ? 0 : 1);
  if (isFloat(to)) return (v) => Number(v);
  const fromFloat = isFloat(from);
  const fromBig = isBigIntType(from);
  if (isBigIntType(to)) {
    // BigInt64Array/BigUint64Array stores wrap modulo 2^64.
    if (fromFloat) return (v: number) => (Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n);
    return (v) => BigInt(v);
  }
  const { bits, signed } = dtypeInfo(to);
  if (bits < 8) {
    if (fromFloat) return (v: number) => wrapSmall(roundHalfToEven(v), bits, signed);
    if (fromBig) return (v: bigint) => Number(signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
    return (v: number) => wrapSmall(v, bits, signed);
  }
  // Typed-array stores of 8..32-bit integers wrap modulo 2^bits (and store NaN and infinities as 0).
  if (fromFloat) return (v: number) => Math.trunc(v);
  if (fromBig) return signed ? (v: bigint) => Number(BigInt.asIntN(bits, v)) : (v: bigint) => Number(BigInt.asUintN(bits, v));
  return (v: number) => v;
}

/** Round to the nearest integer, ties to even; NaN and infinities give 0. */
export function roundHalfToEven(v: number): number {
  if (!Number.isFinite(v)) return 0;
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Wrap an integer into a `bits`-bit range (two's complement when signed). */
function wrapSmall(v: number, bits: number, signed: boolean): number {
  const m = 2 ** bits;
  let r = ((v % m) + m) % m;
  if (signed && r >= m / 2) r -= m;
  return r;
}
