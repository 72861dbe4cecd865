/* edgeprune MCU kernels: float math (exp, log, tanh, erf, pow) that gives the same bits on every
 * IEEE-754 machine. The C library's expf/logf/... differ between glibc (host) and newlib (target) in
 * the last bit, which would break the host-vs-target bit identity of generated code; these use only
 * + - * / fmaf and integer bit operations (powf: double + - * / as well, which a Cortex-M4 does in
 * software, also exactly). Accuracy: within a few float ulps (measured by bench/kernels/math-accuracy.c).
 * Polynomial coefficients are least-squares fits at Chebyshev nodes (bench/kernels/fit-math.py). */
#ifndef EP_MATH_H
#define EP_MATH_H

#include "ep_common.h"

EP_INLINE uint32_t ep__bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

EP_INLINE float ep__from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* x * 2^k for a float x near 1 and any k (two steps below the normal range: one rounding). */
EP_INLINE float ep__scale2(float x, int k) {
  if (k > 127) return x * ep__from_bits(0x7f000000u) * ep__from_bits((uint32_t)(k - 127 + 127) << 23);
  if (k < -126) return x * ep__from_bits((uint32_t)(k + 100 + 127) << 23) * ep__from_bits((uint32_t)(127 - 100) << 23);
  return x * ep__from_bits((uint32_t)(k + 127) << 23);
}

/* e^x. */
EP_INLINE float ep_expf(float x) {
  if (x != x) return x + x;
  if (x > 88.8f) return INFINITY;
  if (x < -104.0f) return 0.0f;
  /* x = k*ln2 + r, |r| <= ln2/2; k*ln2 is subtracted in two exact parts (fmaf). */
  const float kf = (x * 1.44269502f + 12582912.0f) - 12582912.0f; /* round to nearest integer */
  const int k = (int)kf;
  float r = fmaf(kf, -0.693145751953125f, x);
  r = fmaf(kf, -1.42860677e-06f, r);
  /* e^r = 1 + r + r^2 * q(r) */
  float q = fmaf(1.982649555e-04f, r, 1.394602121e-03f);
  q = fmaf(q, r, 8.333429694e-03f);
  q = fmaf(q, r, 4.166626930e-02f);
  q = fmaf(q, r, 1.666666567e-01f);
  q = fmaf(q, r, 5.000000000e-01f);
  const float p = 1.0f + fmaf(r * r, q, r);
  return ep__scale2(p, k);
}

/* Natural logarithm (NaN for x < 0, -inf for +-0). */
EP_INLINE float ep_logf(float x) {
  uint32_t ix = ep__bits(x);
  if (x != x) return x + x;
  if (ix & 0x80000000u) return (ix & 0x7fffffffu) == 0 ? -INFINITY : NAN;
  if (ix == 0) return -INFINITY;
  if (ix >= 0x7f800000u) return x; /* +inf */
  int e = 0;
  if (ix < 0x00800000u) { /* subnormal: scale into the normal range */
    ix = ep__bits(x * 33554432.0f);
    e = -25;
  }
  e += (int)(ix >> 23) - 127;
  uint32_t mb = (ix & 0x007fffffu) | 0x3f800000u; /* m in [1, 2) */
  if (mb > 0x3fb504f3u) {                          /* m > sqrt(2): use m/2 */
    mb -= 0x00800000u;
    e += 1;
  }
  /* log(m) = log(1 + f) = f - (f^2/2 - s*(f^2/2 + R)), s = f/(2+f), R = 2s^2/3 + 2s^4/5 + ... */
  const float f = ep__from_bits(mb) - 1.0f;
  const float s = f / (2.0f + f);
  const float z = s * s;
  float R = fmaf(z, 2.0f / 9.0f, 2.0f / 7.0f);
  R = fmaf(R, z, 2.0f / 5.0f);
  R = fmaf(R, z, 2.0f / 3.0f);
  R = R * z;
  const float hfsq = 0.5f * f * f;
  const float lg = f - (hfsq - s * (hfsq + R));
  const float ef = (float)e;
  return fmaf(ef, 0.693145751953125f, fmaf(ef, 1.42860677e-06f, lg));
}

/* Hyperbolic tangent. */
EP_INLINE float ep_tanhf(float x) {
  if (x != x) return x + x;
  const float z = fabsf(x);
  float t;
  if (z > 9.1f) {
    t = 1.0f;
  } else if (z >= 0.625f) {
    t = 1.0f - 2.0f / (ep_expf(z + z) + 1.0f);
  } else {
    /* tanh(z) = z + z^3 * T(z^2) */
    const float w = z * z;
    float T = fmaf(-8.034716011e-04f, w, 3.229220165e-03f);
    T = fmaf(T, w, -8.751771413e-03f);
    T = fmaf(T, w, 2.185015380e-02f);
    T = fmaf(T, w, -5.396643281e-02f);
    T = fmaf(T, w, 1.333332509e-01f);
    T = fmaf(T, w, -3.333333433e-01f);
    t = fmaf(z * w, T, z);
  }
  return x < 0.0f ? -t : t;
}

