/* edgeprune MCU kernels: int8 2-D convolution (groups, depthwise, 1-D as H = 1, strides, dilations, padding),
 * per-channel fixed-point requantization and fused clamp: the interpreter's Int8Conv (src/ops/int8-conv.ts)
 * bit for bit. Two tiled paths (the DSP path of the Cortex-M4/M7, the portable path of every other core), each in C
 * and, with gcc on Thumb-2 at -O1 and above, with its tile reduction in assembly (ep_int8_asm.h); generic loops for
 * run-time shapes and what the tiles do not cover. */
#ifndef EP_INT8_CONV_H
#define EP_INT8_CONV_H

#include "ep_int8_common.h"
#include "ep_int8_asm.h"

/* Tiled paths: one output row segment of P pixels (per channel) keeps its accumulators in registers for the
 * whole reduction. They need the shapes as compile-time constants, a kernel at most EP_S8_MAX_KW wide and
 * EP_S8_MAX_TAPS taps per channel, and column dilation 1; anything else runs the generic loops. */
#define EP_S8_MAX_P 8
#define EP_S8_MAX_KW 8
#define EP_S8_MAX_TAPS 64

/* ---- Zero point: acc = bias + sum over the taps inside the input of (x - x_zp) * w ----
 * The tiled paths multiply raw x and start each output from bias - x_zp * (sum of the weights of its taps
 * inside the input), from per-channel weight sums cs[kh][kw] = sum over c of w[m][c][kh][kw]. */

/* cs[kh*KW + kw] for one output channel's weights wm ([Cg][KH][KW]). */
EP_INLINE void ep__s8_tap_sums(const int8_t *wm, int32_t *cs, int Cg, int taps) {
  for (int t = 0; t < taps; t++) cs[t] = 0;
  for (int c = 0; c < Cg; c++, wm += taps)
    for (int t = 0; t < taps; t++) cs[t] += wm[t];
}

/* The weights of kernel rows [kh_lo, kh_hi) per kernel column: colsum[kw] = sum over kh of cs[kh*KW + kw]; returns
 * bias - x_zp * (their total), the start of an output whose columns are all inside the input (modulo 2^32). */
EP_INLINE uint32_t ep__s8_row_base(const int32_t *cs, int32_t *colsum, int32_t bias, int32_t x_zp, int KW, int kh_lo,
                                   int kh_hi) {
  int32_t s = 0;
  for (int kw = 0; kw < KW; kw++) {
    int32_t c = 0;
    for (int kh = kh_lo; kh < kh_hi; kh++) c += cs[kh * KW + kw];
    colsum[kw] = c;
    s += c;
  }
  return (uint32_t)bias - (uint32_t)x_zp * (uint32_t)s;
}

/* The start of output j of a tile whose column taps may fall outside the input (ix0: the input column of tap 0
 * of output 0; constant in masked tiles): base plus x_zp times the weights of the columns outside. */
EP_INLINE uint32_t ep__s8_tile_init(const int32_t *colsum, uint32_t base, int32_t x_zp, const int masked, int j, int W,
                                    int KW, int sw, int ix0) {
  if (!masked) return base;
  int32_t s = 0;
  EP_UNROLL(8)
  for (int kw = 0; kw < KW; kw++) {
    const int col = ix0 + j * sw + kw;
    if (col < 0 || col >= W) s += colsum[kw];
  }
  return base + (uint32_t)x_zp * (uint32_t)s;
}

/* Input columns q of a tile (relative to ix0) that may be read: all of [0, Q) in an inside tile (its ix0 is not a
 * constant), the input's columns in a masked tile. */
EP_INLINE int ep__s8_col_ok(int q, const int masked, int W, int ix0, int Q) {
  return masked ? (ix0 + q >= 0 && ix0 + q < W) : (q >= 0 && q < Q);
}

#if EP_S8_DSP
/* ---- DSP path (Cortex-M4/M7): 16-bit lane pairs and SMLAD ----
 * Taps are paired two columns apart, (a, a+2): four weights of a kernel row [w0 w1 w2 w3] give the lane pairs
 * (w0, w2) and (w1, w3) with one load and two SXTB16, and four input bytes x[q..q+3] give (x[q], x[q+2]) and
 * (x[q+1], x[q+3]) the same way. Input column q's pair E_q then meets, in one SMLAD each, every (output, tap
 * pair) of the tile that reads it: each input row is loaded once per tile. Leftover taps (KW % 4) take
 * single-lane SMLABB. */

/* Role of tap a: 1 = first of a pair (a, a+2), 2 = second of a pair, 0 = single. */
EP_INLINE int ep__s8_tap_role(int a, int KW) {
  const int t0 = KW - (KW & 3);
  if (a < t0) return (a & 3) < 2 ? 1 : 2;
  if ((KW & 3) == 3 && a == t0) return 1;
  if ((KW & 3) == 3 && a == t0 + 2) return 2;
  return 0;
}

