/* edgeprune MCU kernels: max and average pooling (2-D, strides, dilations, padding, ceil-mode
 * overhang, count_include_pad) and global pooling. Semantics follow src/ops/util/nn-pool.ts: taps
 * in the padding are skipped; MaxPool: NaN loses to any number, an all-NaN window gives NaN;
 * AveragePool sums the taps in row-major order and divides once (bit-exact with the interpreter). */
#ifndef EP_POOL_H
#define EP_POOL_H

#include "ep_common.h"

/* Max with the reference NaN rule, over the taps [kh_lo, kh_hi) x [kw_lo, kw_hi) of the window at offset off. */
EP_INLINE float ep__max_window_nan(const float *xc, int off, int W, int dh, int dw, int kh_lo, int kh_hi, int kw_lo,
                                   int kw_hi) {
  float m = NAN;
  for (int kh = kh_lo; kh < kh_hi; kh++)
    for (int kw = kw_lo; kw < kw_hi; kw++) {
      const float v = xc[off + kh * dh * W + kw * dw];
      if (v > m || m != m) m = v;
    }
  return m;
}

/* Max over the taps of one window whose tap (0, 0) is at offset off from xc (possibly outside the
 * input when the window starts in the padding: only taps in [kh_lo, kh_hi) x [kw_lo, kw_hi) are read).
 * full: the whole KH x KW window is inside (unrolled when KH, KW are constants). */
EP_INLINE float ep__max_window(const float *xc, int off, int W, int KH, int KW, int dh, int dw, int kh_lo, int kh_hi,
                               int kw_lo, int kw_hi, const int full) {
  float m;
  if (full) {
    m = xc[off];
    EP_UNROLL(16)
    for (int kh = 0; kh < KH; kh++) {
      EP_UNROLL(16)
      for (int kw = 0; kw < KW; kw++) {
        const float v = xc[off + kh * dh * W + kw * dw];
        m = v > m ? v : m;
      }
    }
  } else {
    m = xc[off + kh_lo * dh * W + kw_lo * dw];
    for (int kh = kh_lo; kh < kh_hi; kh++)
      for (int kw = kw_lo; kw < kw_hi; kw++) {
        const float v = xc[off + kh * dh * W + kw * dw];
        m = v > m ? v : m;
      }
  }
  /* m is NaN only if the first tap was: redo with the exact rule (rare). */
  if (m != m) m = ep__max_window_nan(xc, off, W, dh, dw, kh_lo, kh_hi, kw_lo, kw_hi);
  return m;
}

/* Sum of the taps of one window in row-major order (plain float adds, as the interpreter). */
EP_INLINE float ep__sum_window(const float *xc, int off, int W, int KH, int KW, int dh, int dw, int kh_lo, int kh_hi,
                               int kw_lo, int kw_hi, const int full) {
  float s = 0.0f;
  if (full) {
    EP_UNROLL(16)
    for (int kh = 0; kh < KH; kh++) {
      EP_UNROLL(16)
      for (int kw = 0; kw < KW; kw++) s = s + xc[off + kh * dh * W + kw * dw];
    }
  } else {
    for (int kh = kh_lo; kh < kh_hi; kh++)
      for (int kw = kw_lo; kw < kw_hi; kw++) s = s + xc[off + kh * dh * W + kw * dw];
  }
  return s;
}

/* One pooled output at column ox (avg: 0 max, 1 average); full: the whole window is inside the
 * input (unrolled when KH, KW are constants). */
EP_INLINE float ep__pool_one(const int avg, const float *xc, int W, int KH, int KW, int sw, int dh, int dw, int pl,
                             int iy0, int kh_lo, int kh_hi, int ox, const int full, int count_include_pad,
                             int rows_padded, int padded_w) {
  const int ix0 = ox * sw - pl;
  const int off = iy0 * W + ix0;
  int kw_lo = 0, kw_hi = KW;
  if (!full) {
    kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dw) : 0;
    kw_hi = EP_MIN(KW, ep__ceil_div(W - ix0, dw));
  }
  if (!avg) return ep__max_window(xc, off, W, KH, KW, dh, dw, kh_lo, kh_hi, kw_lo, kw_hi, full);
  const float s = ep__sum_window(xc, off, W, KH, KW, dh, dw, kh_lo, kh_hi, kw_lo, kw_hi, full);
  const int count = count_include_pad ? rows_padded * EP_MIN(KW, ep__ceil_div(padded_w - ox * sw, dw))
                                      : (kh_hi - kh_lo) * (kw_hi - kw_lo);
  return s / (float)count;
}

