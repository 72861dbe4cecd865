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

/* Taps [lo, hi) of a window starting at input coordinate i0 (kernel K, dilation d, input size n). */
#define EP__POOL_TAPS(lo, hi, i0, K, d, n)                                                                     \
  const int lo = (i0) < 0 ? ep__ceil_div(-(i0), d) : 0;                                                       \
  const int hi = EP_MIN(K, ep__ceil_div((n) - (i0), d))

/* Output columns [lo, hi) whose windows lie inside the input columns. */
#define EP__POOL_INNER_COLS(lo, hi, W, OW, KW, sw, dw, pl)                                                       \
  const int lo = EP_MIN(OW, ep__ceil_div(pl, sw));                                                              \
  const int hi = EP_MAX(lo, EP_MIN(OW, ep__floor_div((W) - 1 + (pl) - ((KW) - 1) * (dw), sw) + 1))

/* MaxPool 2-D. The last windows may hang past the end padding (ceil_mode); every window must hold
 * at least one input tap. y must not overlap x. */
EP_INLINE void ep_maxpool2d_f32(const float *x, float *y, int C, int H, int W, int OH, int OW, int KH, int KW,
                                int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left) {
  EP__POOL_INNER_COLS(ox_lo, ox_hi, W, OW, KW, stride_w, dil_w, pad_left);
  const int unroll = EP_CONSTANT(KH) && EP_CONSTANT(KW) && KH * KW <= 64; /* unrolled inner windows */
  for (int c = 0; c < C; c++) {
    const float *xc = x + c * H * W;
    for (int oy = 0; oy < OH; oy++, y += OW) {
      const int iy0 = oy * stride_h - pad_top;
      EP__POOL_TAPS(kh_lo, kh_hi, iy0, KH, dil_h, H);
      const int full_rows = kh_lo == 0 && kh_hi == KH;
      for (int ox = 0; ox < OW; ox++) {
        const int ix0 = ox * stride_w - pad_left;
        const int off = iy0 * W + ix0;
        if (unroll && full_rows && ox >= ox_lo && ox < ox_hi) {
          y[ox] = ep__max_window(xc, off, W, KH, KW, dil_h, dil_w, 0, KH, 0, KW, 1);
        } else {
          EP__POOL_TAPS(kw_lo, kw_hi, ix0, KW, dil_w, W);
          y[ox] = ep__max_window(xc, off, W, KH, KW, dil_h, dil_w, kh_lo, kh_hi, kw_lo, kw_hi, 0);
        }
      }
    }
  }
}

/* AveragePool 2-D. pad_bottom/pad_right are the explicit end pads: with count_include_pad the divisor
 * counts window positions inside [-pad_top, H+pad_bottom) x [-pad_left, W+pad_right) only (the
 * ceil_mode overhang is not counted); without it, the taps inside the input. y must not overlap x. */
EP_INLINE void ep_avgpool2d_f32(const float *x, float *y, int C, int H, int W, int OH, int OW, int KH, int KW,
                                int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left,
                                int pad_bottom, int pad_right, int count_include_pad) {
  EP__POOL_INNER_COLS(ox_lo, ox_hi, W, OW, KW, stride_w, dil_w, pad_left);
  const int unroll = EP_CONSTANT(KH) && EP_CONSTANT(KW) && KH * KW <= 64; /* unrolled inner windows */
  for (int c = 0; c < C; c++) {
    const float *xc = x + c * H * W;
    for (int oy = 0; oy < OH; oy++, y += OW) {
      const int iy0 = oy * stride_h - pad_top;
      EP__POOL_TAPS(kh_lo, kh_hi, iy0, KH, dil_h, H);
      const int full_rows = kh_lo == 0 && kh_hi == KH;
      const int rows_padded = EP_MIN(KH, ep__ceil_div(H + pad_top + pad_bottom - oy * stride_h, dil_h));
      for (int ox = 0; ox < OW; ox++) {
        const int ix0 = ox * stride_w - pad_left;
        const int off = iy0 * W + ix0;
        float s;
        int count;
        if (unroll && full_rows && ox >= ox_lo && ox < ox_hi) {
          s = ep__sum_window(xc, off, W, KH, KW, dil_h, dil_w, 0, KH, 0, KW, 1);
          count = KH * KW;
        } else {
          EP__POOL_TAPS(kw_lo, kw_hi, ix0, KW, dil_w, W);
          s = ep__sum_window(xc, off, W, KH, KW, dil_h, dil_w, kh_lo, kh_hi, kw_lo, kw_hi, 0);
          count = (kh_hi - kh_lo) * (kw_hi - kw_lo);
        }
        if (count_include_pad)
          count = rows_padded * EP_MIN(KW, ep__ceil_div(W + pad_left + pad_right - ox * stride_w, dil_w));
        y[ox] = s / (float)count;
      }
    }
  }
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
