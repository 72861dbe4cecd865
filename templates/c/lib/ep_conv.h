/* edgeprune MCU kernels: 2-D convolution (groups, depthwise, 1-D as H = 1) and transposed convolution. */
#ifndef EP_CONV_H
#define EP_CONV_H

#include "ep_mac.h"

/* Register blocking. A tile is MB output channels x P output pixels of one output row; its MB*P
 * accumulators stay in registers for the whole reduction over (input channel, kernel row), and in
 * each kernel row every weight and every input column is loaded once. Tiles whose taps reach into
 * the column padding are "masked": with constant arguments their out-of-range taps are dropped at
 * compile time, so borders cost nothing extra at run time (each distinct masked tile is one more
 * copy of the tile code, hence tiles are made as wide as the register budget allows). */
#define EP_CONV_MAX_MB 4
#define EP_CONV_MAX_P 16
#define EP_CONV_MAX_KW 16

/* Cortex-M4F/M7 (the fmaf path, optimized builds): the one-channel tile loads a kernel row's weights, and the input
 * columns 8 at a time, with one VLDM each into fixed registers (s24-s31 and s16-s23; the tile's at most 16
 * accumulators take the others) instead of one VLDR per value: 5 weights and 18 inputs per kernel row of a 5x5 conv
 * in 4 instructions instead of 23. The same loads in the same order, so the same bits. */
#if defined(__GNUC__) && defined(__thumb2__) && defined(__ARM_FP) && defined(__OPTIMIZE__) && !EP_SEPARATE_MAC && \
    !defined(EP_CONV_NO_VLDM)
#define EP__CONV_VLDM 1
#else
#define EP__CONV_VLDM 0
#endif
/* Value i (a constant) of a0..a7. */
#define EP__PICK8(i, a0, a1, a2, a3, a4, a5, a6, a7)                                                               \
  ((i) == 0 ? (a0) : (i) == 1 ? (a1) : (i) == 2 ? (a2) : (i) == 3 ? (a3) : (i) == 4 ? (a4) : (i) == 5 ? (a5)    \
   : (i) == 6 ? (a6) : (a7))

/* Output channels per tile: 1 for wide kernels (the tile row then reuses each input column up to
 * KW times), 2 for 2-3 wide kernels, 4 for 1x1 (nothing to reuse along the row). */
EP_INLINE int ep__conv_tile_channels(int Mg, int KW) {
  if (KW >= 4 || Mg < 2) return 1;
  if (KW == 1 && Mg >= 4) return 4;
  return 2;
}

/* Pixels per tile: the fewest tiles of at most 16/MB pixels, evenly sized. */
EP_INLINE int ep__conv_tile_width(int MB, int OW) {
  const int pmax = EP_CONV_MAX_P / MB;
  const int tiles = (OW + pmax - 1) / pmax;
  return (OW + tiles - 1) / tiles;
}

/* One tile: MB output channels (weights w, stride wm from one channel to the next) x P pixels from
 * output column ox0 of the output row whose first input row is iy0; reduces over Cg input channels
 * (x, plane H*W) and kernel rows [kh_lo, kh_hi). masked: some taps fall outside the input columns
 * and are skipped. y points at output (m0, oy, ox0); OHW is the output plane. */
