/* edgeprune MCU kernels: int8 pooling. Max pooling (2-D, strides, dilations, padding, ceil-mode overhang): the max
 * of the window's taps inside the input, padding never wins (src/ops/max-pool.ts); the max of int8 values commutes
 * with the monotonic requantization, so a quantized MaxPool keeps its input's scale and zero point and needs no
 * arithmetic. Average pooling (Int8AveragePool, Int8GlobalAveragePool: src/ops/int8-average-pool.ts and
 * int8-global-average-pool.ts): the exact sum of (x - x_zp) over the taps inside the input, requantized with the
 * multiplier of the window's tap count (averageMultiplier, src/ops/util/int8-average.ts). */
#ifndef EP_INT8_POOL_H
#define EP_INT8_POOL_H

#include "ep_int8_common.h"

#if EP_S8_DSP
/* Lane-wise max of four int8 (SSUB8 sets the lane flags, SEL picks). */
#if defined(__ARM_FEATURE_DSP)
EP_INLINE uint32_t ep__max_s8x4(uint32_t a, uint32_t b) {
  (void)__ssub8((int8x4_t)a, (int8x4_t)b);
  return __sel(a, b);
}
#else
EP_INLINE uint32_t ep__max_s8x4(uint32_t a, uint32_t b) {
  uint32_t r = 0;
  for (int i = 0; i < 32; i += 8) {
    const int8_t x = (int8_t)(a >> i), y = (int8_t)(b >> i);
    r |= (uint32_t)(uint8_t)(x > y ? x : y) << i;
  }
  return r;
}
#endif

/* Two outputs of a 2-wide, stride-2 window of KH rows whose taps are all inside: one word per row holds both
 * windows' columns; the rows' lane-wise max, then each window's two lanes. */
EP_INLINE void ep__max2_s8x2(const int8_t *xc, int off, int W, int KH, int dh, int8_t *y) {
  uint32_t v = ep__ld32(xc + off);
  EP_UNROLL(16)
  for (int kh = 1; kh < KH; kh++) v = ep__max_s8x4(v, ep__ld32(xc + off + kh * dh * W));
  v = ep__max_s8x4(v, v >> 8);
  y[0] = (int8_t)v;
  y[1] = (int8_t)(v >> 16);
}
#endif

/* Max over the taps [kh_lo, kh_hi) x [kw_lo, kw_hi) of the window whose tap (0, 0) is at offset off
 * from xc (possibly outside the input when the window starts in the padding). With constant bounds
 * (whole windows of a constant kernel) the loops unroll into straight-line code. */
EP_INLINE int8_t ep__max_window_s8(const int8_t *xc, int off, int W, int dh, int dw, int kh_lo, int kh_hi, int kw_lo,
                                   int kw_hi) {
  int m = -128;
  EP_UNROLL(16)
  for (int kh = kh_lo; kh < kh_hi; kh++) {
    EP_UNROLL(16)
    for (int kw = kw_lo; kw < kw_hi; kw++) {
      const int v = xc[off + kh * dh * W + kw * dw];
      m = v > m ? v : m;
    }
  }
  return (int8_t)m;
}

/* MaxPool 2-D on int8, the argument list of ep_maxpool2d_f32: x [C][H][W], y [C][OH][OW]. The last
 * windows may hang past the end padding (ceil_mode: it only shows in OH/OW); every window must hold
 * at least one input tap. y must not overlap x. Each output row runs in three column ranges: windows
 * clipped on the left, whole windows (unrolled when KH, KW are constants), clipped on the right. */
