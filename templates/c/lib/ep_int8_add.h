/* edgeprune MCU kernels: int8 addition with its own scales (Int8Add, src/ops/int8-add.ts): both inputs rescaled to
 * a common fixed-point scale with 20 fractional bits, summed, requantized to the output (docs/numerics.md, "int8", Add):
 *   a' = requantize((a - a_zp) * 2^20, a_mult, a_shift),  b' = requantize((b - b_zp) * 2^20, b_mult, b_shift),
 *   y  = clamp(requantize(a' + b', y_mult, y_shift) + y_zp, act_min, act_max)
 * with the constants of addMultipliers (src/ops/util/int8-add-params.ts). */
#ifndef EP_INT8_ADD_H
#define EP_INT8_ADD_H

#include "ep_int8_common.h"

/* One input's rescaling, prepared once per call. The inputs' real multipliers are at most 1/2, so their shifts are
 * in [31, 62] (30 works too) and the exact rule takes one high-word multiply-accumulate (SMMLA on the DSP cores,
 * SMULL + ADD on the others) and an arithmetic shift: with d = x - zp (|d| <= 255) shifted left by k bits (k = 23: |d * 2^23| < 2^31;
 * k = 20 for shifts 61 and 62) and T = shift + k - 20,
 *   floor((d * 2^20 * mult + 2^(shift-1)) / 2^shift) = floor((d * 2^k * mult + 2^(T-1)) / 2^T)
 *                                                   = floor((floor(d * 2^k * mult / 2^32) + 2^(T-33)) / 2^(T-32))
 * (nested floors, T in [33, 63]); every value fits an int32 and no saturation can occur. */
typedef struct {
  int32_t mult;
  int32_t add;
  int32_t lsl;
  int32_t shift;
} ep__add_in_t;

EP_INLINE ep__add_in_t ep__add_in_prepare(int32_t mult, int shift) {
  ep__add_in_t r;
  r.mult = mult;
  r.lsl = shift <= 60 ? 23 : 20;
  const int T = shift + r.lsl - 20;
  r.add = (int32_t)(1u << (T - 33));
  r.shift = T - 32;
  return r;
}

EP_INLINE int32_t ep__add_in_apply(int32_t x, int32_t zp, const ep__add_in_t *r) {
  return ep__smmla((int32_t)((uint32_t)(x - zp) << r->lsl), r->mult, r->add) >> r->shift;
}

/* One output element. */
EP_INLINE int8_t ep__add_one_s8(int32_t a, int32_t b, int32_t a_zp, int32_t b_zp, const ep__add_in_t *ra,
                                const ep__add_in_t *rb, const ep__rq_t *ry, int32_t y_zp, int32_t act_min,
                                int32_t act_max) {
  return ep__rq_apply(ep__add_in_apply(a, a_zp, ra) + ep__add_in_apply(b, b_zp, rb), ry, y_zp, act_min, act_max);
}

/* n elements with element strides sa, sb (0: broadcast); the common stride patterns get their own loops. */
EP_INLINE void ep__add_run_s8(const int8_t *a, const int8_t *b, int8_t *y, int n, int sa, int sb, int32_t a_zp,
                              int32_t b_zp, const ep__add_in_t *ra, const ep__add_in_t *rb, const ep__rq_t *ry,
                              int32_t y_zp, int32_t act_min, int32_t act_max) {
  if (sa == 1 && sb == 1) {
    for (int i = 0; i < n; i++) y[i] = ep__add_one_s8(a[i], b[i], a_zp, b_zp, ra, rb, ry, y_zp, act_min, act_max);
  } else if (sa == 1 && sb == 0) {
    const int32_t bv = ep__add_in_apply(b[0], b_zp, rb);
    for (int i = 0; i < n; i++) y[i] = ep__rq_apply(ep__add_in_apply(a[i], a_zp, ra) + bv, ry, y_zp, act_min, act_max);
  } else if (sa == 0 && sb == 1) {
    const int32_t av = ep__add_in_apply(a[0], a_zp, ra);
    for (int i = 0; i < n; i++) y[i] = ep__rq_apply(av + ep__add_in_apply(b[i], b_zp, rb), ry, y_zp, act_min, act_max);
  } else {
    for (int i = 0; i < n; i++)
      y[i] = ep__add_one_s8(a[i * sa], b[i * sb], a_zp, b_zp, ra, rb, ry, y_zp, act_min, act_max);
  }
}

/* Int8Add with broadcasting: out_shape has `rank` (<= EP_MAX_RANK) axes, a_strides and b_strides each input's element
 * stride per output axis (0 where it broadcasts), as ep_binary_f32 takes them. a_shift and b_shift must be in
 * [30, 62] (addMultipliers gives real multipliers in (0, 1/2]: shifts 31 to 62); y_mult, y_shift any fixed-point
 * multiplier; act_min, act_max within [-128, 127]. y may equal a or b when that input is not broadcast. Adjacent axes contiguous in both
 * inputs are merged first, so that same-shape and scalar cases run as one loop. */
EP_INLINE void ep_add_s8(const int8_t *a, const int8_t *b, int8_t *y, int rank, const int *out_shape,
                         const int *a_strides, const int *b_strides, int32_t a_mult, int a_shift, int32_t a_zp,
                         int32_t b_mult, int b_shift, int32_t b_zp, int32_t y_mult, int y_shift, int32_t y_zp,
                         int32_t act_min, int32_t act_max) {
  const ep__add_in_t ra = ep__add_in_prepare(a_mult, a_shift), rb = ep__add_in_prepare(b_mult, b_shift);
  const ep__rq_t ry = ep__rq_prepare(y_mult, y_shift, y_zp);
  int shape[EP_MAX_RANK] = {0}, sa[EP_MAX_RANK] = {0}, sb[EP_MAX_RANK] = {0};
  int r = 0;
  EP_UNROLL(6)
  for (int i = 0; i < rank; i++) {
    if (out_shape[i] == 1) continue;
    if (r > 0 && sa[r - 1] == a_strides[i] * out_shape[i] && sb[r - 1] == b_strides[i] * out_shape[i]) {
      shape[r - 1] *= out_shape[i];
      sa[r - 1] = a_strides[i];
      sb[r - 1] = b_strides[i];
      continue;
    }
    shape[r] = out_shape[i];
    sa[r] = a_strides[i];
    sb[r] = b_strides[i];
    r++;
  }
  if (r == 0) {
    y[0] = ep__add_one_s8(a[0], b[0], a_zp, b_zp, &ra, &rb, &ry, y_zp, act_min, act_max);
    return;
  }
  const int n = shape[r - 1], ia = sa[r - 1], ib = sb[r - 1];
  int idx[EP_MAX_RANK] = {0};
  int outer = 1;
  for (int i = 0; i < r - 1; i++) outer *= shape[i];
  int oa = 0, ob = 0;
  for (int o = 0; o < outer; o++, y += n) {
    ep__add_run_s8(a + oa, b + ob, y, n, ia, ib, a_zp, b_zp, &ra, &rb, &ry, y_zp, act_min, act_max);
    for (int d = r - 2; d >= 0; d--) {
      oa += sa[d];
      ob += sb[d];
      if (++idx[d] < shape[d]) break;
      oa -= sa[d] * shape[d];
      ob -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

#endif /* EP_INT8_ADD_H */
