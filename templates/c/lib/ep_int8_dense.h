/* edgeprune MCU kernels: int8 fully connected layer with fixed-point requantization (per output, or one multiplier and
 * shift for the layer: per-tensor weights) and fused clamp: the interpreter's Int8Gemm (src/ops/int8-gemm.ts) bit for bit. */
#ifndef EP_INT8_DENSE_H
#define EP_INT8_DENSE_H

#include "ep_int8_common.h"

#define EP_S8_DENSE_MAX_NB 6

/* Outputs per tile: all of them up to 6, else a divisor of N in [4, 6] when there is one, else 4. */
EP_INLINE int ep__s8_dense_tile_width(int N) {
  return N <= EP_S8_DENSE_MAX_NB ? N : N % 6 == 0 ? 6 : N % 5 == 0 ? 5 : 4;
}

/* NB outputs of one row: acc[n] = bias[n] + sum over k of (x[k] - x_zp) * w[n][k], output n's weights at w + n * ldw
 * (ldw >= K). Output n requantizes with mult[n * qs] and shift[n * qs]: qs is the literal 1 (per output) or 0 (one
 * pair), folded away after inlining. */
EP_INLINE void ep__s8_dense_tile(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                                 const int8_t *shift, int8_t *y, const int NB, int K, int ldw, int32_t x_zp,
                                 int32_t y_zp, int32_t act_min, int32_t act_max, const int qs) {
  uint32_t acc[EP_S8_DENSE_MAX_NB] = {0};
  EP_UNROLL(6)
  for (int n = 0; n < NB; n++) acc[n] = bias ? (uint32_t)bias[n] : 0u;
  int k = 0;
#if EP_S8_DSP
  /* Four inputs at a time as the lane pairs (x0 - zp, x2 - zp) and (x1 - zp, x3 - zp) (SXTAB16 adds -zp to both
   * lanes); each output's four weights as (w0, w2) and (w1, w3): two SMLAD. */
  const uint32_t nzp = ((uint32_t)-x_zp & 0xffffu) * 0x10001u;
  EP_UNROLL(2)
  for (; k + 4 <= K; k += 4) {
    const uint32_t t = ep__ld32(x + k);
    const uint32_t x02 = ep__sxtab16(nzp, t);
    const uint32_t x13 = ep__sxtab16_ror8(nzp, t);
    EP_UNROLL(6)
    for (int n = 0; n < NB; n++) {
      const uint32_t u = ep__ld32(w + n * ldw + k);
      acc[n] = ep__smlad(x02, ep__sxtb16(u), acc[n]);
      acc[n] = ep__smlad(x13, ep__sxtb16_ror8(u), acc[n]);
    }
  }
#endif
  for (; k < K; k++) {
    int32_t xv = (int32_t)x[k] - x_zp;
    /* Hidden from gcc, which with x_zp = 1 or -1 distributes each product into x[k] * w +- w: on the
     * one-input-at-a-time loop (all of it without the DSP extension) 15 instructions per input of a 4-output tile
     * instead of 12 (Cortex-M3: the int8 digits MLP's first layer, input zero point -1, took 17,840 instructions for
     * 4,096 MACs against 7,440 for the second's 2,048). */
    EP__OPAQUE(xv);
    EP_UNROLL(6)
    for (int n = 0; n < NB; n++) acc[n] += (uint32_t)(xv * (int32_t)w[n * ldw + k]);
  }
  /* The fast requantization form (SMMLA/SMLAL, SSAT: no branch on the value) for the usual shifts, the exact rule's
   * generic code for the others (ep__rq_apply_ch). With qs = 0 the preparation is one for the tile. */
  EP_UNROLL(6)
  for (int n = 0; n < NB; n++) {
    const ep__rq_t rq = ep__rq_prepare(mult[n * qs], shift[n * qs], y_zp);
    y[n] = ep__rq_apply_ch((int32_t)acc[n], &rq, y_zp, act_min, act_max);
  }
}

/* ep_dense_s8 with the weight row stride ldw (>= K: int8 elements from one output's weights to the next), NB outputs
 * per tile (a literal, <= EP_S8_DENSE_MAX_NB; the outputs beyond the last full tile one at a time) and the stride qs
 * of mult and shift (see ep__s8_dense_tile). */
EP_INLINE void ep__dense_s8_nb(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                               const int8_t *shift, int8_t *y, int rows, int K, int N, int ldw, const int NB,
                               int32_t x_zp, int32_t y_zp, int32_t act_min, int32_t act_max, const int qs) {
  const int full = N / NB * NB;
  for (int r = 0; r < rows; r++, x += K, y += N) {
    for (int n = 0; n < full; n += NB)
      ep__s8_dense_tile(x, w + n * ldw, bias ? bias + n : NULL, mult + n * qs, shift + n * qs, y + n, NB, K, ldw, x_zp,
                        y_zp, act_min, act_max, qs);
    for (int n = full; n < N; n++)
      ep__s8_dense_tile(x, w + n * ldw, bias ? bias + n : NULL, mult + n * qs, shift + n * qs, y + n, 1, K, ldw, x_zp,
                        y_zp, act_min, act_max, qs);
  }
}

