/* edgeprune MCU kernels: max and average pooling (2-D, dilations, padding, ceil-mode overhang) and global pooling. */
#ifndef EP_POOL_H
#define EP_POOL_H

#include "ep_common.h"

/* Max of a window with the reference semantics: NaN loses to any number, an all-NaN window is NaN. */
EP_INLINE float ep__max_window_nan(const float *xr, int W, int dh, int dw, int kh_lo, int kh_hi, int kw_lo,
                                   int kw_hi) {
  float m = NAN;
  for (int kh = kh_lo; kh < kh_hi; kh++)
    for (int kw = kw_lo; kw < kw_hi; kw++) {
      const float v = xr[kh * dh * W + kw * dw];
      if (v > m || m != m) m = v;
    }
  return m;
}

/* xr points at the window's top-left tap (which is inside the input). */
EP_INLINE float ep__max_window(const float *xr, int W, int KH, int KW, int dh, int dw, int kh_lo, int kh_hi,
                               int kw_lo, int kw_hi, const int full) {
  float m;
  if (full) {
    m = xr[0];
    EP_UNROLL(16)
    for (int kh = 0; kh < KH; kh++) {
      EP_UNROLL(16)
      for (int kw = 0; kw < KW; kw++) {
        const float v = xr[kh * dh * W + kw * dw];
        m = v > m ? v : m;
      }
    }
    kh_lo = 0, kh_hi = KH, kw_lo = 0, kw_hi = KW;
  } else {
    m = xr[kh_lo * dh * W + kw_lo * dw];
    for (int kh = kh_lo; kh < kh_hi; kh++)
      for (int kw = kw_lo; kw < kw_hi; kw++) {
        const float v = xr[kh * dh * W + kw * dw];
        m = v > m ? v : m;
      }
  }
  /* Only a NaN first tap leaves m NaN while a number exists: redo with the exact semantics. */
  if (m != m) m = ep__max_window_nan(xr, W, dh, dw, kh_lo, kh_hi, kw_lo, kw_hi);
  return m;
}

/* First and one-past-last output column whose window lies inside the input columns. */
#define EP__POOL_INNER_COLS(lo, hi, W, OW, KW, sw, dw, pl)                                                       \
  const int lo = EP_MIN(OW, ep__ceil_div(pl, sw));                                                              \
  const int hi = EP_MAX(lo, EP_MIN(OW, ep__floor_div(W - 1 + pl - (KW - 1) * dw, sw) + 1))

EP_INLINE void ep_maxpool2d_f32(const float *x, float *y, int C, int H, int W, int OH, int OW, int KH, int KW,
                                int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left) {
  EP__POOL_INNER_COLS(ox_lo, ox_hi, W, OW, KW, stride_w, dil_w, pad_left);
  for (int c = 0; c < C; c++) {
    const float *xc = x + c * H * W;
    for (int oy = 0; oy < OH; oy++, y += OW) {
      const int iy0 = oy * stride_h - pad_top;
      const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dil_h) : 0;
      const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dil_h));
      const float *xr = xc + iy0 * W;
      if (kh_lo == 0 && kh_hi == KH) {
        for (int ox = 0; ox < ox_lo; ox++) {
          const int ix0 = ox * stride_w - pad_left;
          const int kw_lo = ep__ceil_div(-ix0, dil_w), kw_hi = EP_MIN(KW, ep__ceil_div(W - ix0, dil_w));
          y[ox] = ep__max_window(xr + ix0, W, KH, KW, dil_h, dil_w, 0, KH, kw_lo, kw_hi, 0);
        }
        for (int ox = ox_lo; ox < ox_hi; ox++)
          y[ox] = ep__max_window(xr + ox * stride_w - pad_left, W, KH, KW, dil_h, dil_w, 0, KH, 0, KW, 1);
        for (int ox = ox_hi; ox < OW; ox++) {
          const int ix0 = ox * stride_w - pad_left;
          const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dil_w) : 0, kw_hi = EP_MIN(KW, ep__ceil_div(W - ix0, dil_w));
          y[ox] = ep__max_window(xr + ix0, W, KH, KW, dil_h, dil_w, 0, KH, kw_lo, kw_hi, 0);
        }
      } else {
        for (int ox = 0; ox < OW; ox++) {
          const int ix0 = ox * stride_w - pad_left;
          const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dil_w) : 0, kw_hi = EP_MIN(KW, ep__ceil_div(W - ix0, dil_w));
          y[ox] = ep__max_window(xr + ix0, W, KH, KW, dil_h, dil_w, kh_lo, kh_hi, kw_lo, kw_hi, 0);
        }
      }
    }
  }
}

#endif /* EP_POOL_H */