/* Weight registers of one kernel row: wv[a] for the first tap a of each pair (both lanes) and each single. */
EP_INLINE void ep__s8_row_weights_dsp(const int8_t *wr, uint32_t *wv, int KW) {
  const int t0 = KW - (KW & 3);
  EP_UNROLL(2)
  for (int b = 0; b < t0; b += 4) {
    const uint32_t t = ep__ld32(wr + b);
    wv[b] = ep__sxtb16(t);
    wv[b + 1] = ep__sxtb16_ror8(t);
  }
  if ((KW & 3) == 3) {
    wv[t0] = ep__pkhbt((uint32_t)(int32_t)wr[t0], (uint32_t)(int32_t)wr[t0 + 2]);
    wv[t0 + 1] = (uint32_t)(int32_t)wr[t0 + 1];
  } else {
    EP_UNROLL(2)
    for (int t = t0; t < KW; t++) wv[t] = (uint32_t)(int32_t)wr[t];
  }
}

/* The tile's accumulators a0..a7 of the C row code, named variables rather than an array. On the Cortex-M DSP targets
 * each is bound to its own register when the assembly tile is not available (gcc's own allocation spills them). */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(__clang__)
#define EP__S8_PIN(reg) __asm__(reg)
#else
#define EP__S8_PIN(reg)
#endif
#define EP__S8_DECLARE_ACC                                                                                           \
  register uint32_t a0 EP__S8_PIN("r0") = 0, a1 EP__S8_PIN("r1") = 0, a2 EP__S8_PIN("r2") = 0,                       \
                    a3 EP__S8_PIN("r3") = 0, a4 EP__S8_PIN("r4") = 0, a5 EP__S8_PIN("r5") = 0,                       \
                    a6 EP__S8_PIN("r6") = 0, a7 EP__S8_PIN("r8") = 0
/* F(accumulator j); j is a constant once the tile loops are unrolled, so the switch folds away. */
#define EP__S8_ON_ACC(j, F)                                                                                          \
  do {                                                                                                               \
    switch (j) {                                                                                                     \
    case 0: F(a0); break;                                                                                            \
    case 1: F(a1); break;                                                                                            \
    case 2: F(a2); break;                                                                                            \
    case 3: F(a3); break;                                                                                            \
    case 4: F(a4); break;                                                                                            \
    case 5: F(a5); break;                                                                                            \
    case 6: F(a6); break;                                                                                            \
    default: F(a7); break;                                                                                           \
    }                                                                                                                \
  } while (0)

/* Output pixels per tile: as many accumulators as the registers left by the row's weight registers allow (P + weight
 * registers + input word + input pair + 2 pointers <= 14). */
EP_INLINE int ep__s8_tile_pmax(int KW) { return EP_MIN(EP_S8_MAX_P, 10 - ((KW - (KW & 3)) / 2 + ((KW & 3) == 3 ? 2 : (KW & 3)))); }

/* The tile's reduction by the C row code: acc[j] += over the input channels and kernel rows [kh_lo, kh_hi) (xc, wc
 * at the first), column by column (xr[qoff + q] is the tile's input column q). */
EP_INLINE void ep__s8_tile_rows_c(const int8_t *xc, const int8_t *wc, uint32_t *acc, const int P, const int masked,
                                  const int full, int Cg, int H, int W, int KH, int KW, int sw, int dh, int ix0,
                                  int qoff, int rows) {
  EP__S8_DECLARE_ACC;
  EP_UNROLL(8)
  for (int j = 0; j < P; j++) {
#define EP__S8_SET(A) A = acc[j]
    EP__S8_ON_ACC(j, EP__S8_SET);
#undef EP__S8_SET
  }
  const int Q = (P - 1) * sw + KW;
  const int nrows = full ? KH : rows;
  for (int c = 0; c < Cg; c++, xc += H * W, wc += KH * KW) {
    EP_UNROLL(8)
    for (int r = 0; r < nrows; r++) {
      const int8_t *xr = xc + r * dh * W;
      uint32_t wv[EP_S8_MAX_KW] = {0};
      ep__s8_row_weights_dsp(wc + r * KW, wv, KW);
      uint32_t e_next = 0;
      int have_next = 0;
      EP_UNROLL(64)
      for (int q = 0; q < Q; q++) {
        if (!ep__s8_col_ok(q, masked, W, ix0, Q)) {
          have_next = 0;
          continue;
        }
        const int hi_ok = ep__s8_col_ok(q + 2, masked, W, ix0, Q);
        const int lo2_ok = ep__s8_col_ok(q - 2, masked, W, ix0, Q);
        int need_full = 0, need_lo = 0;
        EP_UNROLL(8)
        for (int j = 0; j < P; j++) {
          const int a = q - j * sw;
          if (a < 0 || a >= KW) continue;
          const int role = ep__s8_tap_role(a, KW);
          if (role == 1 && hi_ok) need_full = 1;
          else if (role != 2 || !lo2_ok) need_lo = 1;
        }
        if (!need_full && !need_lo) {
          have_next = 0;
          continue;
        }
        uint32_t e;
        if (have_next) {
          e = e_next;
          have_next = 0;
        } else if (ep__s8_col_ok(q + 3, masked, W, ix0, Q)) {
          const uint32_t t = ep__ld32(xr + qoff + q);
          e = ep__sxtb16(t);
          e_next = ep__sxtb16_ror8(t);
          have_next = 1;
        } else if (need_full && q >= 1 && ep__s8_col_ok(q - 1, masked, W, ix0, Q)) {
          e = ep__sxtb16_ror8(ep__ld32(xr + qoff + q - 1));
        } else if (need_full) {
          e = ep__pkhbt((uint32_t)(int32_t)xr[qoff + q], (uint32_t)(int32_t)xr[qoff + q + 2]);
        } else {
          e = (uint32_t)(int32_t)xr[qoff + q];
        }
        EP_UNROLL(8)
        for (int j = 0; j < P; j++) {
          const int a = q - j * sw;
          if (a < 0 || a >= KW) continue;
          const int role = ep__s8_tap_role(a, KW);
          if (role == 2 && lo2_ok) continue; /* the pair started two columns back */
          const uint32_t wsel = wv[role == 2 ? a - 2 : a];
#define EP__S8_MAC(A)                                                                                                \
  do {                                                                                                               \
    if (role == 1 && hi_ok) EP__SMLAD_TO(A, e, wsel);                                                                \
    else if (role == 2) EP__SMLABT_TO(A, e, wsel);                                                                   \
    else EP__SMLABB_TO(A, e, wsel);                                                                                  \
  } while (0)
          EP__S8_ON_ACC(j, EP__S8_MAC);
#undef EP__S8_MAC
        }
        EP_SCHED_BARRIER();
      }
    }
  }
  EP_UNROLL(8)
  for (int j = 0; j < P; j++) {
#define EP__S8_GET(A) acc[j] = A
    EP__S8_ON_ACC(j, EP__S8_GET);
#undef EP__S8_GET
  }
}

