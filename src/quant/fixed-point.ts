// The int8 requantization rule, written once: a real multiplier as an int32 mantissa and a right shift, applied with one rounding.
//
// Every int8 op of the interpreter (src/ops/int8-*.ts) and every int8 kernel of the C, HLS and Verilog
// backends computes exactly this (docs/numerics.md, "int8"):
//
//   multiplier M: 0 or an integer in [2^30, 2^31 - 1];  shift s: an integer in [1, 62]
//   requantize(acc, M, s) = saturate_int32( floor( (acc * M + 2^(s-1)) / 2^s ) )
//
// with acc an int32 and the product exact (|acc * M| < 2^62, it fits an int64). That is one rounding,
// half toward +infinity, of the exact value acc * M / 2^s. gemmlowp/TFLite round twice (a saturating
// doubling high multiply, then a rounding shift), which costs more instructions and is off by one LSB
// more often; one 64-bit multiply-accumulate with the rounding constant (SMLAL on Cortex-M3/M4/M7)
// then an arithmetic shift of the high word is exact and cheaper.

import { UserError } from '../errors.js';

/** A real scale factor as a fixed-point multiplier: value = multiplier * 2^-shift. */
export interface FixedPointMultiplier {
  multiplier: number;
  shift: number;
}

export const MIN_SHIFT = 1;
export const MAX_SHIFT = 62;
const TWO_31 = 2 ** 31;

/** Significant bits of a multiplier: 31 (the rule's full mantissa) by default; 8 at the fewest (narrow multipliers for FPGA). */
export const MAX_MULTIPLIER_BITS = 31;
export const MIN_MULTIPLIER_BITS = 8;

/**
 * The fixed-point form of a real multiplier r > 0: the mantissa rounded to 31 bits (ties up), normalized
 * into [2^30, 2^31). Multipliers below 2^-32 lose mantissa bits (shift capped at 62, 0 below 2^-63);
 * multipliers of 2^30 and more cannot be represented and are refused.
 *
 * With bits < 31 (narrow multipliers, docs/numerics.md): the mantissa is rounded to `bits` significant bits
 * instead, so M is a multiple of 2^(31 - bits) (the same rule, a cheaper multiply in hardware), and the shift
 * must exceed 31 - bits (multipliers of 2^(bits - 1) and more are refused).
 */
export function quantizeMultiplier(real: number, what = 'requantization multiplier', bits = MAX_MULTIPLIER_BITS): FixedPointMultiplier {
  if (!(Number.isInteger(bits) && bits >= MIN_MULTIPLIER_BITS && bits <= MAX_MULTIPLIER_BITS)) {
    throw new Error(`${what}: multiplier bits ${bits} outside [${MIN_MULTIPLIER_BITS}, ${MAX_MULTIPLIER_BITS}]`);
  }
  const step = 2 ** (MAX_MULTIPLIER_BITS - bits);
  if (!Number.isFinite(real) || real <= 0) {
    throw new UserError(`${what} is ${real}; it must be a positive finite number`, 'check the scales of the quantized tensors (each scale must be positive and finite)');
  }
  let exponent = Math.floor(Math.log2(real));
  // log2 can be off by one near powers of two: settle exponent so that real / 2^exponent is in [1, 2).
  while (real / 2 ** exponent >= 2) exponent++;
  while (real / 2 ** exponent < 1) exponent--;
  let multiplier = Math.round((real / 2 ** exponent) * 2 ** (bits - 1)) * step; // in [2^30, 2^31], exact in double
  if (multiplier === TWO_31) {
    multiplier = 2 ** 30;
    exponent++;
  }
  let shift = 30 - exponent;
  if (shift < MIN_SHIFT) {
    throw new UserError(
      `${what} is ${real}; multipliers of 2^30 and more cannot be applied to an int32 accumulator`,
      'the scales of this layer are inconsistent: the output scale is far smaller than input scale × weight scale',
    );
  }
  if (step > 1 && shift <= MAX_MULTIPLIER_BITS - bits) {
    throw new UserError(
      `${what} is ${real}; a ${bits}-bit multiplier must be below 2^${bits - 1}`,
      `use more multiplier bits (at most ${MAX_MULTIPLIER_BITS}): the scales of this layer make its multiplier very large`,
    );
  }
  if (shift > MAX_SHIFT) {
    multiplier = Math.round(multiplier / 2 ** (shift - MAX_SHIFT));
    if (step > 1) multiplier = Math.round(multiplier / step) * step;
    shift = MAX_SHIFT;
  }
  return { multiplier, shift };
}

/** The real value a fixed-point multiplier stands for. */
export function multiplierValue(m: FixedPointMultiplier): number {
  return m.multiplier * 2 ** -m.shift;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** floor((acc * M + 2^(s-1)) / 2^s), saturated to int32. acc must be an int32. */
export function requantize(acc: number, m: FixedPointMultiplier): number {
  const { multiplier, shift } = m;
  if (shift < 16) return requantizeBig(acc, m);
  // Exact without BigInt: split M into 16-bit halves so that every partial sum stays below 2^53.
  // acc * M + 2^(s-1) = (acc * high + 2^(s-17)) * 2^16 + acc * low   (for s >= 17; for s = 16 the
  // rounding constant 2^15 joins the low part), and floor(x / 2^s) is taken in two exact steps.
  const high = Math.floor(multiplier / 65536);
  const low = multiplier - high * 65536;
  const roundHigh = shift >= 17 ? 2 ** (shift - 17) : 0;
  const roundLow = shift >= 17 ? 0 : 2 ** 15;
  const carried = acc * high + roundHigh + Math.floor((acc * low + roundLow) / 65536); // |.| < 2^47
  const result = Math.floor(carried / 2 ** (shift - 16));
  return result < INT32_MIN ? INT32_MIN : result > INT32_MAX ? INT32_MAX : result;
}

/** The same rule in BigInt arithmetic (the reference the fast form is tested against). */
export function requantizeBig(acc: number, m: FixedPointMultiplier): number {
  const v = (BigInt(acc) * BigInt(m.multiplier) + (1n << BigInt(m.shift - 1))) >> BigInt(m.shift);
  const n = Number(v);
  return n < INT32_MIN ? INT32_MIN : n > INT32_MAX ? INT32_MAX : n;
}

/** An int8 output: zero point added to the requantized value, then clamped to [min, max] (the fused activation range within [-128, 127]). */
export function requantizeToInt8(acc: number, m: FixedPointMultiplier, zeroPoint: number, min: number, max: number): number {
  const v = requantize(acc, m) + zeroPoint;
  return v < min ? min : v > max ? max : v;
}
