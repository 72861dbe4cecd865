/* edgeprune MCU kernels: weight-sparse int8 fully connected layer and convolution (NCHW, batch 1), per-channel
 * fixed-point requantization (one multiplier and shift for a dense layer with per-tensor weights: the _pt entry) and
 * fused clamp: the interpreter's Int8Gemm and Int8Conv bit for bit (integer sums are
 * exact, so skipping the zero weights changes nothing).
 *
 * Zero point. The dense kernels multiply raw x and start from bias - x_zp * (the weights' sum); so do these, with
 * the start acc0[m] = bias[m] - x_zp * (sum of the non-zero weights of output m) computed by the emitter (modulo
 * 2^32, as the kernels add). A conv tap that falls on the padding counts as x = x_zp (its term (x - x_zp) * w is 0):
 * the masked tiles add x_zp * w for each such tap.
 *
 * Formats (packed by the emitter, src/emit/c/sparse-choice-s8.ts). The dense int8 array takes 1 byte per weight, so
 * the index of a non-zero must take at most 1 byte too, or an 80%-pruned layer (0.2 non-zeros per weight) would
 * shrink to 0.2 * (2 + 1) = 0.6 of it with 16-bit offsets instead of 0.2 * 2 = 0.4 with 8-bit ones. Both formats
 * therefore split each output's non-zeros into segments whose positions fit a byte, with one count byte per
 * segment (not per non-zero):
 *
 * ep_sparse_dense_s8, weights [N][K]: the inputs in segments of 128 (S = ceil(K / 128) per row);
 *   cnt[n * S + s] (uint8) = non-zeros of row n among inputs [128 s, 128 s + 128) (at most 128: fits);
 *   idx[] (uint8)          = k - 128 s of each, ascending; val[] (int8) = the weights.
 *   Flash: N * S + 2 * nnz bytes (80% pruned, K = 256: 0.41 of the dense array).
 *
 * ep_sparse_conv2d_s8, weights [M][C/groups][KH][KW]: per output channel m, per input channel c of its group:
 *   cnt[m * Cg + c] (uint8) = non-zeros of w[m][c] (KH * KW <= 255);
 *   ent[] (uint8 pairs)     = per non-zero, in (kh, kw) order: its input offset within the channel's plane,
 *                             kh * dil_h * W + kw * dil_w (<= 255), then the weight (int8 bits).
 *   Offset and weight side by side: one pointer walks both. A window on the padding tells its taps apart by their
 *   codes kh * KW + kw, from a 256-byte table offset → code on the stack (built once per call), and a mask of the
 *   valid codes (KH * KW <= 64); the offsets must then be distinct: (KW - 1) * dil_w < dil_h * W.
 *   Flash: M * Cg + 2 * nnz bytes (80% pruned 8→16 5x5: 0.44 of the dense array).
 *
 * Speed: a dense output row costs per non-zero one index load, one input load, one weight load and one multiply-
 * accumulate. The conv runs tiles of up to EP_S8_SPARSE_MAX_P pixels of one output channel (one output row segment,
 * or one column segment on the left/right padding) with their accumulators in registers: per non-zero its
 * offset and weight once (two byte loads from one pointer), then one input load (immediate offset) and one
 * multiply-accumulate per pixel. */
#ifndef EP_INT8_SPARSE_H
#define EP_INT8_SPARSE_H

#include "ep_int8_common.h"

/* Inputs per segment of ep_sparse_dense_s8. */
#define EP_S8_SPARSE_SEGMENT 128
/* Pixels per conv tile (accumulators in registers on Thumb-2). */
#define EP_S8_SPARSE_MAX_P 8