/* Both pools: every output row in three column ranges, [0, ox_lo) and [ox_hi, OW) with windows
 * clipped to the input, [ox_lo, ox_hi) with whole windows (straight-line code when constant). */
EP_INLINE void ep__pool2d(const int avg, const float *x, float *y, int C, int H, int W, int OH, int OW, int KH,
                          int KW, int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr, int count_include_pad) {
  const int ox_lo = EP_MIN(OW, ep__ceil_div(pl, sw));
  const int ox_hi = EP_MAX(ox_lo, EP_MIN(OW, ep__floor_div(W - 1 + pl - (KW - 1) * dw, sw) + 1));
  const int unroll = EP_CONSTANT(KH) && EP_CONSTANT(KW) && KH * KW <= 64;
  for (int c = 0; c < C; c++) {
    const float *xc = x + c * H * W;
    for (int oy = 0; oy < OH; oy++, y += OW) {
      const int iy0 = oy * sh - pt;
      const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dh) : 0;
      const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dh));
      const int rows_padded = EP_MIN(KH, ep__ceil_div(H + pt + pb - oy * sh, dh));
      const int padded_w = W + pl + pr;
      if (unroll && kh_lo == 0 && kh_hi == KH) {
        for (int ox = 0; ox < ox_lo; ox++)
          y[ox] = ep__pool_one(avg, xc, W, KH, KW, sw, dh, dw, pl, iy0, 0, KH, ox, 0, count_include_pad,
                               rows_padded, padded_w);
        for (int ox = ox_lo; ox < ox_hi; ox++)
          y[ox] = ep__pool_one(avg, xc, W, KH, KW, sw, dh, dw, pl, iy0, 0, KH, ox, 1, count_include_pad,
                               rows_padded, padded_w);
        for (int ox = ox_hi; ox < OW; ox++)
          y[ox] = ep__pool_one(avg, xc, W, KH, KW, sw, dh, dw, pl, iy0, 0, KH, ox, 0, count_include_pad,
                               rows_padded, padded_w);
      } else {
        for (int ox = 0; ox < OW; ox++)
          y[ox] = ep__pool_one(avg, xc, W, KH, KW, sw, dh, dw, pl, iy0, kh_lo, kh_hi, ox, 0, count_include_pad,
                               rows_padded, padded_w);
      }
    }
  }
}

/* MaxPool 2-D. The last windows may hang past the end padding (ceil_mode: it only shows in OH/OW);
 * every window must hold at least one input tap. y must not overlap x. */
EP_INLINE void ep_maxpool2d_f32(const float *x, float *y, int C, int H, int W, int OH, int OW, int KH, int KW,
                                int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left) {
  ep__pool2d(0, x, y, C, H, W, OH, OW, KH, KW, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left, 0, 0, 0);
}

/* AveragePool 2-D. pad_bottom/pad_right are the explicit end pads: with count_include_pad the divisor
 * counts window positions inside [-pad_top, H+pad_bottom) x [-pad_left, W+pad_right) only (the
 * ceil_mode overhang is not counted); without it, the taps inside the input. The taps are summed in
 * row-major order and divided once (bit-exact with the interpreter). y must not overlap x. */
EP_INLINE void ep_avgpool2d_f32(const float *x, float *y, int C, int H, int W, int OH, int OW, int KH, int KW,
                                int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left,
                                int pad_bottom, int pad_right, int count_include_pad) {
  ep__pool2d(1, x, y, C, H, W, OH, OW, KH, KW, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left, pad_bottom,
             pad_right, count_include_pad);
}

/* GlobalAveragePool: y[c] = (sum of plane c in order) / HW. */
EP_INLINE void ep_global_avgpool_f32(const float *x, float *y, int C, int HW) {
  for (int c = 0; c < C; c++, x += HW) {
    float s = 0.0f;
    for (int i = 0; i < HW; i++) s = s + x[i];
    y[c] = s / (float)HW;
  }
}

/* GlobalMaxPool: y[c] = max of plane c (NaN loses to any number; an all-NaN plane gives NaN). */
EP_INLINE void ep_global_maxpool_f32(const float *x, float *y, int C, int HW) {
  for (int c = 0; c < C; c++, x += HW) {
    float m = x[0];
    for (int i = 1; i < HW; i++) m = x[i] > m ? x[i] : m;
    if (m != m) m = ep__max_window_nan(x, 0, 0, 0, 1, 0, 1, 0, HW);
    y[c] = m;
  }
}

#endif /* EP_POOL_H */