EP_INLINE void ep__conv_tile(const float *x, const float *w, const float *bias, float *y, const int MB, const int P,
                             const int masked, int Cg, int H, int W, int KH, int KW, int wm, int OHW, int sw, int dh,
                             int dw, int pl, int ox0, int iy0, int kh_lo, int kh_hi, float act_min, float act_max) {
  float acc[EP_CONV_MAX_MB][EP_CONV_MAX_P] = {{0.0f}}; /* (initialized for the warnings of non-constant calls) */
  EP_UNROLL(4)
  for (int mb = 0; mb < MB; mb++) {
    const float b0 = ep__sum_start(bias, mb);
    EP_UNROLL(16)
    for (int j = 0; j < P; j++) acc[mb][j] = b0;
  }
  /* Input columns the tile reads, relative to its first one. */
  const int Q = (P - 1) * sw + (KW - 1) * dw + 1;
  const int ix0 = ox0 * sw - pl;
  /* Unmasked tiles read columns ix0.. >= 0: fold ix0 into the row pointer; masked tiles have a
   * constant ix0 that becomes part of each load's immediate offset. */
  const int xoff = masked ? 0 : ix0;
  const int qoff = masked ? ix0 : 0;
  for (int c = 0; c < (kh_lo < kh_hi ? Cg : 0); c++) { /* (no rows: all taps on padding) */
    const float *xr = x + c * H * W + (iy0 + kh_lo * dh) * W + xoff;
    const float *wr = w + (c * KH + kh_lo) * KW;
    for (int kh = kh_lo; kh < kh_hi; kh++, xr += dh * W, wr += KW) {
      float wv[EP_CONV_MAX_MB][EP_CONV_MAX_KW] = {{0.0f}};
      EP_UNROLL(16)
      for (int kw = 0; kw < KW; kw++) {
        EP_UNROLL(4)
        for (int mb = 0; mb < MB; mb++) wv[mb][kw] = wr[mb * wm + kw];
      }
      if (MB >= 2) {
        /* Several channels: kernel column by kernel column (each loaded input feeds MB
         * accumulators; gcc keeps the loads shared between columns). */
        EP_UNROLL(16)
        for (int kw = 0; kw < KW; kw++) {
          EP_UNROLL(16)
          for (int j = 0; j < P; j++) {
            const int q = j * sw + kw * dw;
            if (masked && (ix0 + q < 0 || ix0 + q >= W)) continue;
            const float xv = xr[qoff + q];
            EP_UNROLL(4)
            for (int mb = 0; mb < MB; mb++) acc[mb][j] = EP_MAC(xv, wv[mb][kw], acc[mb][j]);
          }
          EP_SCHED_BARRIER();
        }
        continue;
      }
      /* One channel: input column by input column; each input value is loaded once and meets every
       * (pixel, tap) pair that reads it (a pixel still sums its taps in kw order). */
#if EP__CONV_VLDM
      if (KW <= 8) {
        register float w0 __asm__("s24"), w1 __asm__("s25"), w2 __asm__("s26"), w3 __asm__("s27");
        register float w4 __asm__("s28"), w5 __asm__("s29"), w6 __asm__("s30"), w7 __asm__("s31");
#define EP__VLDM_W(list, ...) __asm__ volatile("vldmia %[p], {" list "}" : __VA_ARGS__ : [p] "r"(wr) : "memory")
        switch (KW) {
        case 1: EP__VLDM_W("s24", "=t"(w0)); break;
        case 2: EP__VLDM_W("s24-s25", "=t"(w0), "=t"(w1)); break;
        case 3: EP__VLDM_W("s24-s26", "=t"(w0), "=t"(w1), "=t"(w2)); break;
        case 4: EP__VLDM_W("s24-s27", "=t"(w0), "=t"(w1), "=t"(w2), "=t"(w3)); break;
        case 5: EP__VLDM_W("s24-s28", "=t"(w0), "=t"(w1), "=t"(w2), "=t"(w3), "=t"(w4)); break;
        case 6: EP__VLDM_W("s24-s29", "=t"(w0), "=t"(w1), "=t"(w2), "=t"(w3), "=t"(w4), "=t"(w5)); break;
        case 7: EP__VLDM_W("s24-s30", "=t"(w0), "=t"(w1), "=t"(w2), "=t"(w3), "=t"(w4), "=t"(w5), "=t"(w6)); break;
        default: EP__VLDM_W("s24-s31", "=t"(w0), "=t"(w1), "=t"(w2), "=t"(w3), "=t"(w4), "=t"(w5), "=t"(w6), "=t"(w7)); break;
        }
#undef EP__VLDM_W
        /* The columns inside the input (masked tiles have constant bounds). */
        const int q_lo = masked && ix0 < 0 ? -ix0 : 0;
        const int q_hi = masked && W - ix0 < Q ? W - ix0 : Q;
        EP_UNROLL(8)
        for (int q0 = q_lo; q0 < q_hi; q0 += 8) {
          const int n = q_hi - q0 < 8 ? q_hi - q0 : 8;
          register float x0 __asm__("s16"), x1 __asm__("s17"), x2 __asm__("s18"), x3 __asm__("s19");
          register float x4 __asm__("s20"), x5 __asm__("s21"), x6 __asm__("s22"), x7 __asm__("s23");
          const float *xp = xr + qoff + q0;
#define EP__VLDM_X(list, ...) __asm__ volatile("vldmia %[p], {" list "}" : __VA_ARGS__ : [p] "r"(xp) : "memory")
          switch (n) {
          case 1: EP__VLDM_X("s16", "=t"(x0)); break;
          case 2: EP__VLDM_X("s16-s17", "=t"(x0), "=t"(x1)); break;
          case 3: EP__VLDM_X("s16-s18", "=t"(x0), "=t"(x1), "=t"(x2)); break;
          case 4: EP__VLDM_X("s16-s19", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3)); break;
          case 5: EP__VLDM_X("s16-s20", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4)); break;
          case 6: EP__VLDM_X("s16-s21", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5)); break;
          case 7: EP__VLDM_X("s16-s22", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6)); break;
          default: EP__VLDM_X("s16-s23", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7)); break;
          }