/* ep_sparse_dense_s8 with the stride qs of mult and shift: the literal 1 (per output) or 0 (one pair for the layer). */
EP_INLINE void ep__sparse_dense_s8(const int8_t *x, const uint8_t *cnt, const uint8_t *idx, const int8_t *val,
                                   const int32_t *acc0, const int32_t *mult, const int8_t *shift, int8_t *y, int rows,
                                   int K, int N, int32_t y_zp, int32_t act_min, int32_t act_max, const int qs) {
  const int S = (K + EP_S8_SPARSE_SEGMENT - 1) / EP_S8_SPARSE_SEGMENT;
  for (int r = 0; r < rows; r++, x += K, y += N) {
    const uint8_t *pc = cnt;
    const uint8_t *pi = idx;
    const int8_t *pv = val;
    for (int n = 0; n < N; n++) {
      uint32_t acc = (uint32_t)acc0[n];
      const int8_t *xs = x;
      for (int s = 0; s < S; s++, xs += EP_S8_SPARSE_SEGMENT) {
        const uint8_t *end = pi + *pc++;
        for (; pi + 4 <= end; pi += 4, pv += 4) {
          acc += (uint32_t)((int32_t)xs[pi[0]] * pv[0]);
          acc += (uint32_t)((int32_t)xs[pi[1]] * pv[1]);
          acc += (uint32_t)((int32_t)xs[pi[2]] * pv[2]);
          acc += (uint32_t)((int32_t)xs[pi[3]] * pv[3]);
        }
        for (; pi < end; pi++, pv++) acc += (uint32_t)((int32_t)xs[*pi] * *pv);
      }
      const ep__rq_t rq = ep__rq_prepare(mult[n * qs], shift[n * qs], y_zp);
      y[n] = ep__rq_apply_ch((int32_t)acc, &rq, y_zp, act_min, act_max);
    }
  }
}

/* Int8Gemm with pruned constant weights: y[r][n] = clamp(requant(acc0[n] + sum over the non-zero w[n][k] of
 * x[r][k] * w[n][k], mult[n], shift[n]) + y_zp, act_min, act_max), with acc0[n] = bias[n] - x_zp * sum_k w[n][k]
 * (see the top): ep_dense_s8's bits. Format: cnt/idx/val above. y must not overlap x. */
EP_INLINE void ep_sparse_dense_s8(const int8_t *x, const uint8_t *cnt, const uint8_t *idx, const int8_t *val,
                                  const int32_t *acc0, const int32_t *mult, const int8_t *shift, int8_t *y, int rows,
                                  int K, int N, int32_t y_zp, int32_t act_min, int32_t act_max) {
  ep__sparse_dense_s8(x, cnt, idx, val, acc0, mult, shift, y, rows, K, N, y_zp, act_min, act_max, 1);
}

/* ep_sparse_dense_s8 with per-tensor weights: ONE multiplier *mult and shift *shift for every output (read once). */
EP_INLINE void ep_sparse_dense_s8_pt(const int8_t *x, const uint8_t *cnt, const uint8_t *idx, const int8_t *val,
                                     const int32_t *acc0, const int32_t *mult, const int8_t *shift, int8_t *y, int rows,
                                     int K, int N, int32_t y_zp, int32_t act_min, int32_t act_max) {
  const int32_t m = *mult;
  const int8_t s = *shift;
  ep__sparse_dense_s8(x, cnt, idx, val, acc0, &m, &s, y, rows, K, N, y_zp, act_min, act_max, 0);
}

/* Pixels per conv tile: the fewest tiles of at most EP_S8_SPARSE_MAX_P over `width`, evenly sized. */
EP_INLINE int ep__s8_sparse_tile_width(int width) {
  const int tiles = (width + EP_S8_SPARSE_MAX_P - 1) / EP_S8_SPARSE_MAX_P;
  return tiles ? (width + tiles - 1) / tiles : 1;
}

/* Taps of kernel rows [kh_lo, kh_hi) and columns [kw_lo, kw_hi) as a mask of bits kh * KW + kw (KH * KW <= 64). */
EP_INLINE uint64_t ep__s8_tap_mask(int kh_lo, int kh_hi, int kw_lo, int kw_hi, int KW) {
  uint64_t cols = 0, mask = 0;
  for (int kw = kw_lo; kw < kw_hi; kw++) cols |= (uint64_t)1 << kw;
  for (int kh = kh_lo; kh < kh_hi; kh++) mask |= cols << (kh * KW);
  return mask;
}

/* P output pixels of one output channel, `in_step` bytes apart in the input and `out_step` apart in y: acc0 plus the
 * channel's non-zeros (cnt per input channel, `plane` bytes apart in the input). base: the byte offset of the first
 * pixel's window origin in xg. masked: only the taps whose bit (tap_of[offset], kh * KW + kw) is set in mask read the
 * input (the others fall on the padding for every pixel of the tile and add x_zp * w); wide: more than 32 taps. */
