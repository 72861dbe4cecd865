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
 *   tap[] (uint32)    = byte offset ((c * H + kh * dil_h) * W + kw * dil_w) * 4 of the tap from the
 *                       window's first input in bits 0-15 (C/groups * H * W <= 16384), kh in bits
 *                       24-27 and kw + 1 in bits 28-31 (KH <= 16, KW <= 15);
 *   val[] (float)     = the weights.
 *   Output rows run in tiles of up to 16 pixels (narrow rows inside the input: several rows per
 *   tile), each weight loaded once per tile. A tile that reaches into the column padding jumps on
 *   each tap's kernel column to code that adds it to that column's (constant) range of pixels; a
 *   row that reaches into the row padding skips the taps of kernel rows outside the input. On a
 *   Cortex-M4F/M7 a tap's inputs for a tile row are one VLDM and the jump is one load of the code
 *   address from a table. */
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


/* Cortex-M4F/M7 (the fmaf path, optimized builds): a tap's inputs for the consecutive pixels of a stride-1 tile are
 * consecutive floats, loaded with one VLDM into fixed registers (s16 up; up to 15 at a time, 8 in tiles of 16 pixels
 * whose 16 accumulators leave fewer registers) instead of one VLDR each. The same loads and the same fmaf in the same
 * order, so the same bits. */
#if defined(__GNUC__) && defined(__thumb2__) && defined(__ARM_FP) && defined(__OPTIMIZE__) && !EP_SEPARATE_MAC && \
    !defined(EP_SPARSE_NO_VLDM)
#define EP__SPARSE_VLDM 1
#else
#define EP__SPARSE_VLDM 0
#endif

/* The jump into a masked tile's code for a tap's kernel column: a table of code addresses (Thumb-2, GCC asm goto). */
#if EP__SPARSE_VLDM && !defined(EP_SPARSE_NO_JUMP)
#define EP__SPARSE_JUMP 1
#else
#define EP__SPARSE_JUMP 0
#endif

#if defined(__GNUC__)
#define EP__UNREACHABLE() __builtin_unreachable()
#else
#define EP__UNREACHABLE() ((void)0)
#endif

/* Value i (a constant) of a0..a14. */
#define EP__SP_PICK(i, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14)                          \
  ((i) == 0 ? (a0) : (i) == 1 ? (a1) : (i) == 2 ? (a2) : (i) == 3 ? (a3) : (i) == 4 ? (a4) : (i) == 5 ? (a5)    \
   : (i) == 6 ? (a6) : (i) == 7 ? (a7) : (i) == 8 ? (a8) : (i) == 9 ? (a9) : (i) == 10 ? (a10)                    \
   : (i) == 11 ? (a11) : (i) == 12 ? (a12) : (i) == 13 ? (a13) : (a14))

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

/* One tap for the pixels [lo, hi) of a tile row: acc[j] = EP_MAC(input j, wv, acc[j]), input j at xp + j * sw floats;
 * chunk: inputs per VLDM (15, or 8 when the tile's accumulators take more than 15 registers). */
EP_INLINE void ep__sparse_conv_tap(float *acc, const char *xp, float wv, const int lo, const int hi, const int chunk,
                                   const int sw) {
#if EP__SPARSE_VLDM
  if (sw == 1) {
    EP_UNROLL(2)
    for (int j0 = lo; j0 < hi; j0 += chunk) {
      const int n = hi - j0 < chunk ? hi - j0 : chunk;
      const float *p = (const float *)(const void *)(xp + j0 * 4);
      register float x0 __asm__("s16"), x1 __asm__("s17"), x2 __asm__("s18"), x3 __asm__("s19");
      register float x4 __asm__("s20"), x5 __asm__("s21"), x6 __asm__("s22"), x7 __asm__("s23");
      register float x8 __asm__("s24"), x9 __asm__("s25"), x10 __asm__("s26"), x11 __asm__("s27");
      register float x12 __asm__("s28"), x13 __asm__("s29"), x14 __asm__("s30");
#define EP__SP_VLDM(list, ...)                                                                                       \
  __asm__ volatile("vldmia %[p], {" list "}" : __VA_ARGS__ : [p] "r"(p), "m"(*(const struct { float v[16]; } *)(const void *)p))
      switch (n) {
      case 1: EP__SP_VLDM("s16", "=t"(x0)); break;
      case 2: EP__SP_VLDM("s16-s17", "=t"(x0), "=t"(x1)); break;
      case 3: EP__SP_VLDM("s16-s18", "=t"(x0), "=t"(x1), "=t"(x2)); break;
      case 4: EP__SP_VLDM("s16-s19", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3)); break;
      case 5: EP__SP_VLDM("s16-s20", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4)); break;
      case 6: EP__SP_VLDM("s16-s21", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5)); break;
      case 7: EP__SP_VLDM("s16-s22", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6)); break;
      case 8: EP__SP_VLDM("s16-s23", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7)); break;
      case 9: EP__SP_VLDM("s16-s24", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7), "=t"(x8)); break;
      case 10: EP__SP_VLDM("s16-s25", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7), "=t"(x8), "=t"(x9)); break;
      case 11: EP__SP_VLDM("s16-s26", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7), "=t"(x8), "=t"(x9), "=t"(x10)); break;
      case 12: EP__SP_VLDM("s16-s27", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7), "=t"(x8), "=t"(x9), "=t"(x10), "=t"(x11)); break;
      case 13: EP__SP_VLDM("s16-s28", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7), "=t"(x8), "=t"(x9), "=t"(x10), "=t"(x11), "=t"(x12)); break;
      case 14: EP__SP_VLDM("s16-s29", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7), "=t"(x8), "=t"(x9), "=t"(x10), "=t"(x11), "=t"(x12), "=t"(x13)); break;
      case 15: EP__SP_VLDM("s16-s30", "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7), "=t"(x8), "=t"(x9), "=t"(x10), "=t"(x11), "=t"(x12), "=t"(x13), "=t"(x14)); break;
      default: break;
      }