/* One tile: P pixels of one output channel's row from output column ox0 (yr points at it); full: every kernel row
 * is inside the input (kh_lo = 0, kh_hi = KH). */
EP_INLINE void ep__s8_tile_dsp(const int8_t *xg, const int8_t *wm, int8_t *yr, const int32_t *colsum, uint32_t base,
                               const int P, const int masked, const int full, int Cg, int H, int W, int KH, int KW,
                               int sw, int dh, int pl, int ox0, int iy0, int kh_lo, int kh_hi, int32_t x_zp,
                               const ep__rq_t *rq, int32_t y_zp, int32_t act_min, int32_t act_max) {
  uint32_t acc[EP_S8_MAX_P];
  const int ix0 = ox0 * sw - pl;
  const int lo = full ? 0 : kh_lo;
  const int rows = full ? KH : kh_hi - kh_lo;
  EP_UNROLL(8)
  for (int j = 0; j < P; j++) acc[j] = ep__s8_tile_init(colsum, base, x_zp, masked, j, W, KW, sw, ix0);
  const int xoff = masked ? 0 : ix0; /* inside tiles fold ix0 into the row pointer, masked ones into the offsets */
  const int qoff = masked ? ix0 : 0;
  const int8_t *xc = xg + (iy0 + lo * dh) * W + xoff;
  const int8_t *wc = wm + lo * KW;
  if (rows > 0) {
#if EP_S8_ASM
    const int Q = (P - 1) * sw + KW;
    const int qlo = masked ? -ix0 : 0;
    const int qhi = masked ? W - 1 - ix0 : Q - 1;
    if (__builtin_constant_p(qoff) && __builtin_constant_p(qlo) && __builtin_constant_p(qhi) &&
        __builtin_constant_p(H * W) && __builtin_constant_p(dh * W) && __builtin_constant_p(KH) && KH <= 15 &&
        sw <= 15 && (KH - 1) * dh * W + qoff + Q + 3 <= 4095 && qoff >= -255 && H * W <= 4095 && KH * KW <= 4095 &&
        (full ? KH : 1) * (Q * (3 + P) + 12) + 64 <= EP_S8_ASM_LINES) {
#define EP__S8_TILE_DSP_ASM(xr_, wr_, nc_)                                                                             \
  __asm__("ep_s8_tile_dsp %c[CFG], %c[XSTEP], %c[QLO], %c[QHI], %c[QOFF], %c[CX], %c[CW], %c[NC], %[xr], %[wr], %[accp], %[rows]" EP_S8_ASM_PAD \
          :                                                                                                            \
          : [xr] "r"(xr_), [wr] "r"(wr_), [accp] "r"(acc), [rows] "r"(rows),                                          \
            [CFG] "i"(P | KW << 4 | sw << 8 | KH << 12 | (full ? 1 : 0) << 16), [XSTEP] "i"(dh * W), [QLO] "i"(qlo),   \
            [QHI] "i"(qhi), [QOFF] "i"(qoff), [CX] "i"(H * W), [CW] "i"(KH * KW), [NC] "i"(nc_)                         \
          : "cc", "memory")
#define EP__S8_TILE_DSP_ASM_RT(xr_, wr_, xend_)                                                                        \
  __asm__("ep_s8_tile_dsp %c[CFG], %c[XSTEP], %c[QLO], %c[QHI], %c[QOFF], %c[CX], %c[CW], 0, %[xr], %[wr], %[accp], %[rows], %[xend]" EP_S8_ASM_PAD \
          :                                                                                                            \
          : [xr] "r"(xr_), [wr] "r"(wr_), [accp] "r"(acc), [rows] "r"(rows), [xend] "r"(xend_),                       \
            [CFG] "i"(P | KW << 4 | sw << 8 | KH << 12 | (full ? 1 : 0) << 16), [XSTEP] "i"(dh * W), [QLO] "i"(qlo),   \
            [QHI] "i"(qhi), [QOFF] "i"(qoff), [CX] "i"(H * W), [CW] "i"(KH * KW)                                       \
          : "cc", "memory")
      if (__builtin_constant_p(Cg))
        EP__S8_TILE_DSP_ASM(xc, wc, Cg);
      else if (Cg > 0) /* a run-time channel count (a kernel shared by nested levels): the loop ends at a pointer */
        EP__S8_TILE_DSP_ASM_RT(xc, wc, xc + Cg * H * W);
#undef EP__S8_TILE_DSP_ASM
#undef EP__S8_TILE_DSP_ASM_RT
    } else
#endif
      ep__s8_tile_rows_c(xc, wc, acc, P, masked, full, Cg, H, W, KH, KW, sw, dh, ix0, qoff, rows);
  }
  EP_UNROLL(8)
  for (int j = 0; j < P; j++) yr[j] = ep__rq_apply_ch((int32_t)acc[j], rq, y_zp, act_min, act_max);
}