EP_INLINE void ep__s8_sparse_conv_tile(const int8_t *xg, int base, const uint8_t *cnt, const uint8_t *ent, int Cg,
                                       int plane, uint32_t acc0, int32_t x_zp, int8_t *y, const int P, int in_step,
                                       int out_step, const int masked, const uint8_t *tap_of, const int wide,
                                       uint64_t mask, const ep__rq_t *rq, int32_t y_zp, int32_t act_min,
                                       int32_t act_max) {
  uint32_t acc[EP_S8_SPARSE_MAX_P] = {0}; /* (initialized for the warnings of non-constant calls) */
  EP_UNROLL(8)
  for (int j = 0; j < P; j++) acc[j] = acc0;
  int32_t outside = 0;
  const uint32_t mask32 = (uint32_t)mask;
  /* (integer arithmetic: a masked tile's first window may start before the input) */
  uintptr_t origin = (uintptr_t)xg + (uintptr_t)(intptr_t)base;
  for (int c = 0; c < Cg; c++, origin += (uintptr_t)plane) {
    const uint8_t *end = ent + 2 * cnt[c];
    for (; ent < end; ent += 2) {
      const unsigned off = ent[0];
      const int32_t wv = (int8_t)ent[1];
      if (masked) {
        const unsigned t = tap_of[off];
        if (!(wide ? (unsigned)(mask >> t) & 1u : (mask32 >> t) & 1u)) {
          outside += wv;
          continue;
        }
      }
      const int8_t *xp = (const int8_t *)(origin + off);
      EP__OPAQUE(xp); /* one address register per tap, the pixels at immediate offsets from it */
      EP_UNROLL(8)
      for (int j = 0; j < P; j++) acc[j] += (uint32_t)((int32_t)xp[j * in_step] * wv);
    }
  }
  const uint32_t pad = masked ? (uint32_t)x_zp * (uint32_t)outside : 0u;
  EP_UNROLL(8)
  for (int j = 0; j < P; j++) y[j * out_step] = ep__rq_apply_ch((int32_t)(acc[j] + pad), rq, y_zp, act_min, act_max);
}

/* Int8Conv with pruned constant weights (ep_conv2d_s8's semantics: groups, depthwise, 1-D as H = 1, strides,
 * dilations, padding; its bits). Format: cnt/ent above; acc0[m] = bias[m] - x_zp * (sum of w[m]). y must not
 * overlap x. Limits (the emitter keeps other layers dense): kh * dil_h * W + kw * dil_w <= 255 for every tap; when
 * a window reaches into the padding, KH * KW <= 64 and (KW - 1) * dil_w < dil_h * W. Four regions as in ep_sparse_conv2d_f32: windows inside the input in tiles along output rows; rows
 * reaching into the top/bottom padding in the same tiles with the mask of their valid kernel rows; columns reaching
 * into the left/right padding in tiles down the column with the mask of their valid kernel columns; the corners
 * pixel by pixel. */
