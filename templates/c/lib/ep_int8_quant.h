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
 * IEEE encodings (a reciprocal of the scale's mantissa per call, a multiply and one exact correction per element),
 * instead of the soft-float division (about 250 instructions per element there). EP_S8_QUANT_INT
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

/* The reciprocal of a scale's mantissa ms (in [2^23, 2^24)) for ep__quantize_int: R = floor((2^55 - 1) / ms), below 2^32
 * (2^32 - 1 for ms = 2^23), by long division in 8-bit digits (four 32-bit divisions, once per call; folded by the
 * compiler when the scale is a constant). */
EP_INLINE uint32_t ep__quant_reciprocal(uint32_t ms) {
  uint32_t r = 0x7fffffffu; /* the top 31 of the 55 one bits */
  const uint32_t q1 = r / ms;
  r = (r - q1 * ms) << 8 | 255u;
  const uint32_t q2 = r / ms;
  r = (r - q2 * ms) << 8 | 255u;
  const uint32_t q3 = r / ms;
  r = (r - q3 * ms) << 8 | 255u;
  const uint32_t q4 = r / ms;
  return q1 << 24 | q2 << 16 | q3 << 8 | q4;
}

/* qf = floor(m * 2^26 / ms) for m, ms in [2^23, 2^24) (so qf in [2^25, 2^27)), and its remainder in *rem, from the
 * reciprocal rs = ep__quant_reciprocal(ms) and one correction: the long division's quotient and sticky bit, exactly.
 *   N = m * 2^26, X = N / ms, q = floor(m * rs / 2^29).
 *   rs * ms <= 2^55 - 1 < 2^55, so m * rs / 2^29 < X and q <= floor(X).
 *   rs > (2^55 - 1) / ms - 1, so rs * ms > 2^55 - 1 - ms >= 2^55 - 2^24 and m * rs / 2^29 > X - m / (2^5 * ms) > X - 1/16
 *   (m / ms < 2); q >= floor(X) - 1.
 * So the remainder N - q * ms is in [0, 2 ms), below 2^25: computed modulo 2^32 (wrap-around) it is exact, and one
 * compare-and-subtract gives floor(X) and its remainder: at most one correction. Checked against the long division on
 * every m of boundary mantissas ms and millions of other pairs by test/c-kernels/quantize-int.test.ts. */
EP_INLINE uint32_t ep__mantissa_quotient(uint32_t m, uint32_t ms, uint32_t rs, uint32_t *rem) {
  uint32_t q = (uint32_t)(((uint64_t)m * rs) >> 29); /* floor(X) or floor(X) - 1 */
  uint32_t r = (m << 26) - q * ms;                    /* N - q * ms, exact modulo 2^32 */
  if (r >= ms) q++, r -= ms;
  *rem = r;
  return q;
}

/* saturate(round_half_to_even(fl32(x / s)) + zero_point) for a normal s = ms * 2^es (ms in [2^23, 2^24)), exactly:
 * the mantissa quotient m / ms to 27 bits with a sticky remainder (ep__mantissa_quotient, rs its reciprocal), rounded
 * to float32's 24 bits (ties to even: fl32 of the IEEE division), then to an integer (ties to even). */
EP_INLINE int8_t ep__quantize_int(float x, uint32_t ms, uint32_t rs, int32_t es, int32_t zero_point) {
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
    uint32_t r;
    const uint32_t qf = ep__mantissa_quotient(m, ms, rs, &r); /* floor(m * 2^26 / ms), in [2^25, 2^27) */
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
 * zero_point) (rule 3 of quant-round.ts): the IEEE float32 quotient, never a reciprocal product (the integer path's
 * reciprocal only estimates the mantissa quotient, then corrected to the exact one).
 * zero_point in [-128, 127]; y may equal x only if it is a separate buffer (int8 is narrower). */
EP_INLINE void ep_quantize_f32_s8(const float *x, int8_t *y, int n, float scale, int32_t zero_point) {
#if EP_S8_QUANT_INT_PATH
  const uint32_t su = ep__f32_bits(scale);
  const uint32_t se = (su >> 23) & 255u;
  if (se != 0 && se != 255 && !(su >> 31)) { /* a positive normal scale */
    const uint32_t ms = (su & 0x7fffffu) | 0x800000u;
    const uint32_t rs = ep__quant_reciprocal(ms);
    const int32_t es = (int32_t)se - 150;
    for (int i = 0; i < n; i++) y[i] = ep__quantize_int(x[i], ms, rs, es, zero_point);
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