#undef EP__SP_VLDM
      EP_UNROLL(15)
      for (int i = 0; i < n; i++)
        acc[j0 + i] = fmaf(EP__SP_PICK(i, x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14), wv, acc[j0 + i]);
      EP_SCHED_BARRIER();
    }
    return;
  }
#endif
  (void)chunk;
  EP__OPAQUE(xp); /* one address register per tap, the pixels at immediate offsets from it */
  EP_UNROLL(16)
  for (int j = lo; j < hi; j++) acc[j] = EP_MAC(*(const float *)(const void *)(xp + j * sw * 4), wv, acc[j]);
}

/* R output rows of P pixels of one output channel (y, rows OW floats apart): bias b plus the channel's cnt non-zeros.
 * base is the byte offset in xg of the first pixel's window origin, ix0 its input column, row_step the bytes from one
 * tile row's inputs to the next. cols: some windows reach into the column padding (then ix0 must be a compile-time
 * constant: each kernel column's pixels are a constant range); rows (R = 1): only the taps whose kernel row's bit is
 * set in kh_mask are added (the others fall on the padding). */
EP_INLINE void ep__sparse_conv_tile(const char *xg, int base, const uint32_t *tap, const float *val, int cnt, float b,
                                    float *y, const int P, const int R, const int row_step, const int OW, const int KW,
                                    const int W, const int sw, const int dw, const int cols, const int ix0,
                                    const int rows, uint32_t kh_mask, float act_min, float act_max) {
  float acc[EP_SPARSE_CONV_MAX_P] = {0.0f}; /* (initialized for the warnings of non-constant calls) */
  const int chunk = R * P <= 15 ? 15 : 8;
  EP_UNROLL(16)
  for (int j = 0; j < R * P; j++) acc[j] = EP_SEPARATE_MAC ? 0.0f : b; /* (the bias first or last, as EP_MAC) */
  /* (integer arithmetic: the first window's origin may lie before the input when the tile is masked) */
  const uintptr_t origin = (uintptr_t)xg + (uintptr_t)(intptr_t)base;
  const float *vp = val;
  for (const uint32_t *tp = tap, *end = tap + cnt; tp != end; tp++, vp++) {
    const uint32_t t = *tp;
    if (rows && !((kh_mask >> ((t >> 24) & 15u)) & 1u)) continue;
    const float wv = *vp;
    const char *xp = (const char *)(origin + (t & 0xFFFFu));
    if (!cols) {
      EP_UNROLL(16)
      for (int r = 0; r < R; r++) ep__sparse_conv_tap(acc + r * P, xp + r * row_step, wv, 0, P, chunk, sw);
      continue;
    }
    /* Kernel column k (code k + 1): the pixels j with 0 <= ix0 + j * sw + k * dw < W. */
#define EP__SP_COL_TAPS(k)                                                                                           \
  do {                                                                                                               \
    EP_UNROLL(16)                                                                                                    \
    for (int r = 0; r < R; r++)                                                                                      \
      ep__sparse_conv_tap(acc + r * P, xp + r * row_step, wv, EP_MAX(0, ep__ceil_div(-ix0 - (k) * dw, sw)),          \
                          EP_MIN(P, ep__floor_div(W - 1 - ix0 - (k) * dw, sw) + 1), chunk, sw);                      \
  } while (0)
#if EP__SPARSE_JUMP
    /* One load of the code address from a table of addresses (a switch adds a range check and a subtraction). gcc
     * sizes an asm goto as one instruction (and other asm as 4 bytes per statement) when it places literal pools
     * within reach of their loads: the empty asm before it, 20 statements of comment, accounts for its 76 bytes. */
    __asm__ volatile("@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@\n@");
    __asm__ goto("adr ip, 1f\n\t"
                 "ldr pc, [ip, %0, lsl #2]\n\t"
                 ".p2align 2\n"
                 "1:\n\t"
                 ".word %l[ep_c0]+1\n\t.word %l[ep_c1]+1\n\t.word %l[ep_c2]+1\n\t.word %l[ep_c3]+1\n\t"
                 ".word %l[ep_c4]+1\n\t.word %l[ep_c5]+1\n\t.word %l[ep_c6]+1\n\t.word %l[ep_c7]+1\n\t"
                 ".word %l[ep_c8]+1\n\t.word %l[ep_c9]+1\n\t.word %l[ep_c10]+1\n\t.word %l[ep_c11]+1\n\t"
                 ".word %l[ep_c12]+1\n\t.word %l[ep_c13]+1\n\t.word %l[ep_c14]+1\n\t.word %l[ep_c15]+1"
                 :
                 : "r"(t >> 28)
                 : "ip"
                 : ep_c0, ep_c1, ep_c2, ep_c3, ep_c4, ep_c5, ep_c6, ep_c7, ep_c8, ep_c9, ep_c10, ep_c11, ep_c12, ep_c13,
                   ep_c14, ep_c15);
    EP__UNREACHABLE();
#define EP__SP_COL(k)                                                                                                \
  ep_c##k : if ((k) <= KW && (k) > 0) EP__SP_COL_TAPS((k) - 1);                                                      \
  continue;
    EP__SP_COL(0) EP__SP_COL(1) EP__SP_COL(2) EP__SP_COL(3) EP__SP_COL(4) EP__SP_COL(5) EP__SP_COL(6) EP__SP_COL(7)
    EP__SP_COL(8) EP__SP_COL(9) EP__SP_COL(10) EP__SP_COL(11) EP__SP_COL(12) EP__SP_COL(13) EP__SP_COL(14)
    EP__SP_COL(15)
#else
#define EP__SP_COL(k)                                                                                                \
  case (k) + 1:                                                                                                      \
    if ((k) < KW) EP__SP_COL_TAPS(k);                                                                                \
    break;
    switch (t >> 28) {
      EP__SP_COL(0) EP__SP_COL(1) EP__SP_COL(2) EP__SP_COL(3) EP__SP_COL(4) EP__SP_COL(5) EP__SP_COL(6) EP__SP_COL(7)
      EP__SP_COL(8) EP__SP_COL(9) EP__SP_COL(10) EP__SP_COL(11) EP__SP_COL(12) EP__SP_COL(13) EP__SP_COL(14)
    default: break;
    }
#endif
#undef EP__SP_COL
#undef EP__SP_COL_TAPS
  }
  EP_UNROLL(16)
  for (int r = 0; r < R; r++) {
    EP_UNROLL(16)
    for (int j = 0; j < P; j++)
      y[r * OW + j] = ep__clamp(EP_SEPARATE_MAC ? ep__sum_end(acc[r * P + j], &b, 0) : acc[r * P + j], act_min, act_max);
  }
}