#undef EP__VLDM_X
          EP_UNROLL(8)
          for (int i = 0; i < n; i++) {
            const int q = q0 + i;
            const float xv = EP__PICK8(i, x0, x1, x2, x3, x4, x5, x6, x7);
            EP_UNROLL(16)
            for (int kw = KW - 1; kw >= 0; kw--) {
              const int jj = q - kw * dw;
              if (jj < 0 || jj % sw != 0 || jj / sw >= P) continue;
              acc[0][jj / sw] = fmaf(xv, EP__PICK8(kw, w0, w1, w2, w3, w4, w5, w6, w7), acc[0][jj / sw]);
            }
          }
          EP_SCHED_BARRIER();
        }
        continue;
      }
#endif
      EP_UNROLL(64)
      for (int q = 0; q < Q; q++) {
        if (masked && (ix0 + q < 0 || ix0 + q >= W)) continue;
        const float xv = xr[qoff + q];
        EP_UNROLL(16)
        for (int kw = KW - 1; kw >= 0; kw--) {
          const int jj = q - kw * dw;
          if (jj < 0 || jj % sw != 0 || jj / sw >= P) continue;
          EP_UNROLL(4)
          for (int mb = 0; mb < MB; mb++) acc[mb][jj / sw] = EP_MAC(xv, wv[mb][kw], acc[mb][jj / sw]);
        }
        EP_SCHED_BARRIER();
      }
    }
  }
  EP_UNROLL(4)
  for (int mb = 0; mb < MB; mb++) {
    EP_UNROLL(16)
    for (int j = 0; j < P; j++) y[mb * OHW + j] = ep__clamp(ep__sum_end(acc[mb][j], bias, mb), act_min, act_max);
  }
}

/* All output rows of MB output channels of one group (wm floats from one channel's filter to the next). */
EP_INLINE void ep__conv_rows(const float *x, const float *w, const float *bias, float *y, const int MB, int Cg,
                             int H, int W, int KH, int KW, int OH, int OW, int sh, int sw, int dh, int dw, int pt,
                             int pl, int wm, float act_min, float act_max) {
  const int P = ep__conv_tile_width(MB, OW);
  const int tiles = (OW + P - 1) / P; /* tile b starts at min(b*P, OW-P): the last one may overlap */
  /* Tiles [0, bl) reach into the left padding, tiles [br, tiles) into the right padding (both sets
   * are ranges since tile starts grow with b); the tiles between need no masks. */
  int bl = EP_MIN(tiles, ep__ceil_div(pl, P * sw));
  if ((OW - P) * sw < pl) bl = tiles;
  const int last_inside = ep__floor_div(W - 1 + pl - (KW - 1) * dw, sw) - (P - 1); /* largest unmasked start */
  int br = last_inside < 0 ? 0 : EP_MIN(tiles - 1, last_inside / P + 1);
  if (OW - P <= last_inside) br = tiles;
  br = EP_MAX(bl, br);
  for (int oy = 0; oy < OH; oy++) {
    const int iy0 = oy * sh - pt;
    const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dh) : 0;
    const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dh));
    float *yr = y + oy * OW;
    EP_UNROLL(4)
    for (int b = 0; b < bl; b++) {
      const int ox0 = EP_MIN(b * P, OW - P);
      ep__conv_tile(x, w, bias, yr + ox0, MB, P, 1, Cg, H, W, KH, KW, wm, OH * OW, sw, dh, dw, pl, ox0, iy0, kh_lo,
                    kh_hi, act_min, act_max);
    }
    for (int b = bl; b < br; b++) {
      const int ox0 = EP_MIN(b * P, OW - P);
      ep__conv_tile(x, w, bias, yr + ox0, MB, P, 0, Cg, H, W, KH, KW, wm, OH * OW, sw, dh, dw, pl, ox0, iy0, kh_lo,
                    kh_hi, act_min, act_max);
    }
    EP_UNROLL(4)
    for (int b = br; b < tiles; b++) {
      const int ox0 = EP_MIN(b * P, OW - P);
      ep__conv_tile(x, w, bias, yr + ox0, MB, P, 1, Cg, H, W, KH, KW, wm, OH * OW, sw, dh, dw, pl, ox0, iy0, kh_lo,
                    kh_hi, act_min, act_max);
    }
  }
}

