// Pow: base^exponent elementwise with broadcasting; the result has the base's type (float or int32/int64).

import { dtypeInfo, isFloat, isInteger, type DType } from '../ir/dtype.js';
import { defineOp } from './op-def.js';
import { broadcastShapes } from './util/broadcast.js';
import { NUMERIC_TYPES, required, requireType } from './util/check.js';
import { mapBroadcast } from './util/elementwise.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const BASE_TYPES: readonly DType[] = ['float32', 'float16', 'float64', 'int32', 'int64'];

/** C's pow for doubles: unlike Math.pow, 1^y is 1 for every y and (-1)^±inf is 1. */
function cPow(b: number, e: number): number {
  if (b === 1 || e === 0) return 1;
  if (b === -1 && (e === Infinity || e === -Infinity)) return 1;
  return Math.pow(b, e);
}

/** b^e for integers, wrapped to a signed `bits`-bit result by square-and-multiply (negative e: the truncated quotient). */
export function intPow(b: bigint, e: bigint, bits: number): bigint {
  if (e < 0n) {
    if (b === 1n) return 1n;
    if (b === -1n) return e % 2n === 0n ? 1n : -1n;
    return 0n;
  }
  let result = 1n;
  let base = BigInt.asIntN(bits, b);
  while (e > 0n) {
    if (e & 1n) result = BigInt.asIntN(bits, result * base);
    base = BigInt.asIntN(bits, base * base);
    e >>= 1n;
  }
  return result;
}

/** Truncate a float result toward zero for an integer base; non-finite results become 0. */
function truncToInt(v: number): number {
  return Number.isFinite(v) ? Math.trunc(v) : 0;
}

function kernelFor(baseType: DType, expType: DType): (b: any, e: any) => number | bigint {
  if (isFloat(baseType)) return (b: number, e: number | bigint) => cPow(b, Number(e));
  const bits = dtypeInfo(baseType).bits;
  const big = baseType === 'int64';
  if (isInteger(expType)) {
    return big
      ? (b: bigint, e: number | bigint) => intPow(b, BigInt(e), bits)
      : (b: number, e: number | bigint) => Number(intPow(BigInt(b), BigInt(e), bits));
  }
  // A float exponent on an integer base: compute in double precision, then truncate as a cast would.
  return big
    ? (b: bigint, e: number) => BigInt(truncToInt(cPow(Number(b), e)))
    : (b: number, e: number) => truncToInt(cPow(b, e));
}

export const Pow = defineOp<Record<string, never>>({
  opType: 'Pow',
  domain: '',
  inputs: [2, 2],
  outputs: [1, 1],
  parseAttrs: () => ({}),
  infer(inputs, _attrs, node) {
    const base = required(inputs, 0, node);
    const exponent = required(inputs, 1, node);
    requireType(base, BASE_TYPES, node, 'base X');
    requireType(exponent, NUMERIC_TYPES, node, 'exponent Y');
    return [{ dtype: base.dtype, shape: broadcastShapes([base.shape, exponent.shape], node) }];
  },
  evaluate(inputs, _attrs, node) {
    const base = required(inputs, 0, node);
    const exponent = required(inputs, 1, node);
    return [mapBroadcast([base, exponent], base.dtype, node, kernelFor(base.dtype, exponent.dtype))];
  },
});
