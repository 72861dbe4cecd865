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

/* Cores without a floating-point unit but with an integer divider (Cortex-M3): the division in integers, from the
 * IEEE encodings, instead of the soft-float division (about 250 instructions per element there). EP_S8_QUANT_INT
 * forces it (host tests). */
#if defined(EP_S8_QUANT_INT) || (!defined(__ARM_FP) && defined(__ARM_FEATURE_IDIV))
#define EP_S8_QUANT_INT_PATH 1
#else
#define EP_S8_QUANT_INT_PATH 0
#endif

EP_INLINE uint32_t ep__f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

/* saturate(round_half_to_even(fl32(x / s)) + zero_point) for a normal s = ms * 2^es (ms in [2^23, 2^24)), exactly:
 * the mantissa quotient m / ms to 27 bits by long division (four 32-bit divisions) with a sticky remainder,
 * rounded to float32's 24 bits (ties to even: fl32 of the IEEE division), then to an integer (ties to even). */
EP_INLINE int8_t ep__quantize_int(float x, uint32_t ms, int32_t es, int32_t zero_point) {
  const uint32_t u = ep__f32_bits(x);
  const uint32_t neg = u >> 31;
  const int32_t e = (int32_t)((u >> 23) & 255u);
  uint32_t m = u & 0x7fffffu;
  if (e == 255) return m || neg ? -128 : 127; /* NaN, -inf, +inf */
  int32_t ex;
  if (e == 0) {
    if (m == 0) return (int8_t)(zero_point < -128 ? -128 : zero_point > 127 ? 127 : zero_point); /* +-0 */
    int sh = 0;
    while (m < 0x800000u) m <<= 1, sh++; /* subnormal: normalize */
    ex = -149 - sh;
  } else {
    m |= 0x800000u;
    ex = e - 150;
  }
  const int32_t d = ex - es; /* x / s = (m / ms) * 2^d, m / ms in (1/2, 2) */
  int32_t n;
  if (d >= 9) {
    n = 512; /* |x / s| > 256: saturates whatever the zero point */
  } else if (d <= -3) {
    n = 0; /* |x / s| < 1/4 */
  } else {
    uint32_t r = m << 8;
    const uint32_t q1 = r / ms;
    r -= q1 * ms;
    r <<= 8;
    const uint32_t q2 = r / ms;
    r -= q2 * ms;
    r <<= 8;
    const uint32_t q3 = r / ms;
    r -= q3 * ms;
    r <<= 2;
    const uint32_t q4 = r / ms;
    r -= q4 * ms;
    const uint32_t qf = q1 << 18 | q2 << 10 | q3 << 2 | q4; /* floor(m * 2^26 / ms), in [2^25, 2^27) */
    /* 24 significant bits, guard bit and sticky bits; the value is mant * 2^(d - 23 or d - 24) */
    const int wide = qf >= (1u << 26);
    uint32_t mant = qf >> (wide ? 3 : 2);
    const uint32_t low = qf & (wide ? 7u : 3u);
    const uint32_t half = wide ? 4u : 2u;
    int32_t k = wide ? 23 - d : 24 - d; /* value = mant / 2^k, k in [15, 27] */
    if (low > half || (low == half && (r != 0 || (mant & 1u)))) mant++; /* fl32: to nearest, ties to even */
    if (mant == (1u << 24)) mant >>= 1, k--;
    /* round_half_to_even(mant / 2^k) */
    const uint32_t whole = mant >> k;
    const uint32_t frac = mant & ((1u << k) - 1u);
    const uint32_t hk = 1u << (k - 1);
    n = (int32_t)(whole + (frac > hk || (frac == hk && (whole & 1u))));
  }
  int32_t v = (neg ? -n : n) + zero_point;
  v = v < -128 ? -128 : v;
  return (int8_t)(v > 127 ? 127 : v);
}

/* QuantizeLinear float32 -> int8, per tensor: y = saturate(round_half_to_even(fl32(x / scale)) +
 * zero_point) (rule 3 of quant-round.ts): the IEEE float32 quotient, never a reciprocal product.
 * zero_point in [-128, 127]; y may equal x only if it is a separate buffer (int8 is narrower). */
EP_INLINE void ep_quantize_f32_s8(const float *x, int8_t *y, int n, float scale, int32_t zero_point) {
#if EP_S8_QUANT_INT_PATH
  const uint32_t su = ep__f32_bits(scale);
  const uint32_t se = (su >> 23) & 255u;
  if (se != 0 && se != 255 && !(su >> 31)) { /* a positive normal scale */
    const uint32_t ms = (su & 0x7fffffu) | 0x800000u;
    const int32_t es = (int32_t)se - 150;
    for (int i = 0; i < n; i++) y[i] = ep__quantize_int(x[i], ms, es, zero_point);
    return;
  }
#endif
  for (int i = 0; i < n; i++) y[i] = ep__quantize_one(x[i] / scale, zero_point);
}

/* DequantizeLinear int8 -> float32, per tensor: y = fl32((float)(x - zero_point) * scale) (rule 4;
 * the difference is exact). */
EP_INLINE void ep_dequantize_s8_f32(const int8_t *x, float *y, int n, float scale, int32_t zero_point) {
  for (int i = 0; i < n; i++) y[i] = (float)((int32_t)x[i] - zero_point) * scale;
}

#endif /* EP_INT8_QUANT_H */
