/* edgeprune MCU kernels: weight-sparse fully connected layer and convolution (float32, NCHW, batch 1).
 *
 * A pruned layer keeps only its non-zero weights, each with the byte offset of the input it multiplies.
 * Every output still sums its bias and its products in the dense kernels' order (k ascending for
 * ep_dense_f32; input channel, kernel row, kernel column for ep_conv2d_f32) with EP_MAC (the bias first
 * with fmaf, last with a separate multiply and add, ep_mac.h): the sum skips the terms whose weight is
 * zero, and fmaf(x, 0, acc) == acc (and acc + x * 0 == acc: that sum starts from +0, never -0), so the results are the
 * dense kernels' bits. Two caveats, both about terms that are not exactly nothing: an input that is
 * inf or NaN times a zero weight gives NaN in the dense kernel and is skipped here; and an output
 * whose sum is -0 (a bias of -0.0 and no non-zero term) stays -0 here where the dense kernel's
 * (+0)*x products may turn it into +0 (a fused ReLU or clamp makes both +0 again).
 *
 * Formats (built by the emitter, src/emit/c/sparse-choice.ts, which documents them too):
 *
 * ep_sparse_dense_f32, weights [N][K]: each output row's non-zeros are stored in slots of 8 ("blocks").
 *   hdr[n] (uint16)   = blocks << 3 | first: the row holds `blocks` blocks; its non-zeros fill the
 *                       slots from `first` (0..7) to the end (slots before `first` hold fillers that are
 *                       never read), so count = 8 * blocks - first.
 *   off[] (uint32)    = two slots per word: the byte offset (k * 4) of slot 2i in bits 0-15, of slot
 *                       2i+1 in bits 16-31 (K <= 16384); 4 words per block.
 *   val[] (float)     = 8 values per block.
 *   Rows follow one another; all three arrays must be 4-byte aligned (the emitter aligns them to 8).
 *   On a Cortex-M4F each block is one LDM of its offsets, one VLDM of its values and three
 *   instructions per slot (UXTAH/ADD to form the address, VLDR, VFMA); the first, partial block is
 *   entered through a TBB jump table.
 *
 * ep_sparse_conv2d_f32, weights [M][C/groups][KH][KW]: per output channel m, cnt[m] (uint16) non-zeros
 *   in (c, kh, kw) order, with
 *   off[] (uint16)    = byte offset ((c * H + kh * dil_h) * W + kw * dil_w) * 4 of the tap from the
 *                       window's first input (C/groups * H * W <= 16384);
 *   tap[] (uint8)     = kh * KW + kw (KH * KW <= 32), read only for windows that reach into the
 *                       padding (NULL is fine when none does);
 *   val[] (float)     = the weights.
 *   Windows inside the input run in tiles of up to 16 pixels of one output row (each weight loaded
 *   once per tile); windows on the padding skip the taps outside the input with a bit mask of the
 *   valid taps. */
#ifndef EP_SPARSE_H
#define EP_SPARSE_H

#include "ep_mac.h"

/* The hand-scheduled block loop: Thumb-2 with the DSP extension (UXTAH) and a single-precision FPU
 * with fused multiply-add (VFPv4), optimized builds only (its fixed registers need the optimizer). */
#if defined(__GNUC__) && defined(__thumb2__) && defined(__ARM_FEATURE_DSP) && defined(__ARM_FP) && \
    ((__ARM_FP & 4) != 0) && defined(__ARM_FEATURE_FMA) && defined(__OPTIMIZE__) && !defined(EP_SPARSE_NO_ASM) && !EP_SEPARATE_MAC
#define EP__SPARSE_ASM 1
#else
#define EP__SPARSE_ASM 0
#endif

/* One output row of ep_sparse_dense_f32: acc plus the products of `blocks` blocks from slot `first`;
 * advances *po and *pv past the row. */