EP_INLINE void ep_sparse_conv2d_s8(const int8_t *x, const uint8_t *cnt, const uint8_t *ent, const int32_t *acc0,
                                   const int32_t *mult, const int8_t *shift, int8_t *y, int C, int H, int W, int M,
                                   int KH, int KW, int OH, int OW, int stride_h, int stride_w, int dil_h, int dil_w,
                                   int pad_top, int pad_left, int groups, int32_t x_zp, int32_t y_zp, int32_t act_min,
                                   int32_t act_max) {
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
                     ? ep__s8_sparse_tile_width(iw)
                     : 1;
  const int PH = EP_CONSTANT(H) && EP_CONSTANT(OH) && EP_CONSTANT(KH) && EP_CONSTANT(pad_top) &&
                         EP_CONSTANT(stride_h) && EP_CONSTANT(dil_h)
                     ? ep__s8_sparse_tile_width(ih)
                     : 1;
  const int wtiles = iw > 0 ? (iw + PW - 1) / PW : 0;
  const int htiles = ih > 0 ? (ih + PH - 1) / PH : 0;
  const int plane = H * W, row_step = stride_h * W;
  /* The tap code kh * KW + kw of each offset in the plane, for the windows on the padding (only the taps' entries are
   * read). */
  uint8_t tap_of[256];
  const int wide = KH * KW > 32;
  for (int kh = 0; kh < KH; kh++)
    for (int kw = 0; kw < KW; kw++) tap_of[(kh * dil_h * W + kw * dil_w) & 255] = (uint8_t)(kh * KW + kw);
  for (int m = 0; m < M; m++) {
    const int8_t *xg = x + (m / Mg) * Cg * plane;
    const uint8_t *cm = cnt + m * Cg;
    int n = 0;
    for (int c = 0; c < Cg; c++) n += cm[c];
    const ep__rq_t rq = ep__rq_prepare(mult[m], shift[m], y_zp);
    const uint32_t a0 = (uint32_t)acc0[m];
    int8_t *ym = y + m * OH * OW;
    for (int oy = 0; oy < OH; oy++) {
      const int iy0 = oy * stride_h - pad_top;
      const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dil_h) : 0;
      const int kh_hi = EP_MAX(kh_lo, EP_MIN(KH, ep__ceil_div(H - iy0, dil_h)));
      const int row_inside = oy >= oy_lo && oy < oy_hi;
      const uint64_t rows = row_inside ? 0u : ep__s8_tap_mask(kh_lo, kh_hi, 0, KW, KW);
      int8_t *yr = ym + oy * OW;
      /* Columns inside: tiles along the row (the last one may overlap the one before). */
      for (int t = 0; t < wtiles; t++) {
        const int ox0 = ox_lo + EP_MIN(t * PW, iw - PW);
        const int base = iy0 * W + ox0 * stride_w - pad_left;
        if (row_inside)
          ep__s8_sparse_conv_tile(xg, base, cm, ent, Cg, plane, a0, x_zp, yr + ox0, PW, stride_w, 1, 0, tap_of, wide, 0u,
                                  &rq, y_zp, act_min, act_max);
        else
          ep__s8_sparse_conv_tile(xg, base, cm, ent, Cg, plane, a0, x_zp, yr + ox0, PW, stride_w, 1, 1, tap_of, wide,
                                  rows, &rq, y_zp, act_min, act_max);
      }
      if (row_inside) continue;
      /* Corners: pixel by pixel. */
      for (int ox = 0; ox < OW; ox++) {
        if (ox == ox_lo) ox = ox_hi;
        if (ox >= OW) break;
        const int ix0 = ox * stride_w - pad_left;
        const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dil_w) : 0;
        const int kw_hi = EP_MAX(kw_lo, EP_MIN(KW, ep__ceil_div(W - ix0, dil_w)));
        ep__s8_sparse_conv_tile(xg, iy0 * W + ix0, cm, ent, Cg, plane, a0, x_zp, yr + ox, 1, stride_w, 1, 1, tap_of, wide,
                                ep__s8_tap_mask(kh_lo, kh_hi, kw_lo, kw_hi, KW), &rq, y_zp, act_min, act_max);
      }
    }
    /* Columns reaching into the padding, rows inside: tiles down the column. */
    for (int ox = 0; ox < OW; ox++) {
      if (ox == ox_lo) ox = ox_hi;
      if (ox >= OW) break;
      const int ix0 = ox * stride_w - pad_left;
      const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dil_w) : 0;
      const int kw_hi = EP_MAX(kw_lo, EP_MIN(KW, ep__ceil_div(W - ix0, dil_w)));
      const uint64_t cols = ep__s8_tap_mask(0, KH, kw_lo, kw_hi, KW);
      for (int t = 0; t < htiles; t++) {
        const int oy0 = oy_lo + EP_MIN(t * PH, ih - PH);
        const int base = (oy0 * stride_h - pad_top) * W + ix0;
        ep__s8_sparse_conv_tile(xg, base, cm, ent, Cg, plane, a0, x_zp, ym + oy0 * OW + ox, PH, row_step, OW, 1, tap_of,
                                wide, cols, &rq, y_zp, act_min, act_max);
      }
    }
    ent += 2 * n;
  }
}

#endif /* EP_INT8_SPARSE_H */