/* The same convolution one output at a time (used when the shapes are not compile-time
 * constants): identical sums in the identical order, so both paths give the same bits. */
EP_INLINE void ep__conv2d_generic(const float *x, const float *w, const float *bias, float *y, int C, int H, int W,
                                  int M, int KH, int KW, int OH, int OW, int sh, int sw, int dh, int dw, int pt,
                                  int pl, int groups, int ldw, float act_min, float act_max) {
  const int Cg = C / groups;
  const int Mg = M / groups;
  for (int m = 0; m < M; m++) {
    const float *xg = x + (m / Mg) * Cg * H * W;
    const float *wm = w + m * ldw;
    for (int oy = 0; oy < OH; oy++) {
      const int iy0 = oy * sh - pt;
      const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dh) : 0;
      const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dh));
      for (int ox = 0; ox < OW; ox++, y++) {
        const int ix0 = ox * sw - pl;
        const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dw) : 0;
        const int kw_hi = EP_MIN(KW, ep__ceil_div(W - ix0, dw));
        float acc = ep__sum_start(bias, m);
        for (int c = 0; c < Cg; c++)
          for (int kh = kh_lo; kh < kh_hi; kh++)
            for (int kw = kw_lo; kw < kw_hi; kw++)
              acc = EP_MAC(xg[(c * H + iy0 + kh * dh) * W + ix0 + kw * dw], wm[(c * KH + kh) * KW + kw], acc);
        *y = ep__clamp(ep__sum_end(acc, bias, m), act_min, act_max);
      }
    }
  }
}

/* Conv 2-D incl. groups and depthwise (C/groups == 1); 1-D convs come as H = 1. Fused clamp
 * [act_min, act_max] (-INFINITY/INFINITY for none, 0/INFINITY for ReLU). bias may be NULL.
 * Weights in ONNX layout [M][C/groups][KH][KW]. Each output is bias + sum over (input channel,
 * kernel row, kernel column) in that order with EP_MAC (ep_common.h: the bias first with fmaf, last with a
 * separate multiply and add). y must not overlap x. ldw: floats from one output channel's filter to the next
 * (C/groups*KH*KW for ep_conv2d_f32; more when the filters are the leading part of a wider layer's, in a levels library). */
EP_INLINE void ep__conv2d_f32_ldw(const float *x, const float *w, const float *bias, float *y, int C, int H, int W,
                                  int M, int KH, int KW, int OH, int OW, int stride_h, int stride_w, int dil_h,
                                  int dil_w, int pad_top, int pad_left, int groups, int ldw, float act_min,
                                  float act_max) {
  /* Register tiles need the tile shape at compile time (the emitter passes literals). */
  if (!(EP_CONSTANT(C) && EP_CONSTANT(W) && EP_CONSTANT(M) && EP_CONSTANT(KW) && EP_CONSTANT(OW) &&
        EP_CONSTANT(stride_w) && EP_CONSTANT(dil_w) && EP_CONSTANT(pad_left) && EP_CONSTANT(groups) &&
        KW <= EP_CONV_MAX_KW)) {
    ep__conv2d_generic(x, w, bias, y, C, H, W, M, KH, KW, OH, OW, stride_h, stride_w, dil_h, dil_w, pad_top,
                       pad_left, groups, ldw, act_min, act_max);
    return;
  }
  const int Cg = C / groups;
  const int Mg = M / groups;
  const int MB = ep__conv_tile_channels(Mg, KW);
  const int full = Mg / MB * MB;
  for (int g = 0; g < groups; g++) {
    const float *xg = x + g * Cg * H * W;
    for (int m = g * Mg; m < g * Mg + full; m += MB)
      ep__conv_rows(xg, w + m * ldw, bias ? bias + m : NULL, y + m * OH * OW, MB, Cg, H, W, KH, KW, OH,
                    OW, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left, ldw, act_min, act_max);
    for (int m = g * Mg + full; m < (g + 1) * Mg; m++)
      ep__conv_rows(xg, w + m * ldw, bias ? bias + m : NULL, y + m * OH * OW, 1, Cg, H, W, KH, KW, OH,
                    OW, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left, ldw, act_min, act_max);
  }
}

