/* edgeprune MCU kernels: 2-D convolution (groups, depthwise, 1-D as H = 1) and transposed convolution. */
#ifndef EP_CONV_H
#define EP_CONV_H

#include "ep_common.h"

/* Register blocking: a tile is MB output channels x P output pixels of one output row, its
 * accumulators live in registers for the whole reduction over (input channel, kernel row), and each
 * weight is loaded once per tile and kernel row. */
#define EP_CONV_MAX_MB 2
#define EP_CONV_MAX_P 12

/* Pixels per tile: a divisor of OW when one fits the register budget, so that no remainder tile is
 * needed. */
EP_INLINE int ep__conv_tile_width(int MB, int OW) {
  if (MB >= 2) {
    if (OW % 7 == 0) return 7;
    if (OW % 8 == 0) return 8;
    if (OW % 6 == 0) return 6;
    if (OW % 5 == 0) return 5;
    return OW < 7 ? OW : 7;
  }
  if (OW % 12 == 0) return 12;
  if (OW % 8 == 0) return 8;
  if (OW % 10 == 0) return 10;
  if (OW % 7 == 0) return 7;
  if (OW % 9 == 0) return 9;
  if (OW % 11 == 0) return 11;
  return OW < 8 ? OW : 8;
}

/* One tile: MB output channels (weights w, stride wm between channels) x P pixels from column ox0
 * of output row (whose first input row is iy0), reducing over Cg input channels and kernel rows
 * [kh_lo, kh_hi). masked: some taps fall outside the input columns (skipped; with constant
 * arguments the test folds away). y points at (m0, oy, ox0); OHW is the output plane. */
EP_INLINE void ep__conv_tile(const float *x, const float *w, const float *bias, float *y, const int MB, const int P,
                             const int masked, int Cg, int H, int W, int KH, int KW, int wm, int OHW, int sw, int dh,
                             int dw, int pl, int ox0, int iy0, int kh_lo, int kh_hi, float act_min, float act_max) {
  float acc[EP_CONV_MAX_MB][EP_CONV_MAX_P];
  EP_UNROLL(2)
  for (int mb = 0; mb < MB; mb++) {
    const float b0 = bias ? bias[mb] : 0.0f;
    EP_UNROLL(12)
    for (int j = 0; j < P; j++) acc[mb][j] = b0;
  }
  for (int c = 0; c < Cg; c++) {
    const float *xc = x + c * H * W + (iy0 + kh_lo * dh) * W;
    const float *wc = w + (c * KH + kh_lo) * KW;
    for (int kh = kh_lo; kh < kh_hi; kh++, xc += dh * W, wc += KW) {
#ifdef EP_CONV_DIAG
      float wv[EP_CONV_MAX_MB][16];
      EP_UNROLL(16)
      for (int kw = 0; kw < KW; kw++) {
        EP_UNROLL(2)
        for (int mb = 0; mb < MB; mb++) wv[mb][kw] = wc[mb * wm + kw];
      }
      const int Q = (P - 1) * sw + (KW - 1) * dw + 1;
      EP_UNROLL(64)
      for (int q = 0; q < Q; q++) {
        const int ix = ox0 * sw - pl + q;
        if (masked && (ix < 0 || ix >= W)) continue;
        const float xv = xc[ix];
        EP_UNROLL(16)
        for (int kw = KW - 1; kw >= 0; kw--) {
          const int jj = q - kw * dw;
          if (jj < 0 || jj % sw != 0 || jj / sw >= P) continue;
          EP_UNROLL(2)
          for (int mb = 0; mb < MB; mb++) acc[mb][jj / sw] = fmaf(xv, wv[mb][kw], acc[mb][jj / sw]);
        }
#ifdef EP_B1
        EP_SCHED_BARRIER();
#endif
      }
#else
      EP_UNROLL(16)
      for (int kw = 0; kw < KW; kw++) {
        float wv[EP_CONV_MAX_MB];
        EP_UNROLL(2)
        for (int mb = 0; mb < MB; mb++) wv[mb] = wc[mb * wm + kw];
        EP_UNROLL(12)
        for (int j = 0; j < P; j++) {
          const int ix = (ox0 + j) * sw - pl + kw * dw;
          if (masked && (ix < 0 || ix >= W)) continue;
          const float xv = xc[ix];
          EP_UNROLL(2)
          for (int mb = 0; mb < MB; mb++) acc[mb][j] = fmaf(xv, wv[mb], acc[mb][j]);
        }
#ifdef EP_B1
        EP_SCHED_BARRIER();
#endif
      }
#endif
    }
  }
  EP_UNROLL(2)
  for (int mb = 0; mb < MB; mb++) {
    EP_UNROLL(12)
    for (int j = 0; j < P; j++) y[mb * OHW + j] = ep__clamp(acc[mb][j], act_min, act_max);
  }
}

