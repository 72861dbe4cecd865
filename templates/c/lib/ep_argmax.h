/* edgeprune MCU kernels: ArgMax over the middle axis of [outer][len][inner], on float32 and int8, int64 indices. */
#ifndef EP_ARGMAX_H
#define EP_ARGMAX_H

#include "ep_common.h"

/* Stores index k as the int64_t element j of y. The arena only promises 4-byte alignment, so the store is a
 * memcpy (two word stores on a 32-bit core), not an int64_t access that may assume 8. */
EP_INLINE void ep_argmax__store(void *y, int j, int32_t k) {
  const int64_t v = (int64_t)k;
  memcpy((uint8_t *)y + (size_t)j * sizeof(int64_t), &v, sizeof v);
}

/* A float's rank as an int32, in the interpreter's order (src/ops/arg-max.ts): the values' order, every NaN above
 * +Infinity and equal to every other NaN, -0 equal to +0. Integer compares: no soft-float call on a core without FPU. */
EP_INLINE int32_t ep_argmax__rank(float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  const uint32_t mag = bits & 0x7fffffffu;
  if (mag > 0x7f800000u) return INT32_MAX;
  return (bits >> 31) ? -(int32_t)mag : (int32_t)mag;
}

/* y[o][i] = the index k in [0, len) of the largest x[o][k][i] (len >= 1), as the interpreter's ArgMax
 * (src/ops/arg-max.ts): NaN ranks above every number; equal values keep the first index, or the last when
 * last != 0 (select_last_index). y holds outer * inner int64_t values. */
EP_INLINE void ep_argmax_f32(const float *x, void *y, int outer, int len, int inner, int last) {
  for (int o = 0; o < outer; o++, x += len * inner) {
    for (int i = 0; i < inner; i++) {
      int32_t best = ep_argmax__rank(x[i]);
      int32_t at = 0;
      for (int k = 1; k < len; k++) {
        const int32_t v = ep_argmax__rank(x[k * inner + i]);
        if (last ? v >= best : v > best) {
          best = v;
          at = k;
        }
      }
      ep_argmax__store(y, o * inner + i, at);
    }
  }
}

/* ep_argmax_f32 on int8 values (no NaN). For an int8 tensor with a positive scale this is the ArgMax of the
 * dequantized values too: dequantization is monotonic, and equal int8 values are equal floats. */
EP_INLINE void ep_argmax_s8(const int8_t *x, void *y, int outer, int len, int inner, int last) {
  for (int o = 0; o < outer; o++, x += len * inner) {
    for (int i = 0; i < inner; i++) {
      int8_t best = x[i];
      int32_t at = 0;
      for (int k = 1; k < len; k++) {
        const int8_t v = x[k * inner + i];
        if (last ? v >= best : v > best) {
          best = v;
          at = k;
        }
      }
      ep_argmax__store(y, o * inner + i, at);
    }
  }
}

#endif