/* One tile (see ep__s8_tile_dsp), specialized for the output rows whose kernel rows are all inside the input. */
EP_INLINE void ep__s8_conv_tile(const int8_t *xg, const int8_t *wm, int8_t *yr, const int32_t *colsum, uint32_t base,
                                const int P, const int masked, int Cg, int H, int W, int KH, int KW, int sw, int dh,
                                int pl, int ox0, int iy0, int kh_lo, int kh_hi, int32_t x_zp, const ep__rq_t *rq,
                                int32_t y_zp, int32_t act_min, int32_t act_max) {
  if (kh_lo == 0 && kh_hi == KH && KH <= 8)
    ep__s8_tile_dsp(xg, wm, yr, colsum, base, P, masked, 1, Cg, H, W, KH, KW, sw, dh, pl, ox0, iy0, kh_lo, kh_hi, x_zp, rq,
                    y_zp, act_min, act_max);
  else
    ep__s8_tile_dsp(xg, wm, yr, colsum, base, P, masked, 0, Cg, H, W, KH, KW, sw, dh, pl, ox0, iy0, kh_lo, kh_hi, x_zp, rq,
                    y_zp, act_min, act_max);
}

#else
/* ---- Portable path (any core; Cortex-M3 has no DSP extension) ----
 * Two output channels at once in one 64-bit accumulator: the weight pair w_m + w_m' * 2^24 (both int8) times
 * the raw input x is x*w_m + x*w_m' * 2^24, so one SMLAL does two multiply-accumulates, and the sum
 * L + H * 2^24 separates exactly while |L| < 2^23 (at most EP_S8_PAIR_TAPS taps of |x * w| <= 128 * 127).
 * Kernel columns are taken in groups of EP_S8_GROUP: each input byte loaded meets every tap of the group. On the
 * Cortex-M3 the tile reduction is ep_s8_tile_m3 (ep_int8_asm.h), the same algorithm with groups of 3. */
#define EP_S8_PAIR_TAPS 512
#define EP_S8_GROUP 2

/* Pixels per tile: two registers per 64-bit accumulator, the group's weights, the input byte, two pointers. */
EP_INLINE int ep__s8_tile_pmax(int KW) {
  (void)KW;
  return 4;
}

/* One kernel row of a tile: acc[j] += x[ix0 + j*sw + a] * wpair[a] over the taps a inside the input. wr2: the
 * second channel's row, or NULL (one channel). */
EP_INLINE void ep__s8_row_pair(const int8_t *xr, int qoff, const int8_t *wr, const int8_t *wr2, int64_t *acc,
                               const int P, const int masked, int W, int KW, int sw, int ix0) {
  const int Q = (P - 1) * sw + KW;
  EP_UNROLL(8)
  for (int g0 = 0; g0 < KW; g0 += EP_S8_GROUP) {
    const int G = EP_MIN(EP_S8_GROUP, KW - g0);
    int32_t wv[EP_S8_GROUP];
    EP_UNROLL(4)
    for (int a = 0; a < G; a++)
      wv[a] = wr2 ? (int32_t)((uint32_t)wr2[g0 + a] << 24) + wr[g0 + a] : wr[g0 + a];
    EP_UNROLL(64)
    for (int q = g0; q < (P - 1) * sw + g0 + G; q++) {
      if (!ep__s8_col_ok(q, masked, W, ix0, Q)) continue;
      int used = 0;
      EP_UNROLL(8)
      for (int j = 0; j < P; j++) used |= q - j * sw >= g0 && q - j * sw < g0 + G;
      if (!used) continue;
      const int32_t xv = xr[qoff + q];
      EP_UNROLL(8)
      for (int j = 0; j < P; j++) {
        const int a = q - j * sw - g0;
        if (a >= 0 && a < G) acc[j] += (int64_t)xv * wv[a];
      }
    }
    EP_SCHED_BARRIER();
  }
}