EP_INLINE void ep_conv2d_f32(const float *x, const float *w, const float *bias, float *y, int C, int H, int W, int M,
                             int KH, int KW, int OH, int OW, int stride_h, int stride_w, int dil_h, int dil_w,
                             int pad_top, int pad_left, int groups, float act_min, float act_max) {
  ep__conv2d_f32_ldw(x, w, bias, y, C, H, W, M, KH, KW, OH, OW, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left,
                     groups, C / groups * KH * KW, act_min, act_max);
}

/* ep_conv2d_f32 whose filter m starts at w + m * ldw (ldw >= C/groups*KH*KW, each filter's first C/groups*KH*KW floats
 * used): a nested level's layer reading the leading channels of the full model's filters. */
EP_INLINE void ep_conv2d_ldw_f32(const float *x, const float *w, const float *bias, float *y, int C, int H, int W,
                                 int M, int KH, int KW, int OH, int OW, int stride_h, int stride_w, int dil_h,
                                 int dil_w, int pad_top, int pad_left, int groups, int ldw, float act_min,
                                 float act_max) {
  ep__conv2d_f32_ldw(x, w, bias, y, C, H, W, M, KH, KW, OH, OW, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left,
                     groups, ldw, act_min, act_max);
}

/* ConvTranspose 2-D (groups, strides, dilations, pads; output size given, so output_padding and
 * output_shape are already resolved into OH/OW and the pads). Weights in ONNX layout
 * [C][M/groups][KH][KW]; bias may be NULL. Output (m, oy, ox) takes input (c, iy, ix) through tap
 * (kh, kw) when oy + pad_top = iy*stride_h + kh*dil_h and ox + pad_left = ix*stride_w + kw*dil_w.
 * Each output row is accumulated in y over input channels, then kernel rows, then kernel columns
 * (the reference order), and the bias is added last. y must not overlap x. */
EP_INLINE void ep_conv_transpose2d_f32(const float *x, const float *w, const float *bias, float *y, int C, int H,
                                       int W, int M, int KH, int KW, int OH, int OW, int stride_h, int stride_w,
                                       int dil_h, int dil_w, int pad_top, int pad_left, int groups) {
  const int Cg = C / groups;
  const int Mg = M / groups;
  for (int m = 0; m < M; m++) {
    const int g = m / Mg;
    const float b0 = bias ? bias[m] : 0.0f;
    for (int oy = 0; oy < OH; oy++) {
      float *yr = y + (m * OH + oy) * OW;
      for (int ox = 0; ox < OW; ox++) yr[ox] = 0.0f;
      for (int c = g * Cg; c < (g + 1) * Cg; c++) {
        const float *wc = w + ((c * Mg + (m - g * Mg)) * KH) * KW;
        for (int kh = 0; kh < KH; kh++) {
          const int t = oy + pad_top - kh * dil_h;
          if (t < 0 || t % stride_h != 0 || t / stride_h >= H) continue;
          const float *xr = x + (c * H + t / stride_h) * W;
          for (int kw = 0; kw < KW; kw++) {
            const float wv = wc[kh * KW + kw];
            const int off = kw * dil_w - pad_left; /* ox = ix * stride_w + off */
            const int ix_lo = off < 0 ? ep__ceil_div(-off, stride_w) : 0;
            const int ix_hi = EP_MIN(W, ep__ceil_div(OW - off, stride_w));
            for (int ix = ix_lo; ix < ix_hi; ix++) {
              const int ox = ix * stride_w + off;
              yr[ox] = EP_MAC(xr[ix], wv, yr[ox]);
            }
          }
        }
      }
      /* ep__sum_end of a local (no alias of y): acc + b0 in soft float, ep_mac_ct.h's constant-time add under it */
      if (bias)
        for (int ox = 0; ox < OW; ox++) yr[ox] = EP_SEPARATE_MAC ? ep__sum_end(yr[ox], &b0, 0) : yr[ox] + b0;
    }
  }
}

#endif /* EP_CONV_H */