EP_INLINE float ep__sparse_row(const char *xb, const uint32_t **po, const float **pv, unsigned first, unsigned blocks,
                               float acc) {
  if (blocks == 0) return acc;
#if EP__SPARSE_ASM
  const uint32_t *o = *po;
  const float *v = *pv;
  uint32_t t;
  __asm__ volatile(
      "ldmia %[o]!, {r4, r5, r6, r8}\n\t"
      "vldmia %[v]!, {s16-s23}\n\t"
      "tbb [pc, %[first]]\n"
      ".Lep_sp_tab%=:\n\t"
      ".byte (.Lep_sp_e0%=-.Lep_sp_tab%=)/2, (.Lep_sp_e1%=-.Lep_sp_tab%=)/2\n\t"
      ".byte (.Lep_sp_e2%=-.Lep_sp_tab%=)/2, (.Lep_sp_e3%=-.Lep_sp_tab%=)/2\n\t"
      ".byte (.Lep_sp_e4%=-.Lep_sp_tab%=)/2, (.Lep_sp_e5%=-.Lep_sp_tab%=)/2\n\t"
      ".byte (.Lep_sp_e6%=-.Lep_sp_tab%=)/2, (.Lep_sp_e7%=-.Lep_sp_tab%=)/2\n"
      ".Lep_sp_loop%=:\n\t"
      "ldmia %[o]!, {r4, r5, r6, r8}\n\t"
      "vldmia %[v]!, {s16-s23}\n"
      ".Lep_sp_e0%=:\n\t"
      "uxtah %[t], %[xb], r4\n\t"
      "vldr s24, [%[t]]\n\t"
      "vfma.f32 %[acc], s24, s16\n"
      ".Lep_sp_e1%=:\n\t"
      "add %[t], %[xb], r4, lsr #16\n\t"
      "vldr s24, [%[t]]\n\t"
      "vfma.f32 %[acc], s24, s17\n"
      ".Lep_sp_e2%=:\n\t"
      "uxtah %[t], %[xb], r5\n\t"
      "vldr s24, [%[t]]\n\t"
      "vfma.f32 %[acc], s24, s18\n"
      ".Lep_sp_e3%=:\n\t"
      "add %[t], %[xb], r5, lsr #16\n\t"
      "vldr s24, [%[t]]\n\t"
      "vfma.f32 %[acc], s24, s19\n"
      ".Lep_sp_e4%=:\n\t"
      "uxtah %[t], %[xb], r6\n\t"
      "vldr s24, [%[t]]\n\t"
      "vfma.f32 %[acc], s24, s20\n"
      ".Lep_sp_e5%=:\n\t"
      "add %[t], %[xb], r6, lsr #16\n\t"
      "vldr s24, [%[t]]\n\t"
      "vfma.f32 %[acc], s24, s21\n"
      ".Lep_sp_e6%=:\n\t"
      "uxtah %[t], %[xb], r8\n\t"
      "vldr s24, [%[t]]\n\t"
      "vfma.f32 %[acc], s24, s22\n"
      ".Lep_sp_e7%=:\n\t"
      "add %[t], %[xb], r8, lsr #16\n\t"
      "vldr s24, [%[t]]\n\t"
      "vfma.f32 %[acc], s24, s23\n\t"
      "subs %[n], %[n], #1\n\t"
      "bne .Lep_sp_loop%=\n\t"
      : [o] "+r"(o), [v] "+r"(v), [n] "+r"(blocks), [acc] "+t"(acc), [t] "=&r"(t)
      : [xb] "r"(xb), [first] "r"(first)
      : "r4", "r5", "r6", "r8", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "cc", "memory");
  *po = o;
  *pv = v;
#else
  const uint32_t *o = *po;
  const float *v = *pv;
  const unsigned slots = 8u * blocks;
  for (unsigned s = first; s < slots; s++) {
    const uint32_t word = o[s >> 1];
    const unsigned offset = (s & 1u) ? (unsigned)(word >> 16) : (unsigned)(word & 0xFFFFu);
    float xv;
    memcpy(&xv, xb + offset, sizeof xv);
    acc = EP_MAC(xv, v[s], acc);
  }
  *po = o + 4u * blocks;
  *pv = v + slots;
#endif
  return acc;
}

/* Fully connected with pruned constant weights: y[r][n] = clamp(bias[n] + sum over the non-zero
 * w[n][k] of x[r][k] * w[n][k]), k ascending, EP_MAC; the same bits as ep_dense_f32 on the dense
 * weights (see the caveats at the top). Format: hdr/off/val above. bias may be NULL; clamp as in
 * ep_dense_f32. y must not overlap x. */
EP_INLINE void ep_sparse_dense_f32(const float *x, const uint16_t *hdr, const uint32_t *off, const float *val,
                                   const float *bias, float *y, int rows, int K, int N, float act_min, float act_max) {
  for (int r = 0; r < rows; r++, x += K, y += N) {
    const char *xb = (const char *)x;
    const uint32_t *po = off;
    const float *pv = val;
    for (int n = 0; n < N; n++) {
      const unsigned h = hdr[n];
      const float acc = ep__sparse_row(xb, &po, &pv, h & 7u, h >> 3, ep__sum_start(bias, n));
      y[n] = ep__clamp(ep__sum_end(acc, bias, n), act_min, act_max);
    }
  }
}