/* One tile: P pixels of output channels m (and m+1 when pair is set: wm2 = its weights) from output column ox0; full:
 * every kernel row is inside the input (kh_lo = 0, kh_hi = KH). */
EP_INLINE void ep__s8_tile_pair(const int8_t *xg, const int8_t *wm, const int8_t *wm2, int8_t *yr, int OHW,
                                const int32_t *colsum, const int32_t *colsum2, uint32_t base, uint32_t base2,
                                const int P, const int masked, const int pair, const int full, int Cg, int H, int W,
                                int KH, int KW, int sw, int dh, int pl, int ox0, int iy0, int kh_lo, int kh_hi,
                                int32_t x_zp, const ep__rq_t *rq, const ep__rq_t *rq2, int32_t y_zp, int32_t act_min,
                                int32_t act_max) {
  uint32_t a1[EP_S8_MAX_P] = {0}, a2[EP_S8_MAX_P] = {0};
  const int ix0 = ox0 * sw - pl;
  EP_UNROLL(8)
  for (int j = 0; j < P; j++) {
    a1[j] = ep__s8_tile_init(colsum, base, x_zp, masked, j, W, KW, sw, ix0);
    if (pair) a2[j] = ep__s8_tile_init(colsum2, base2, x_zp, masked, j, W, KW, sw, ix0);
  }
  const int lo = full ? 0 : kh_lo;
  const int rows = full ? KH : kh_hi - kh_lo;
  const int xoff = masked ? 0 : ix0;
  const int qoff = masked ? ix0 : 0;
  const int w2off = pair ? (int)(wm2 - wm) : 0;
  /* Input channels per exact sum (at most EP_S8_PAIR_TAPS taps): full chunks, then the rest. */
  const int chunk = EP_MAX(1, EP_S8_PAIR_TAPS / (KH * KW));
  const int nfull = Cg / chunk;
  const int rest = Cg - nfull * chunk;
  for (int k = 0; k < (rows > 0 ? nfull + (rest > 0) : 0); k++) {
    const int c0 = k * chunk;
    const int nc = k < nfull ? chunk : rest;
    int64_t acc[EP_S8_MAX_P] = {0};
    const int8_t *xc = xg + c0 * H * W + (iy0 + lo * dh) * W + xoff;
    const int8_t *wc = wm + (c0 * KH + lo) * KW;
#if EP_S8_ASM_M3
    const int Q = (P - 1) * sw + KW;
    const int qlo = masked ? -ix0 : 0;
    const int qhi = masked ? W - 1 - ix0 : Q - 1;
    if (__builtin_constant_p(qoff) && __builtin_constant_p(qlo) && __builtin_constant_p(qhi) &&
        __builtin_constant_p(H * W) && __builtin_constant_p(dh * W) && __builtin_constant_p(KH) &&
        __builtin_constant_p(w2off) && (__builtin_constant_p(nc) || !__builtin_constant_p(Cg)) && P <= 4 && KH <= 15 && sw <= 15 &&
        (KH - 1) * dh * W + qoff + Q <= 4095 && qoff >= -255 && H * W <= 4095 && w2off + KH * KW <= 4095 &&
        (full ? KH : 1) * (3 * KW + ((P - 1) * sw + 3) * (1 + P) * ((KW + 2) / 3)) + 64 <= EP_S8_ASM_LINES) {
#define EP__S8_TILE_M3_ASM(xr_, wr_, nc_)                                                                              \
  __asm__("ep_s8_tile_m3 %c[CFG], %c[XSTEP], %c[QLO], %c[QHI], %c[QOFF], %c[CX], %c[CW], %c[NC], %c[W2], %[xr], %[wr], %[accp], %[rows]" EP_S8_ASM_PAD \
          :                                                                                                            \
          : [xr] "r"(xr_), [wr] "r"(wr_), [accp] "r"(acc), [rows] "r"(rows),                                          \
            [CFG] "i"(P | KW << 4 | sw << 8 | KH << 12 | (full ? 1 : 0) << 16), [XSTEP] "i"(dh * W), [QLO] "i"(qlo),   \
            [QHI] "i"(qhi), [QOFF] "i"(qoff), [CX] "i"(H * W), [CW] "i"(KH * KW), [NC] "i"(nc_), [W2] "i"(w2off)       \
          : "cc", "memory")
#define EP__S8_TILE_M3_ASM_RT(xr_, wr_, xend_)                                                                         \
  __asm__("ep_s8_tile_m3 %c[CFG], %c[XSTEP], %c[QLO], %c[QHI], %c[QOFF], %c[CX], %c[CW], 0, %c[W2], %[xr], %[wr], %[accp], %[rows], %[xend]" EP_S8_ASM_PAD \
          :                                                                                                            \
          : [xr] "r"(xr_), [wr] "r"(wr_), [accp] "r"(acc), [rows] "r"(rows), [xend] "r"(xend_),                       \
            [CFG] "i"(P | KW << 4 | sw << 8 | KH << 12 | (full ? 1 : 0) << 16), [XSTEP] "i"(dh * W), [QLO] "i"(qlo),   \
            [QHI] "i"(qhi), [QOFF] "i"(qoff), [CX] "i"(H * W), [CW] "i"(KH * KW), [W2] "i"(w2off)                     \
          : "cc", "memory")
      if (__builtin_constant_p(nc))
        EP__S8_TILE_M3_ASM(xc, wc, nc);
      else if (nc > 0) /* a run-time channel count (a kernel shared by nested levels): the loop ends at a pointer */
        EP__S8_TILE_M3_ASM_RT(xc, wc, xc + nc * H * W);
#undef EP__S8_TILE_M3_ASM
#undef EP__S8_TILE_M3_ASM_RT
    } else
#endif
    {
      for (int c = 0; c < nc; c++, xc += H * W, wc += KH * KW) {
        const int8_t *xr = xc;
        const int8_t *wr = wc;
        for (int r = 0; r < rows; r++, xr += dh * W, wr += KW)
          ep__s8_row_pair(xr, qoff, wr, pair ? wr + w2off : NULL, acc, P, masked, W, KW, sw, ix0);
      }
    }
    EP_UNROLL(8)
    for (int j = 0; j < P; j++) {
      const int32_t low = (int32_t)((uint32_t)acc[j] << 8) >> 8; /* the low lane, sign-extended from 24 bits */
      a1[j] += (uint32_t)low;
      if (pair) a2[j] += (uint32_t)(int32_t)((acc[j] - low) >> 24);
    }
  }
  EP_UNROLL(8)
  for (int j = 0; j < P; j++) {
    yr[j] = ep__rq_apply_ch((int32_t)a1[j], rq, y_zp, act_min, act_max);
    if (pair) yr[OHW + j] = ep__rq_apply_ch((int32_t)a2[j], rq2, y_zp, act_min, act_max);
  }
}

