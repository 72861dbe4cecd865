// The quantization arithmetic rule, written once: rounding, saturation, (de)quantization and requantization.
//
// Every quantized op of the interpreter computes through these functions, and the int8 C and Verilog
// backends must implement exactly the same rule (they are compared bit for bit against the interpreter):
//
// 1. Rounding is round-half-to-even ("banker's rounding", IEEE 754 roundTiesToEven, C `nearbyintf` in the
//    default rounding mode): the nearest integer, and an exact tie .5 goes to the even neighbour.
//    0.5 → 0, 1.5 → 2, 2.5 → 2, -0.5 → 0, -1.5 → -2, -2.5 → -2.
// 2. Saturation clamps to the output type's range (int8 [-128, 127], uint8 [0, 255], int4 [-8, 7], ...).
//    +Inf saturates to the maximum; -Inf and NaN saturate to the minimum (what onnxruntime and the ONNX
//    reference both produce for NaN).
// 3. QuantizeLinear: q = saturate(round(fl(x / scale)) + zero_point). fl(x / scale) is the IEEE quotient
//    rounded to the working precision: float32 (Math.fround), float16 when x and scale are both float16,
//    float64 when x is int32 (numpy's promotion, as the ONNX reference computes it).
// 4. DequantizeLinear: y = fl_out(fl32(fl32(x - zero_point) * scale)): the integer difference converted to
//    float32, multiplied in float32, then rounded to the output type (float16 output: a second rounding,
//    as the ONNX reference and onnxruntime do). For 8- and 16-bit inputs x - zero_point is exact.
// 5. Requantization (QLinearConv, QLinearMatMul), onnxruntime's MLAS rule, all in float32:
//    multiplier = fl32(fl32(scale_a * scale_b) / scale_y)  (in float16 when the scales are float16),
//    y = saturate(round(fl32(fl32(acc) * multiplier)) + zero_point_y),
//    where acc is the exact integer accumulator wrapped to int32 (bias included).
//    The ONNX Python reference multiplies acc * multiplier in float64 instead; the two differ only when
//    the exact product lies within 2^-24 relative of a .5 tie.

import { dtypeInfo, type DType } from '../../ir/dtype.js';
import { roundToFloat16 } from '../../util/float16.js';

/** Round to the nearest integer, ties to even. Non-finite values pass through. */
export function roundHalfToEven(v: number): number {
  if (!Number.isFinite(v)) return v;
  const floor = Math.floor(v);
  const fraction = v - floor; // exact for every double
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Clamp an integer-valued number into an integer dtype's range; NaN becomes the minimum. */
export function saturateTo(dtype: DType, v: number): number {
  const { min, max } = dtypeInfo(dtype);
  if (Number.isNaN(v) || v < min) return min;
  return v > max ? max : v;
}

/** The stored value for an already divided real value: saturate(round(scaled) + zeroPoint). */
export function quantizeScaled(dtype: DType, scaled: number, zeroPoint: number): number {
  return saturateTo(dtype, roundHalfToEven(scaled) + zeroPoint);
}

/** Rounding of a float result to a float dtype's precision. */
export function roundToFloatType(dtype: DType): (v: number) => number {
  if (dtype === 'float16') return roundToFloat16;
  if (dtype === 'float64') return (v) => v;
  return Math.fround;
}

/** The working precision of x / scale in QuantizeLinear (rule 3). */
export function divisionPrecision(xType: DType, scaleType: DType): DType {
  if (xType === 'int32' || xType === 'float64' || scaleType === 'float64') return 'float64';
  return xType === 'float16' && scaleType === 'float16' ? 'float16' : 'float32';
}

/** One dequantized value (rule 4), before rounding to a float16 output. */
export function dequantizeValue(x: number, zeroPoint: number, scale: number): number {
  return Math.fround(Math.fround(x - zeroPoint) * scale);
}

/** The requantization multiplier scaleA * scaleB / scaleY, rounded step by step in the scales' precision. */
export function requantMultiplier(scaleA: number, scaleB: number, scaleY: number, scaleType: DType): number {
  const round = scaleType === 'float16' ? roundToFloat16 : Math.fround;
  return round(round(scaleA * scaleB) / scaleY);
}

/** Requantize an exact integer accumulator (rule 5). */
export function requantize(dtype: DType, acc: number, multiplier: number, zeroPoint: number): number {
  return quantizeScaled(dtype, Math.fround(Math.fround(wrapInt32(acc)) * multiplier), zeroPoint);
}

/** An exact integer accumulator as a 32-bit accumulator holds it (modulo 2^32, two's complement). */
export function wrapInt32(v: number): number {
  return v | 0;
}
