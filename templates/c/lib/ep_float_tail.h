/* edgeprune MCU kernels: the float Softmax tail of an int8 model (docs/numerics.md, "int8": a final Softmax runs in
 * float after a DequantizeLinear), bit-exact with the interpreter, so that verify's int8 comparison stays bit for bit.
 * The interpreter's Softmax (src/ops/util/ew-softmax.ts) rounds JavaScript's double exp to float32; V8's Math.exp is
 * fdlibm's __ieee754_exp (V8's base/ieee754.cc), and ep__exp_f64 is the same algorithm, operation for operation, in
 * IEEE double (+ - * / and bit moves: the same bits on the host and in the Cortex-M's software double). It costs a
 * few thousand instructions per element on a core without a double FPU: fine for a classifier's last few outputs.
 * Float models keep ep_softmax_f32 (ep_expf, within an ulp). */
#ifndef EP_FLOAT_TAIL_H
#define EP_FLOAT_TAIL_H

#include "ep_common.h"

EP_INLINE uint32_t ep__f64_hi(double x) {
  uint64_t b;
  memcpy(&b, &x, 8);
  return (uint32_t)(b >> 32);
}

EP_INLINE uint32_t ep__f64_lo(double x) {
  uint64_t b;
  memcpy(&b, &x, 8);
  return (uint32_t)b;
}

EP_INLINE double ep__f64_words(uint32_t hi, uint32_t lo) {
  const uint64_t b = (uint64_t)hi << 32 | lo;
  double x;
  memcpy(&x, &b, 8);
  return x;
}

/* e^x in double: fdlibm's __ieee754_exp as V8 has it (argument reduction by k ln2 in two parts, a degree-5 rational
 * approximation, scaling by 2^k). */
EP_INLINE double ep__exp_f64(double x) {
  static const double halF[2] = {0.5, -0.5};
  static const double ln2HI[2] = {6.93147180369123816490e-01, -6.93147180369123816490e-01};
  static const double ln2LO[2] = {1.90821492927058770002e-10, -1.90821492927058770002e-10};
  const double one = 1.0, huge = 1.0e+300, twom1000 = 9.33263618503218878990e-302, two1023 = 8.988465674311579539e307;
  const double o_threshold = 7.09782712893383973096e+02, u_threshold = -7.45133219101941108420e+02;
  const double invln2 = 1.44269504088896338700e+00;
  const double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05;
  const double P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08;
  double y, hi = 0.0, lo = 0.0, c, t, twopk;
  int32_t k = 0;
  uint32_t hx = ep__f64_hi(x);
  const int xsb = (int)(hx >> 31);
  hx &= 0x7fffffffu;
  if (hx >= 0x40862E42u) { /* |x| >= 709.78... */
    if (hx >= 0x7ff00000u) {
      if (((hx & 0xfffffu) | ep__f64_lo(x)) != 0) return x + x; /* NaN */
      return xsb == 0 ? x : 0.0;                                 /* exp(+-inf) = {inf, 0} */
    }
    if (x > o_threshold) return INFINITY;
    if (x < u_threshold) return twom1000 * twom1000; /* underflow */
  }
  if (hx > 0x3fd62e42u) {   /* |x| > 0.5 ln2 */
    if (hx < 0x3FF0A2B2u) { /* and |x| < 1.5 ln2 */
      if (x == 1.0) return 2.718281828459045;
      hi = x - ln2HI[xsb];
      lo = ln2LO[xsb];
      k = 1 - xsb - xsb;
    } else {
      k = (int32_t)(invln2 * x + halF[xsb]);
      t = k;
      hi = x - t * ln2HI[0]; /* t*ln2HI is exact here */
      lo = t * ln2LO[0];
    }
    x = hi - lo;
  } else if (hx < 0x3e300000u) { /* |x| < 2^-28 */
    if (huge + x > one) return one + x;
  } else {
    k = 0;
  }
  t = x * x;
  twopk = ep__f64_words((uint32_t)(0x3ff00000 + ((k >= -1021 ? k : k + 1000) * (1 << 20))), 0);
  c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return one - ((x * c) / (c - 2.0) - x);
  y = one - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) return k == 1024 ? y * 2.0 * two1023 : y * twopk;
  return y * twopk * twom1000;
}

/* Softmax over the middle axis of [outer][len][inner] in the interpreter's steps: m = max (NaN propagates),
 * e = (float)exp((double)(x - m)), s = the sum of e in order (float), then e / s. y may equal x. */
EP_INLINE void ep_softmax_tail_f32(const float *x, float *y, int outer, int len, int inner) {
  for (int o = 0; o < outer; o++, x += len * inner, y += len * inner) {
    for (int i = 0; i < inner; i++) {
      float m = -INFINITY;
      for (int k = 0; k < len; k++) {
        const float v = x[k * inner + i];
        if (v > m || v != v) m = v;
      }
      float s = 0.0f;
      for (int k = 0; k < len; k++) {
        const float e = (float)ep__exp_f64((double)(x[k * inner + i] - m));
        s = s + e;
        y[k * inner + i] = e;
      }
      for (int k = 0; k < len; k++) y[k * inner + i] = y[k * inner + i] / s;
    }
  }
}

#endif /* EP_FLOAT_TAIL_H */