/* All output rows of MB output channels of one group. */
EP_INLINE void ep__conv_rows(const float *x, const float *w, const float *bias, float *y, const int MB, int Cg,
                             int H, int W, int KH, int KW, int OH, int OW, int sh, int sw, int dh, int dw, int pt,
                             int pl, float act_min, float act_max) {
  const int P = ep__conv_tile_width(MB, OW);
  const int wm = Cg * KH * KW;
  const int nblk = OW / P;
  const int rem = OW - nblk * P;
  /* Tiles [0, bl) reach into the left padding, tiles [br, nblk) into the right padding. */
  const int bl = EP_MIN(nblk, ep__ceil_div(pl, P * sw));
  const int br = EP_MAX(bl, EP_MIN(nblk, ep__floor_div(W - 1 + pl - (KW - 1) * dw - (P - 1) * sw, P * sw) + 1));
  for (int oy = 0; oy < OH; oy++) {
    const int iy0 = oy * sh - 0 - pt;
    const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dh) : 0;
    const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dh));
    float *yr = y + oy * OW;
    EP_UNROLL(4)
    for (int b = 0; b < bl; b++)
      ep__conv_tile(x, w, bias, yr + b * P, MB, P, 1, Cg, H, W, KH, KW, wm, OH * OW, sw, dh, dw, pl, b * P, iy0,
                    kh_lo, kh_hi, act_min, act_max);
    for (int b = bl; b < br; b++)
      ep__conv_tile(x, w, bias, yr + b * P, MB, P, 0, Cg, H, W, KH, KW, wm, OH * OW, sw, dh, dw, pl, b * P, iy0,
                    kh_lo, kh_hi, act_min, act_max);
    EP_UNROLL(4)
    for (int b = br; b < nblk; b++)
      ep__conv_tile(x, w, bias, yr + b * P, MB, P, 1, Cg, H, W, KH, KW, wm, OH * OW, sw, dh, dw, pl, b * P, iy0,
                    kh_lo, kh_hi, act_min, act_max);
    if (rem > 0)
      ep__conv_tile(x, w, bias, yr + nblk * P, MB, rem, 1, Cg, H, W, KH, KW, wm, OH * OW, sw, dh, dw, pl, nblk * P,
                    iy0, kh_lo, kh_hi, act_min, act_max);
  }
}

/* Conv 2-D incl. groups and depthwise (C/groups == 1); 1-D convs come as H = 1. Fused clamp
 * [act_min, act_max] (-INFINITY/INFINITY for none, 0/INFINITY for ReLU). bias may be NULL.
 * Weights in ONNX layout [M][C/groups][KH][KW]. */
EP_INLINE void ep_conv2d_f32(const float *x, const float *w, const float *bias, float *y, int C, int H, int W, int M,
                             int KH, int KW, int OH, int OW, int stride_h, int stride_w, int dil_h, int dil_w,
                             int pad_top, int pad_left, int groups, float act_min, float act_max) {
  const int Cg = C / groups;
  const int Mg = M / groups;
  const int MB = Mg >= 2 ? 2 : 1;
  for (int g = 0; g < groups; g++) {
    const float *xg = x + g * Cg * H * W;
    int m = g * Mg;
    for (; m + MB <= (g + 1) * Mg; m += MB)
      ep__conv_rows(xg, w + m * Cg * KH * KW, bias ? bias + m : NULL, y + m * OH * OW, MB, Cg, H, W, KH, KW, OH,
                    OW, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left, act_min, act_max);
    if (m < (g + 1) * Mg)
      ep__conv_rows(xg, w + m * Cg * KH * KW, bias ? bias + m : NULL, y + m * OH * OW, 1, Cg, H, W, KH, KW, OH,
                    OW, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left, act_min, act_max);
  }
}

#endif /* EP_CONV_H */