#define EP_SPARSE_CONV_MAX_P 16

/* Hides a pointer's origin from gcc, which otherwise (for an input at a constant address, as in the
 * generated model.c) keeps one base register per pixel and adds the tap offset to each. */
#if defined(__GNUC__)
#define EP__OPAQUE(p) __asm__("" : "+r"(p))
#else
#define EP__OPAQUE(p) ((void)0)
#endif

/* Pixels per tile: the fewest tiles of at most 16 pixels over `width`, evenly sized. */
EP_INLINE int ep__sparse_conv_tile_width(int width) {
  const int tiles = (width + EP_SPARSE_CONV_MAX_P - 1) / EP_SPARSE_CONV_MAX_P;
  return tiles ? (width + tiles - 1) / tiles : 1;
}

/* Bits lo..hi-1 of a 32-bit mask (0 <= lo, hi <= 32). */
EP_INLINE uint32_t ep__bit_range(int lo, int hi) {
  if (hi <= lo) return 0u;
  const uint32_t upto = hi >= 32 ? 0xFFFFFFFFu : (1u << hi) - 1u;
  return upto & ~((1u << lo) - 1u);
}

/* P output pixels of one output channel, `in_step` bytes apart in the input and `out_step` floats
 * apart in y: bias b plus the channel's cnt non-zeros. base is the byte offset of the first pixel's
 * window origin in xg; with `masked`, only the taps whose bit is set in mask are added (the others
 * fall on the padding for every pixel of the tile). */
EP_INLINE void ep__sparse_conv_tile(const char *xg, int base, const uint16_t *off, const uint8_t *tap, const float *val,
                                    int cnt, float b, float *y, const int P, int in_step, int out_step,
                                    const int masked, uint32_t mask, float act_min, float act_max) {
  float acc[EP_SPARSE_CONV_MAX_P] = {0.0f}; /* (initialized for the warnings of non-constant calls) */
  EP_UNROLL(16)
  for (int j = 0; j < P; j++) acc[j] = EP_SEPARATE_MAC ? 0.0f : b; /* (the bias first or last, as EP_MAC) */
  /* (integer arithmetic: the first window's origin may lie before the input when the tile is masked) */
  const uintptr_t origin = (uintptr_t)xg + (uintptr_t)(intptr_t)base;
  for (int e = 0; e < cnt; e++) {
    if (masked && !((mask >> tap[e]) & 1u)) continue;
    const float wv = val[e];
    const char *xp = (const char *)(origin + off[e]);
    EP__OPAQUE(xp); /* one address register per tap, the pixels at immediate offsets from it */
    EP_UNROLL(16)
    for (int j = 0; j < P; j++) acc[j] = EP_MAC(*(const float *)(const void *)(xp + j * in_step), wv, acc[j]);
  }
  EP_UNROLL(16)
  for (int j = 0; j < P; j++) y[j * out_step] = ep__clamp(EP_SEPARATE_MAC ? acc[j] + b : acc[j], act_min, act_max);
}

/* Taps of kernel rows [kh_lo, kh_hi) and kernel columns [kw_lo, kw_hi) as a mask of bits kh * KW + kw. */
EP_INLINE uint32_t ep__tap_mask(int kh_lo, int kh_hi, int kw_lo, int kw_hi, int KW) {
  const uint32_t cols = ep__bit_range(kw_lo, kw_hi);
  uint32_t mask = 0;
  for (int kh = kh_lo; kh < kh_hi; kh++) mask |= cols << (kh * KW);
  return mask;
}

/* Conv 2-D with pruned constant weights (ep_conv2d_f32's arguments and semantics, incl. groups and
 * depthwise; the same bits, see the caveats at the top). Format: cnt/off/tap/val above. bias may be
 * NULL. y must not overlap x. Four regions: windows inside the input run in tiles along output rows;
 * rows reaching into the top/bottom padding in the same tiles with the mask of their valid kernel rows;
 * columns reaching into the left/right padding in tiles down the column with the mask of their valid
 * kernel columns; the corners pixel by pixel. */