EP_INLINE void ep_maxpool2d_s8(const int8_t *x, int8_t *y, int C, int H, int W, int OH, int OW, int KH, int KW,
                               int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left) {
  const int sh = stride_h, sw = stride_w, dh = dil_h, dw = dil_w, pl = pad_left;
  const int ox_lo = EP_MIN(OW, ep__ceil_div(pl, sw));
  const int ox_hi = EP_MAX(ox_lo, EP_MIN(OW, ep__floor_div(W - 1 + pl - (KW - 1) * dw, sw) + 1));
  const int unroll = EP_CONSTANT(KH) && EP_CONSTANT(KW) && KH * KW <= 64;
  for (int c = 0; c < C; c++) {
    const int8_t *xc = x + c * H * W;
    for (int oy = 0; oy < OH; oy++, y += OW) {
      const int iy0 = oy * sh - pad_top;
      const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dh) : 0;
      const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dh));
      const int off0 = iy0 * W - pl;
      for (int ox = 0; ox < ox_lo; ox++) {
        const int ix0 = ox * sw - pl;
        const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dw) : 0;
        y[ox] = ep__max_window_s8(xc, off0 + ox * sw, W, dh, dw, kh_lo, kh_hi, kw_lo, EP_MIN(KW, ep__ceil_div(W - ix0, dw)));
      }
      if (unroll && kh_lo == 0 && kh_hi == KH) {
        int ox = ox_lo;
#if EP_S8_DSP
        if (KW == 2 && sw == 2 && dw == 1) /* 2x2-style windows: two outputs per word */
          for (; ox + 1 < ox_hi; ox += 2) ep__max2_s8x2(xc, off0 + ox * 2, W, KH, dh, y + ox);
#endif
        for (; ox < ox_hi; ox++) y[ox] = ep__max_window_s8(xc, off0 + ox * sw, W, dh, dw, 0, KH, 0, KW);
      } else {
        for (int ox = ox_lo; ox < ox_hi; ox++)
          y[ox] = ep__max_window_s8(xc, off0 + ox * sw, W, dh, dw, kh_lo, kh_hi, 0, KW);
      }
      for (int ox = ox_hi; ox < OW; ox++) {
        const int ix0 = ox * sw - pl;
        const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dw) : 0;
        y[ox] = ep__max_window_s8(xc, off0 + ox * sw, W, dh, dw, kh_lo, kh_hi, kw_lo, EP_MIN(KW, ep__ceil_div(W - ix0, dw)));
      }
    }
  }
}

/* Sum of the raw int8 taps [kh_lo, kh_hi) x [kw_lo, kw_hi) of the window whose tap (0, 0) is at offset off from xc
 * (straight-line code with constant bounds). */
EP_INLINE int32_t ep__sum_window_s8(const int8_t *xc, int off, int W, int dh, int dw, int kh_lo, int kh_hi, int kw_lo,
                                    int kw_hi) {
  int32_t s = 0;
  EP_UNROLL(16)
  for (int kh = kh_lo; kh < kh_hi; kh++) {
    EP_UNROLL(16)
    for (int kw = kw_lo; kw < kw_hi; kw++) s += xc[off + kh * dh * W + kw * dw];
  }
  return s;
}

/* One output of a window clipped to the input, rows [kh_lo, kh_hi) of it inside: its tap count (inside the input, or
 * counting padding but not the ceil-mode overhang) picks the multiplier mult[count - count_lo]. */
EP_INLINE int8_t ep__avg_clipped_s8(const int8_t *xc, int off0, int W, int KW, int sw, int dh, int dw, int pl,
                                    int kh_lo, int kh_hi, int rows_padded, int padded_w, int ox, int count_include_pad,
                                    const int32_t *mult, const int8_t *shift, int count_lo, int32_t x_zp,
                                    int32_t y_zp, int32_t act_min, int32_t act_max) {
  const int ix0 = ox * sw - pl;
  const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dw) : 0;
  const int kw_hi = EP_MIN(KW, ep__ceil_div(W - ix0, dw));
  const int taps = (kh_hi - kh_lo) * (kw_hi - kw_lo);
  const int32_t sum = ep__sum_window_s8(xc, off0 + ox * sw, W, dh, dw, kh_lo, kh_hi, kw_lo, kw_hi) - taps * x_zp;
  const int count = count_include_pad ? rows_padded * EP_MIN(KW, ep__ceil_div(padded_w - ox * sw, dw)) : taps;
  return ep_requant_s8(sum, mult[count - count_lo], shift[count - count_lo], y_zp, act_min, act_max);
}

/* AveragePool 2-D on int8, after ep_avgpool2d_f32's arguments (x [C][H][W], y [C][OH][OW]; pad_bottom/pad_right the
 * explicit end pads, for count_include_pad):
 *   y = clamp(requantize(sum of (x - x_zp) over the taps inside the input, mult[n - count_lo], shift[n - count_lo])
 *             + y_zp, act_min, act_max)
 * where n is the window's tap count inside the input (count_include_pad = 0) or counting padding, without the
 * ceil-mode overhang (1); mult/shift hold averageMultiplier(n) for n from count_lo to the largest count that occurs.
 * Every window must hold at least one input tap; y must not overlap x. Windows wholly inside the input (n = KH*KW in
 * both modes) take one prepared multiplier and, with constant KH, KW, straight-line sums. */