/* Conv 2-D with pruned constant weights (ep_conv2d_f32's arguments and semantics, incl. groups and depthwise; the
 * same bits, see the caveats at the top). Format: cnt/tap/val above. bias may be NULL. y must not overlap x.
 * With constant shapes, output rows run in tiles of up to 16 pixels (rows of at most 8 pixels whose windows lie
 * inside the input rows: tiles of several rows), each tile going once through its channel's non-zeros: tiles whose
 * windows reach into the column padding take each tap's pixel range from its kernel column (a jump table), rows
 * whose windows reach into the row padding skip the taps of kernel rows outside the input. Else pixel by pixel. */
EP_INLINE void ep_sparse_conv2d_f32(const float *x, const uint16_t *cnt, const uint32_t *tap, const float *val,
                                    const float *bias, float *y, int C, int H, int W, int M, int KH, int KW, int OH,
                                    int OW, int stride_h, int stride_w, int dil_h, int dil_w, int pad_top, int pad_left,
                                    int groups, float act_min, float act_max) {
  const int Cg = C / groups;
  const int Mg = M / groups;
  const int sw = stride_w, dw = dil_w, pl = pad_left;
  /* Output rows [oy_lo, oy_hi) have their windows inside the input rows. */
  const int oy_lo = EP_MIN(OH, ep__ceil_div(pad_top, stride_h));
  const int oy_hi = EP_MAX(oy_lo, EP_MIN(OH, ep__floor_div(H - 1 + pad_top - (KH - 1) * dil_h, stride_h) + 1));
  const int constant = EP_CONSTANT(W) && EP_CONSTANT(OW) && EP_CONSTANT(KW) && EP_CONSTANT(pad_left) &&
                       EP_CONSTANT(stride_w) && EP_CONSTANT(dil_w);
  /* Tiles of P pixels along the row; tile t starts at min(t * P, OW - P) (the last one may overlap the one before).
   * Tiles [0, bl) reach into the left padding, tiles [br, tiles) into the right padding, the ones between do not. */
  const int P = constant ? ep__sparse_conv_tile_width(OW) : 1;
  const int tiles = (OW + P - 1) / P;
  int bl = EP_MIN(tiles, ep__ceil_div(pl, P * sw));
  if ((OW - P) * sw < pl) bl = tiles;
  const int last_inside = ep__floor_div(W - 1 + pl - (KW - 1) * dw, sw) - (P - 1); /* largest unmasked start */
  int br = last_inside < 0 ? 0 : EP_MIN(tiles - 1, last_inside / P + 1);
  if (OW - P <= last_inside) br = tiles;
  br = EP_MAX(bl, br);
  /* Rows per tile inside the input rows (groups of R starting at oy_lo; the last may overlap the one before). */
  const int R = constant && EP_CONSTANT(oy_hi - oy_lo) && oy_hi - oy_lo >= 2 && P <= EP_SPARSE_CONV_MAX_P / 2
                    ? EP_MIN(EP_SPARSE_CONV_MAX_P / P, oy_hi - oy_lo)
                    : 1;
  const int row_step = stride_h * W * 4;
  for (int m = 0; m < M; m++) {
    const char *xg = (const char *)(x + (m / Mg) * Cg * H * W);
    const int n = cnt[m];
    const float b = bias ? bias[m] : 0.0f;
    float *ym = y + m * OH * OW;
    for (int oy = 0; oy < OH; oy++) {
      if (R > 1 && oy >= oy_lo && oy < oy_hi) oy = EP_MIN(oy, oy_hi - R); /* a group's first row */
      const int iy0 = oy * stride_h - pad_top;
      const int kh_lo = iy0 < 0 ? ep__ceil_div(-iy0, dil_h) : 0;
      const int kh_hi = EP_MIN(KH, ep__ceil_div(H - iy0, dil_h));
      const uint32_t kh_mask = ep__bit_range(kh_lo, kh_hi);
      const int row = iy0 * W * 4;
      float *yr = ym + oy * OW;
      if (!constant) {
        for (int ox = 0; ox < OW; ox++) {
          const int ix0 = ox * sw - pl;
          ep__sparse_conv_tile(xg, row + ix0 * 4, tap, val, n, b, yr + ox, 1, 1, row_step, OW, KW, W, sw, dw, 1, ix0,
                               1, kh_mask, act_min, act_max);
        }
        continue;
      }
#define EP__SP_TILES(RR, rows)                                                                                       \
  do {                                                                                                               \
    EP_UNROLL(4)                                                                                                     \
    for (int t = 0; t < bl; t++) {                                                                                   \
      const int ox0 = EP_MIN(t * P, OW - P);                                                                         \
      ep__sparse_conv_tile(xg, row + (ox0 * sw - pl) * 4, tap, val, n, b, yr + ox0, P, RR, row_step, OW, KW, W, sw,  \
                           dw, 1, ox0 * sw - pl, rows, kh_mask, act_min, act_max);                                   \
    }                                                                                                                \
    for (int t = bl; t < br; t++) {                                                                                  \
      const int ox0 = EP_MIN(t * P, OW - P);                                                                         \
      ep__sparse_conv_tile(xg, row + (ox0 * sw - pl) * 4, tap, val, n, b, yr + ox0, P, RR, row_step, OW, KW, W, sw,  \
                           dw, 0, ox0 * sw - pl, rows, kh_mask, act_min, act_max);                                   \
    }                                                                                                                \
    EP_UNROLL(4)                                                                                                     \
    for (int t = br; t < tiles; t++) {                                                                               \
      const int ox0 = EP_MIN(t * P, OW - P);                                                                         \
      ep__sparse_conv_tile(xg, row + (ox0 * sw - pl) * 4, tap, val, n, b, yr + ox0, P, RR, row_step, OW, KW, W, sw,  \
                           dw, 1, ox0 * sw - pl, rows, kh_mask, act_min, act_max);                                   \
    }                                                                                                                \
  } while (0)
      if (oy < oy_lo || oy >= oy_hi)
        EP__SP_TILES(1, 1);
      else if (R == 1)
        EP__SP_TILES(1, 0);
      else {
        EP__SP_TILES(R, 0);
        oy += R - 1;
      }
#undef EP__SP_TILES
    }
    tap += n;
    val += n;
  }
}

#endif /* EP_SPARSE_H */
