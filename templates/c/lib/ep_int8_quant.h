/* edgeprune MCU kernels: int8 (de)quantization at the float/int8 boundary of a quantized model
 * (QuantizeLinear after a graph input, DequantizeLinear before an output), per-tensor scale and zero
 * point; the rules of src/ops/util/quant-round.ts (docs/numerics.md, "int8"), without libm. */
#ifndef EP_INT8_QUANT_H
#define EP_INT8_QUANT_H

#include "ep_common.h"

/* 1.5 * 2^23: adding it to a float of magnitude at most 2^22 leaves the integer part in the low
 * mantissa bits, rounded half to even by the IEEE addition (the default rounding mode); subtracting
 * it again gives that integer exactly. */
#define EP__ROUND_MAGIC 12582912.0f

/* One int8 from an already divided value q: saturate(round_half_to_even(q) + zero_point); NaN and
 * -inf give -128, +inf 127. Beyond +-256 the result saturates whatever the zero point, so the
 * rounding only ever sees |q| < 256. */
EP_INLINE int8_t ep__quantize_one(float q, int32_t zero_point) {
  if (q >= 256.0f) return 127;
  if (!(q > -256.0f)) return -128; /* also NaN */
  const float r = (q + EP__ROUND_MAGIC) - EP__ROUND_MAGIC;
  int32_t v = (int32_t)r + zero_point;
  v = v < -128 ? -128 : v;
  return (int8_t)(v > 127 ? 127 : v);
}

/* QuantizeLinear float32 -> int8, per tensor: y = saturate(round_half_to_even(fl32(x / scale)) +
 * zero_point) (rule 3 of quant-round.ts): the IEEE float32 quotient, never a reciprocal product.
 * zero_point in [-128, 127]; y may equal x only if it is a separate buffer (int8 is narrower). */
EP_INLINE void ep_quantize_f32_s8(const float *x, int8_t *y, int n, float scale, int32_t zero_point) {
  for (int i = 0; i < n; i++) y[i] = ep__quantize_one(x[i] / scale, zero_point);
}

/* DequantizeLinear int8 -> float32, per tensor: y = fl32((float)(x - zero_point) * scale) (rule 4;
 * the difference is exact). */
EP_INLINE void ep_dequantize_s8_f32(const int8_t *x, float *y, int n, float scale, int32_t zero_point) {
  for (int i = 0; i < n; i++) y[i] = (float)((int32_t)x[i] - zero_point) * scale;
}

#endif /* EP_INT8_QUANT_H */