/* ep__dense_s8_nb with the tile width of N (all outputs up to 6, see ep__s8_dense_tile_width) when N is a literal, one
 * output at a time otherwise. */
EP_INLINE void ep__dense_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                            const int8_t *shift, int8_t *y, int rows, int K, int N, int ldw, int32_t x_zp,
                            int32_t y_zp, int32_t act_min, int32_t act_max, const int qs) {
  ep__dense_s8_nb(x, w, bias, mult, shift, y, rows, K, N, ldw, EP_CONSTANT(N) ? ep__s8_dense_tile_width(N) : 1, x_zp,
                  y_zp, act_min, act_max, qs);
}

/* Int8Gemm: y[r][n] = clamp(requant(bias[n] + sum_k (x[r][k] - x_zp) * w[n][k], mult[n], shift[n]) + y_zp,
 * act_min, act_max) for x int8 [rows][K], w int8 [N][K] (one row per output, symmetric), bias int32 [N] or NULL,
 * mult/shift per output (channelMultipliers of src/ops/util/int8-params.ts). Exact: the interpreter's bits.
 * y must not overlap x. */
EP_INLINE void ep_dense_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                           const int8_t *shift, int8_t *y, int rows, int K, int N, int32_t x_zp, int32_t y_zp,
                           int32_t act_min, int32_t act_max) {
  ep__dense_s8(x, w, bias, mult, shift, y, rows, K, N, K, x_zp, y_zp, act_min, act_max, 1);
}

/* ep_dense_s8 on the first K columns of a row-major [N][ldw] int8 weight array (ldw >= K): a nested level's layer
 * whose inputs the level narrowed, reading the wider level's weights (src/levels/share-weights.ts). Same arithmetic,
 * same bits as ep_dense_s8 on the copied [N][K] block. */
EP_INLINE void ep_dense_ldw_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                               const int8_t *shift, int8_t *y, int rows, int K, int N, int ldw, int32_t x_zp,
                               int32_t y_zp, int32_t act_min, int32_t act_max) {
  ep__dense_s8(x, w, bias, mult, shift, y, rows, K, N, ldw, x_zp, y_zp, act_min, act_max, 1);
}

/* Int8Gemm with per-tensor weights (w_scale [1]): ep_dense_s8 with ONE multiplier *mult and shift *shift for every
 * output (the emitter stores one pair). They are read once into locals, which the stores to y cannot alias. */
EP_INLINE void ep_dense_s8_pt(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                              const int8_t *shift, int8_t *y, int rows, int K, int N, int32_t x_zp, int32_t y_zp,
                              int32_t act_min, int32_t act_max) {
  const int32_t m = *mult;
  const int8_t s = *shift;
  ep__dense_s8(x, w, bias, &m, &s, y, rows, K, N, K, x_zp, y_zp, act_min, act_max, 0);
}

/* ep_dense_s8_pt on the first K columns of a row-major [N][ldw] int8 weight array (see ep_dense_ldw_s8). */
EP_INLINE void ep_dense_ldw_s8_pt(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                                  const int8_t *shift, int8_t *y, int rows, int K, int N, int ldw, int32_t x_zp,
                                  int32_t y_zp, int32_t act_min, int32_t act_max) {
  const int32_t m = *mult;
  const int8_t s = *shift;
  ep__dense_s8(x, w, bias, &m, &s, y, rows, K, N, ldw, x_zp, y_zp, act_min, act_max, 0);
}

/* ep_dense_ldw_s8 with NB outputs per tile given (a literal in [1, EP_S8_DENSE_MAX_NB]) rather than chosen from N: the
 * tiled code with N (and K) at run time, for one function shared by nested levels whose layer differs in its outputs
 * and inputs (src/levels/shared-kernels.ts). Same bits. */
EP_INLINE void ep_dense_nb_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                              const int8_t *shift, int8_t *y, int rows, int K, int N, int ldw, const int NB,
                              int32_t x_zp, int32_t y_zp, int32_t act_min, int32_t act_max) {
  ep__dense_s8_nb(x, w, bias, mult, shift, y, rows, K, N, ldw, NB, x_zp, y_zp, act_min, act_max, 1);
}

/* ep_dense_nb_s8 with per-tensor weights (see ep_dense_s8_pt). */
EP_INLINE void ep_dense_nb_s8_pt(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *mult,
                                 const int8_t *shift, int8_t *y, int rows, int K, int N, int ldw, const int NB,
                                 int32_t x_zp, int32_t y_zp, int32_t act_min, int32_t act_max) {
  const int32_t m = *mult;
  const int8_t s = *shift;
  ep__dense_s8_nb(x, w, bias, &m, &s, y, rows, K, N, ldw, NB, x_zp, y_zp, act_min, act_max, 0);
}

#endif /* EP_INT8_DENSE_H */