/* One tile (see ep__s8_tile_pair), specialized for the output rows whose kernel rows are all inside the input. */
EP_INLINE void ep__s8_conv_tile_pair(const int8_t *xg, const int8_t *wm, const int8_t *wm2, int8_t *yr, int OHW,
                                     const int32_t *colsum, const int32_t *colsum2, uint32_t base, uint32_t base2,
                                     const int P, const int masked, const int pair, int Cg, int H, int W, int KH,
                                     int KW, int sw, int dh, int pl, int ox0, int iy0, int kh_lo, int kh_hi,
                                     int32_t x_zp, const ep__rq_t *rq, const ep__rq_t *rq2, int32_t y_zp,
                                     int32_t act_min, int32_t act_max) {
  if (kh_lo == 0 && kh_hi == KH)
    ep__s8_tile_pair(xg, wm, wm2, yr, OHW, colsum, colsum2, base, base2, P, masked, pair, 1, Cg, H, W, KH, KW, sw, dh,
                     pl, ox0, iy0, kh_lo, kh_hi, x_zp, rq, rq2, y_zp, act_min, act_max);
  else
    ep__s8_tile_pair(xg, wm, wm2, yr, OHW, colsum, colsum2, base, base2, P, masked, pair, 0, Cg, H, W, KH, KW, sw, dh,
                     pl, ox0, iy0, kh_lo, kh_hi, x_zp, rq, rq2, y_zp, act_min, act_max);
}
#endif

/* Pixels per tile for a row of OW outputs: the fewest tiles of at most pmax, evenly sized. */
EP_INLINE int ep__s8_tile_width(int OW, int pmax) {
  const int tiles = (OW + pmax - 1) / pmax;
  return (OW + tiles - 1) / tiles;
}

/* All output rows of one output channel m (and m2 = m + 1 on the portable path, when pair is set); channel m's
 * filter starts at w + m * ldw. */