/* The error function. */
EP_INLINE float ep_erff(float x) {
  if (x != x) return x + x;
  const float z = fabsf(x);
  float t;
  if (z < 1.0f) {
    /* erf(z) = z + z * E(z^2) */
    const float w = z * z;
    float E = fmaf(-9.634991329e-06f, w, 1.125464114e-04f);
    E = fmaf(E, w, -8.482507546e-04f);
    E = fmaf(E, w, 5.220923107e-03f);
    E = fmaf(E, w, -2.686539292e-02f);
    E = fmaf(E, w, 1.128378212e-01f);
    E = fmaf(E, w, -3.761263788e-01f);
    E = fmaf(E, w, 1.283791661e-01f);
    t = fmaf(z, E, z);
  } else if (z < 4.0f) {
    /* erfc(z) = e^(-z^2) / z * H(v), v = (1/z^2 - 17/32) / (15/32); z^2 = hi + lo exactly */
    const float hi = z * z;
    const float lo = fmaf(z, z, -hi);
    const float v = (1.0f / hi - 0.53125f) * 2.13333333f;
    float H = fmaf(7.841969637e-05f, v, -1.287726045e-04f);
    H = fmaf(H, v, 1.492599858e-05f);
    H = fmaf(H, v, -6.976159057e-05f);
    H = fmaf(H, v, 3.934559936e-04f);
    H = fmaf(H, v, -8.154422976e-04f);
    H = fmaf(H, v, 1.772973919e-03f);
    H = fmaf(H, v, -4.577989690e-03f);
    H = fmaf(H, v, 1.377021708e-02f);
    H = fmaf(H, v, -5.461510271e-02f);
    H = fmaf(H, v, 4.717606902e-01f);
    const float erfc = ep_expf(-hi) * (1.0f - lo) * H / z;
    t = 1.0f - erfc;
  } else {
    t = 1.0f;
  }
  return x < 0.0f ? -t : t;
}

/* 0 if y (finite) is not an integer, 1 for an even and 2 for an odd integer. */
EP_INLINE int ep__int_kind(float y) {
  const uint32_t iy = ep__bits(y) & 0x7fffffffu;
  if (iy == 0) return 1;
  const int e = (int)(iy >> 23) - 127; /* y = 1.mant * 2^e */
  if (e < 0) return 0;
  if (e > 23) return 1; /* every float from 2^24 on is an even integer */
  const uint32_t mant = (iy & 0x007fffffu) | 0x00800000u;
  if (e < 23 && (mant & ((1u << (23 - e)) - 1u)) != 0) return 0;
  return ((mant >> (23 - e)) & 1u) ? 2 : 1;
}

/* |x|^y for finite x != 0 and finite y, in double: log by the atanh series, exp by Taylor after
 * reduction by ln2 (relative error ~1e-15 before the final rounding to float). */
EP_INLINE float ep__pow_core(float ax, float y) {
  uint32_t ix = ep__bits(ax);
  int e = 0;
  if (ix < 0x00800000u) { /* subnormal */
    ix = ep__bits(ax * 33554432.0f);
    e = -25;
  }
  e += (int)(ix >> 23) - 127;
  uint32_t mb = (ix & 0x007fffffu) | 0x3f800000u;
  if (mb > 0x3fb504f3u) {
    mb -= 0x00800000u;
    e += 1;
  }
  const double m = (double)ep__from_bits(mb);
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  /* log(m) = 2s (1 + s^2/3 + s^4/5 + ... + s^26/27), s^2 <= 0.0295 */
  double a = 1.0 / 27.0;
  a = a * s2 + 1.0 / 25.0;
  a = a * s2 + 1.0 / 23.0;
  a = a * s2 + 1.0 / 21.0;
  a = a * s2 + 1.0 / 19.0;
  a = a * s2 + 1.0 / 17.0;
  a = a * s2 + 1.0 / 15.0;
  a = a * s2 + 1.0 / 13.0;
  a = a * s2 + 1.0 / 11.0;
  a = a * s2 + 1.0 / 9.0;
  a = a * s2 + 1.0 / 7.0;
  a = a * s2 + 1.0 / 5.0;
  a = a * s2 + 1.0 / 3.0;
  a = a * s2 + 1.0;
  const double lnx = (double)e * 0.69314718055994531 + 2.0 * s * a;
  const double t = (double)y * lnx;
  if (t > 89.0) return INFINITY;
  if (t < -104.0) return 0.0f;
  const double kd = (t * 1.4426950408889634 + 6755399441055744.0) - 6755399441055744.0;
  const double r = (t - kd * 0.6931471803691238) - kd * 1.9082149292705877e-10;
  /* e^r, |r| <= ln2/2: Taylor to r^13/13! */
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const uint64_t bits = (uint64_t)((int64_t)kd + 1023) << 52;
  double scale;
  memcpy(&scale, &bits, 8);
  return (float)(p * scale);
}

/* x^y with C's powf special cases (pow(x, +-0) = 1, pow(1, y) = 1, pow(-1, +-inf) = 1, negative x
 * only with integer y, ...). Exponents 1, 2, 0.5 and -1 take one float operation; the general case
 * runs in double (a few thousand instructions on a Cortex-M4, which has no double FPU). */
EP_INLINE float ep_powf(float x, float y) {
  if (y == 0.0f || x == 1.0f) return 1.0f;
  if (x != x || y != y) return x + y;
  if (y == 1.0f) return x;
  if (y == 2.0f) return x * x;
  if (y == -1.0f) return 1.0f / x;
  const float ax = fabsf(x), ay = fabsf(y);
  if (ay == INFINITY) {
    if (ax == 1.0f) return 1.0f;
    return (ax > 1.0f) == (y > 0.0f) ? INFINITY : 0.0f;
  }
  const int kind = ep__int_kind(y);
  const int negative = (ep__bits(x) >> 31) != 0 && kind == 2; /* result sign */
  if (ax == 0.0f || ax == INFINITY) {
    const int big = (ax == 0.0f) == (y < 0.0f); /* 0^negative and inf^positive are infinite */
    const float r = big ? INFINITY : 0.0f;
    return negative ? -r : r;
  }
  if (x < 0.0f && kind == 0) return NAN;
  if (y == 0.5f) return sqrtf(x); /* x > 0 here */
  const float r = ep__pow_core(ax, y);
  return negative ? -r : r;
}

#endif /* EP_MATH_H */