EP_INLINE void ep_avgpool2d_s8(const int8_t *x, int8_t *y, int C, int H, int W, int OH, int OW, int KH, int KW,
                               int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left,
                               int pad_bottom, int pad_right, int count_include_pad, const int32_t *mult,
                               const int8_t *shift, int count_lo, int32_t x_zp, int32_t y_zp, int32_t act_min,
                               int32_t act_max) {
  const int sh = stride_h, sw = stride_w, dh = dil_h, dw = dil_w, pl = pad_left, full = KH * KW;
  const int ox_lo = EP_MIN(OW, ep__ceil_div(pl, sw));
  const int ox_hi = EP_MAX(ox_lo, EP_MIN(OW, ep__floor_div(W - 1 + pl - (KW - 1) * dw, sw) + 1));
  const int padded_w = W + pl + pad_right;
  /* (read only when a whole window exists: then its count is in the table) */
  ep__rq_t rq_full = {0, 0, 1, 0};
  int full_windows = 0;
  for (int oy = 0; oy < OH && !full_windows; oy++) {
    const int iy0 = oy * sh - pad_top;
    full_windows = iy0 >= 0 && iy0 + (KH - 1) * dh < H && ox_lo < ox_hi;
  }
  if (full_windows) rq_full = ep__rq_prepare(mult[full - count_lo], shift[full - count_lo], y_zp);
  const int32_t full_zp = full * x_zp;
  for (int c = 0; c < C; c++) {
    const int8_t *xc = x + c * H * W;
    for (int oy = 0; oy < OH; oy++, y += OW) {
      const int iy0 = oy * sh - pad_top;
      const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dh) : 0;
      const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dh));
      const int rows_padded = EP_MIN(KH, ep__ceil_div(H + pad_top + pad_bottom - oy * sh, dh));
      const int off0 = iy0 * W - pl;
      int ox = 0;
      if (kh_lo == 0 && kh_hi == KH) {
        for (; ox < ox_lo; ox++)
          y[ox] = ep__avg_clipped_s8(xc, off0, W, KW, sw, dh, dw, pl, 0, KH, rows_padded, padded_w, ox,
                                     count_include_pad, mult, shift, count_lo, x_zp, y_zp, act_min, act_max);
        for (; ox < ox_hi; ox++) {
          const int32_t sum = ep__sum_window_s8(xc, off0 + ox * sw, W, dh, dw, 0, KH, 0, KW) - full_zp;
          y[ox] = ep__rq_apply(sum, &rq_full, y_zp, act_min, act_max);
        }
      }
      for (; ox < OW; ox++)
        y[ox] = ep__avg_clipped_s8(xc, off0, W, KW, sw, dh, dw, pl, kh_lo, kh_hi, rows_padded, padded_w, ox,
                                   count_include_pad, mult, shift, count_lo, x_zp, y_zp, act_min, act_max);
    }
  }
}

/* Sum of n int8 values. On the DSP cores four bytes per word load: SXTAB16 adds bytes 0 and 2 into the two 16-bit
 * lanes of one accumulator, SXTAB16 ROR 8 bytes 1 and 3 into another; a lane takes at most 255 bytes (|sum| <= 32640)
 * before it is added into the int32 sum. The same exact integer as the byte loop. */
EP_INLINE int32_t ep__sum_s8(const int8_t *x, int n) {
  int32_t s = 0;
  int i = 0;
#if EP_S8_DSP
  while (n - i >= 4) {
    const int words = EP_MIN((n - i) >> 2, 255);
    uint32_t even = 0, odd = 0;
    for (int w = 0; w < words; w++, i += 4) {
      const uint32_t v = ep__ld32(x + i);
      even = ep__sxtab16(even, v);
      odd = ep__sxtab16_ror8(odd, v);
    }
    s += (int16_t)(uint16_t)even + (int16_t)(uint16_t)(even >> 16) + (int16_t)(uint16_t)odd + (int16_t)(uint16_t)(odd >> 16);
  }
#endif
  for (; i < n; i++) s += x[i];
  return s;
}

/* GlobalAveragePool on int8: y[c] = clamp(requantize(sum of plane c of (x - x_zp), mult, shift) + y_zp, act_min,
 * act_max), mult/shift = averageMultiplier(HW). */
EP_INLINE void ep_global_avgpool_s8(const int8_t *x, int8_t *y, int C, int HW, int32_t mult, int shift, int32_t x_zp,
                                    int32_t y_zp, int32_t act_min, int32_t act_max) {
  const ep__rq_t rq = ep__rq_prepare(mult, shift, y_zp);
  const int32_t plane_zp = HW * x_zp;
  for (int c = 0; c < C; c++, x += HW) y[c] = ep__rq_apply(ep__sum_s8(x, HW) - plane_zp, &rq, y_zp, act_min, act_max);
}

#endif /* EP_INT8_POOL_H */