EP_INLINE void ep__s8_conv_channel(const int8_t *xg, const int8_t *w, const int32_t *bias, const int32_t *mult,
                                   const int8_t *shift, int8_t *y, int m, const int pair, int Cg, int H, int W,
                                   int KH, int KW, int OH, int OW, int sh, int sw, int dh, int pt, int pl, int ldw,
                                   int32_t x_zp, int32_t y_zp, int32_t act_min, int32_t act_max) {
  const int taps = KH * KW;
  int32_t cs[EP_S8_MAX_TAPS];
  const int8_t *wm = w + m * ldw;
  ep__s8_tap_sums(wm, cs, Cg, taps);
  const ep__rq_t rq = ep__rq_prepare(mult[m], shift[m], y_zp);
  const int32_t b = bias ? bias[m] : 0;
#if !EP_S8_DSP
  int32_t cs2[EP_S8_MAX_TAPS];
  const int8_t *wm2 = pair ? wm + ldw : NULL;
  if (pair) ep__s8_tap_sums(wm2, cs2, Cg, taps);
  const ep__rq_t rq2 = ep__rq_prepare(mult[m + pair], shift[m + pair], y_zp);
  const int32_t b2 = bias && pair ? bias[m + 1] : 0;
#else
  (void)pair;
#endif
  const int P = ep__s8_tile_width(OW, ep__s8_tile_pmax(KW));
  const int tiles = (OW + P - 1) / P; /* tile t starts at min(t*P, OW-P): the last one may overlap */
  /* Tiles [0, bl) reach into the left padding, [br, tiles) into the right padding; those between need no masks. */
  int bl = EP_MIN(tiles, ep__ceil_div(pl, P * sw));
  if ((OW - P) * sw < pl) bl = tiles;
  const int last_inside = ep__floor_div(W - 1 + pl - (KW - 1), sw) - (P - 1); /* largest unmasked start */
  int br = last_inside < 0 ? 0 : EP_MIN(tiles - 1, last_inside / P + 1);
  if (OW - P <= last_inside) br = tiles;
  br = EP_MAX(bl, br);
  int8_t *ym = y + m * OH * OW;
  /* Output starts of the rows whose kernel rows are all inside the input, once; the others' row by row. */
  int32_t colsum_all[EP_S8_MAX_KW], colsum_part[EP_S8_MAX_KW];
  const uint32_t base_all = ep__s8_row_base(cs, colsum_all, b, x_zp, KW, 0, KH);
#if !EP_S8_DSP
  int32_t colsum2_all[EP_S8_MAX_KW], colsum2_part[EP_S8_MAX_KW];
  const uint32_t base2_all = pair ? ep__s8_row_base(cs2, colsum2_all, b2, x_zp, KW, 0, KH) : 0;
#endif
  for (int oy = 0; oy < OH; oy++) {
    const int iy0 = oy * sh - pt;
    const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dh) : 0;
    const int kh_hi = EP_MAX(kh_lo, EP_MIN(KH, ep__ceil_div(H - iy0, dh)));
    const int inside = kh_lo == 0 && kh_hi == KH;
    const int32_t *colsum = inside ? colsum_all : colsum_part;
    const uint32_t base = inside ? base_all : ep__s8_row_base(cs, colsum_part, b, x_zp, KW, kh_lo, kh_hi);
    int8_t *yr = ym + oy * OW;
#if EP_S8_DSP
#define EP__S8_TILE(masked_, ox0_)                                                                                     \
  ep__s8_conv_tile(xg, wm, yr + (ox0_), colsum, base, P, masked_, Cg, H, W, KH, KW, sw, dh, pl, ox0_, iy0, kh_lo, kh_hi,  \
                   x_zp, &rq, y_zp, act_min, act_max)
#else
    const int32_t *colsum2 = inside ? colsum2_all : colsum2_part;
    const uint32_t base2 = !pair ? 0 : inside ? base2_all : ep__s8_row_base(cs2, colsum2_part, b2, x_zp, KW, kh_lo, kh_hi);
#define EP__S8_TILE(masked_, ox0_)                                                                                     \
  ep__s8_conv_tile_pair(xg, wm, wm2, yr + (ox0_), OH * OW, colsum, colsum2, base, base2, P, masked_, pair, Cg, H, W, KH, KW, sw, dh, \
                        pl, ox0_, iy0, kh_lo, kh_hi, x_zp, &rq, &rq2, y_zp, act_min, act_max)
#endif
    EP_UNROLL(4)
    for (int t = 0; t < bl; t++) EP__S8_TILE(1, EP_MIN(t * P, OW - P));
    for (int t = bl; t < br; t++) EP__S8_TILE(0, EP_MIN(t * P, OW - P));
    EP_UNROLL(4)
    for (int t = br; t < tiles; t++) EP__S8_TILE(1, EP_MIN(t * P, OW - P));
#undef EP__S8_TILE
  }
}

/* The convolution one output at a time (shapes not known at compile time, or beyond the tiled paths' limits):
 * acc = bias + sum over the taps inside the input of (x - x_zp) * w, in int32 arithmetic modulo 2^32. */
EP_INLINE void ep__s8_conv_generic(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                                   const int8_t *shift, int8_t *y, int C, int H, int W, int M, int KH, int KW, int OH,
                                   int OW, int sh, int sw, int dh, int dw, int pt, int pl, int groups, int ldw,
                                   int32_t x_zp, int32_t y_zp, int32_t act_min, int32_t act_max) {
  const int Cg = C / groups;
  const int Mg = M / groups;
  for (int m = 0; m < M; m++) {
    const int8_t *xg = x + (m / Mg) * Cg * H * W;
    const int8_t *wm = w + m * ldw;
    for (int oy = 0; oy < OH; oy++) {
      const int iy0 = oy * sh - pt;
      const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dh) : 0;
      const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dh));
      for (int ox = 0; ox < OW; ox++, y++) {
        const int ix0 = ox * sw - pl;
        const int kw_lo = ix0 < 0 ? ep__ceil_div(-ix0, dw) : 0;
        const int kw_hi = EP_MIN(KW, ep__ceil_div(W - ix0, dw));
        uint32_t acc = bias ? (uint32_t)bias[m] : 0u;
        for (int c = 0; c < Cg; c++)
          for (int kh = kh_lo; kh < kh_hi; kh++)
            for (int kw = kw_lo; kw < kw_hi; kw++)
              acc += (uint32_t)(((int32_t)xg[(c * H + iy0 + kh * dh) * W + ix0 + kw * dw] - x_zp) *
                                (int32_t)wm[(c * KH + kh) * KW + kw]);
        *y = ep_requant_s8((int32_t)acc, mult[m], shift[m], y_zp, act_min, act_max);
      }
    }
  }
}