EP_INLINE void ep_sparse_conv2d_f32(const float *x, const uint16_t *cnt, const uint16_t *off, const uint8_t *tap,
                                    const float *val, const float *bias, float *y, int C, int H, int W, int M, int KH,
                                    int KW, int OH, int OW, int stride_h, int stride_w, int dil_h, int dil_w,
                                    int pad_top, int pad_left, int groups, float act_min, float act_max) {
  const int Cg = C / groups;
  const int Mg = M / groups;
  /* Output rows [oy_lo, oy_hi) and columns [ox_lo, ox_hi) whose windows lie inside the input. */
  const int oy_lo = EP_MIN(OH, ep__ceil_div(pad_top, stride_h));
  const int oy_hi = EP_MAX(oy_lo, EP_MIN(OH, ep__floor_div(H - 1 + pad_top - (KH - 1) * dil_h, stride_h) + 1));
  const int ox_lo = EP_MIN(OW, ep__ceil_div(pad_left, stride_w));
  const int ox_hi = EP_MAX(ox_lo, EP_MIN(OW, ep__floor_div(W - 1 + pad_left - (KW - 1) * dil_w, stride_w) + 1));
  const int iw = ox_hi - ox_lo, ih = oy_hi - oy_lo;
  const int PW = EP_CONSTANT(W) && EP_CONSTANT(OW) && EP_CONSTANT(KW) && EP_CONSTANT(pad_left) &&
                         EP_CONSTANT(stride_w) && EP_CONSTANT(dil_w)
                     ? ep__sparse_conv_tile_width(iw)
                     : 1;
  const int PH = EP_CONSTANT(H) && EP_CONSTANT(OH) && EP_CONSTANT(KH) && EP_CONSTANT(pad_top) &&
                         EP_CONSTANT(stride_h) && EP_CONSTANT(dil_h)
                     ? ep__sparse_conv_tile_width(ih)
                     : 1;
  const int wtiles = iw > 0 ? (iw + PW - 1) / PW : 0;
  const int htiles = ih > 0 ? (ih + PH - 1) / PH : 0;
  const int row_step = stride_h * W * 4, col_step = stride_w * 4;
  for (int m = 0; m < M; m++) {
    const char *xg = (const char *)(x + (m / Mg) * Cg * H * W);
    const int n = cnt[m];
    const float b = bias ? bias[m] : 0.0f;
    float *ym = y + m * OH * OW;
    for (int oy = 0; oy < OH; oy++) {
      const int iy0 = oy * stride_h - pad_top;
      const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dil_h) : 0;
      const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dil_h));
      const int row_inside = oy >= oy_lo && oy < oy_hi;
      const uint32_t rows = ep__tap_mask(kh_lo, kh_hi, 0, KW, KW);
      float *yr = ym + oy * OW;
      /* Columns inside: tiles along the row (the last one may overlap the one before). */
      for (int t = 0; t < wtiles; t++) {
        const int ox0 = ox_lo + EP_MIN(t * PW, iw - PW);
        const int base = iy0 * W * 4 + (ox0 * stride_w - pad_left) * 4;
        if (row_inside)
          ep__sparse_conv_tile(xg, base, off, tap, val, n, b, yr + ox0, PW, col_step, 1, 0, 0u, act_min, act_max);
        else
          ep__sparse_conv_tile(xg, base, off, tap, val, n, b, yr + ox0, PW, col_step, 1, 1, rows, act_min, act_max);
      }
      if (row_inside) continue;
      /* Corners: pixel by pixel. */
      for (int ox = 0; ox < OW; ox++) {
        if (ox == ox_lo) ox = ox_hi;
        if (ox >= OW) break;
        const int ix0 = ox * stride_w - pad_left;
        const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dil_w) : 0;
        const int kw_hi = EP_MIN(KW, ep__ceil_div(W - ix0, dil_w));
        ep__sparse_conv_tile(xg, iy0 * W * 4 + ix0 * 4, off, tap, val, n, b, yr + ox, 1, col_step, 1, 1,
                             ep__tap_mask(kh_lo, kh_hi, kw_lo, kw_hi, KW), act_min, act_max);
      }
    }
    /* Columns reaching into the padding, rows inside: tiles down the column. */
    for (int ox = 0; ox < OW; ox++) {
      if (ox == ox_lo) ox = ox_hi;
      if (ox >= OW) break;
      const int ix0 = ox * stride_w - pad_left;
      const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dil_w) : 0;
      const int kw_hi = EP_MIN(KW, ep__ceil_div(W - ix0, dil_w));
      const uint32_t cols = ep__tap_mask(0, KH, kw_lo, kw_hi, KW);
      for (int t = 0; t < htiles; t++) {
        const int oy0 = oy_lo + EP_MIN(t * PH, ih - PH);
        const int base = (oy0 * stride_h - pad_top) * W * 4 + ix0 * 4;
        ep__sparse_conv_tile(xg, base, off, tap, val, n, b, ym + oy0 * OW + ox, PH, row_step, OW, 1, cols, act_min,
                             act_max);
      }
    }
    off += n;
    val += n;
    if (tap) tap += n;
  }
}

#endif /* EP_SPARSE_H */