/* Int8Conv: x int8 [C][H][W] (zero point x_zp), weights int8 [M][C/groups][KH][KW] (ONNX layout, symmetric),
 * bias int32 [M] or NULL, per-channel requantization mult[m] (0 or in [2^30, 2^31)) and shift[m] (in [1, 62], from
 * channelMultipliers of src/ops/util/int8-params.ts), output y int8 [M][OH][OW] with zero point y_zp and the
 * fused clamp [act_min, act_max] (-128, 127 for none). Conv 2-D with groups (depthwise: C/groups == 1), strides,
 * dilations and begin pads (OH/OW imply the end pads); 1-D convs come as H = 1. Padded taps contribute 0 (the
 * padding is the real 0, x_zp). The result is exact whatever the path: the interpreter's bits. y must not
 * overlap x. Call with literal shapes (as the emitter does) for the register-tiled code. ldw: int8 elements from one
 * output channel's filter to the next (C/groups*KH*KW for ep_conv2d_s8). */
EP_INLINE void ep__conv2d_s8_ldw(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                                 const int8_t *shift, int8_t *y, int C, int H, int W, int M, int KH, int KW, int OH,
                                 int OW, int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left,
                                 int groups, int ldw, int32_t x_zp, int32_t y_zp, int32_t act_min, int32_t act_max) {
  /* (M, the output channels, only bounds the channel loop, and C the loops over input channels (the assembly tiles'
   * channel loop then ends at a pointer computed at run time): a run-time M or C keeps the tiled path, as the levels'
   * shared kernels pass them, src/levels/shared-kernels.ts) */
  if (!(EP_CONSTANT(W) && EP_CONSTANT(KH) && EP_CONSTANT(KW) &&
        EP_CONSTANT(OW) && EP_CONSTANT(stride_w) && EP_CONSTANT(dil_w) && EP_CONSTANT(pad_left) &&
        EP_CONSTANT(groups) && dil_w == 1 && KW <= EP_S8_MAX_KW && KH * KW <= EP_S8_MAX_TAPS)) {
    ep__s8_conv_generic(x, w, bias, mult, shift, y, C, H, W, M, KH, KW, OH, OW, stride_h, stride_w, dil_h, dil_w,
                        pad_top, pad_left, groups, ldw, x_zp, y_zp, act_min, act_max);
    return;
  }
  const int Cg = C / groups;
  const int Mg = M / groups;
  for (int g = 0; g < groups; g++) {
    const int8_t *xg = x + g * Cg * H * W;
#if EP_S8_DSP
    for (int m = g * Mg; m < (g + 1) * Mg; m++)
      ep__s8_conv_channel(xg, w, bias, mult, shift, y, m, 0, Cg, H, W, KH, KW, OH, OW, stride_h, stride_w, dil_h,
                          pad_top, pad_left, ldw, x_zp, y_zp, act_min, act_max);
#else
    const int full = Mg / 2 * 2;
    for (int m = g * Mg; m < g * Mg + full; m += 2)
      ep__s8_conv_channel(xg, w, bias, mult, shift, y, m, 1, Cg, H, W, KH, KW, OH, OW, stride_h, stride_w, dil_h,
                          pad_top, pad_left, ldw, x_zp, y_zp, act_min, act_max);
    if (full < Mg)
      ep__s8_conv_channel(xg, w, bias, mult, shift, y, g * Mg + full, 0, Cg, H, W, KH, KW, OH, OW, stride_h,
                          stride_w, dil_h, pad_top, pad_left, ldw, x_zp, y_zp, act_min, act_max);
#endif
  }
}

/* Int8Conv (see ep__conv2d_s8_ldw): weights int8 [M][C/groups][KH][KW]. */
EP_INLINE void ep_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                            const int8_t *shift, int8_t *y, int C, int H, int W, int M, int KH, int KW, int OH,
                            int OW, int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left,
                            int groups, int32_t x_zp, int32_t y_zp, int32_t act_min, int32_t act_max) {
  ep__conv2d_s8_ldw(x, w, bias, mult, shift, y, C, H, W, M, KH, KW, OH, OW, stride_h, stride_w, dil_h, dil_w, pad_top,
                    pad_left, groups, C / groups * KH * KW, x_zp, y_zp, act_min, act_max);
}

/* ep_conv2d_s8 whose filter m starts at w + m * ldw (ldw >= C/groups*KH*KW; each filter's first C/groups*KH*KW
 * elements are used): a nested level's layer whose input channels the level narrowed, reading the wider level's
 * weights (src/levels/share-weights.ts). Same arithmetic, same bits as ep_conv2d_s8 on the copied filters. */
EP_INLINE void ep_conv2d_ldw_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                                const int8_t *shift, int8_t *y, int C, int H, int W, int M, int KH, int KW, int OH,
                                int OW, int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left,
                                int groups, int ldw, int32_t x_zp, int32_t y_zp, int32_t act_min, int32_t act_max) {
  ep__conv2d_s8_ldw(x, w, bias, mult, shift, y, C, H, W, M, KH, KW, OH, OW, stride_h, stride_w, dil_h, dil_w, pad_top,
                    pad_left, groups, ldw, x_zp, y_zp, act_min, act_max);
}

#endif /* EP_INT8_CONV_H */
