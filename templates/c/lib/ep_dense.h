/* edgeprune MCU kernels: fully connected layer (constant weights [N][K]) and run-time matrix product. */
#ifndef EP_DENSE_H
#define EP_DENSE_H

#include "ep_mac.h"

#define EP_DENSE_MAX_RB 2
#define EP_DENSE_MAX_NB 8

/* Outputs per dense tile: a divisor of N in [4, 8] when there is one (no remainder tile), else 4. */
EP_INLINE int ep__dense_tile_width(int N) {
  return N <= EP_DENSE_MAX_NB ? N : N % 8 == 0 ? 8 : N % 7 == 0 ? 7 : N % 6 == 0 ? 6 : N % 5 == 0 ? 5 : 4;
}

/* RB rows x NB outputs: every weight is loaded once per tile and used by RB rows. */
EP_INLINE void ep__dense_tile(const float *x, const float *w, const float *bias, float *y, const int RB,
                              const int NB, int K, int N, int ldw, float act_min, float act_max) {
  float acc[EP_DENSE_MAX_RB][EP_DENSE_MAX_NB] = {{0.0f}}; /* (initialized for the warnings of non-constant calls) */
  EP_UNROLL(8)
  for (int n = 0; n < NB; n++) {
    const float b0 = ep__sum_start(bias, n);
    EP_UNROLL(2)
    for (int r = 0; r < RB; r++) acc[r][n] = b0;
  }
  EP_UNROLL(2)
  for (int k = 0; k < K; k++) {
    float xv[EP_DENSE_MAX_RB] = {0.0f};
    EP_UNROLL(2)
    for (int r = 0; r < RB; r++) xv[r] = x[r * K + k];
    EP_UNROLL(8)
    for (int n = 0; n < NB; n++) {
      const float wv = w[n * ldw + k];
      EP_UNROLL(2)
      for (int r = 0; r < RB; r++) acc[r][n] = EP_MAC(xv[r], wv, acc[r][n]);
    }
  }
  EP_UNROLL(2)
  for (int r = 0; r < RB; r++) {
    EP_UNROLL(8)
    for (int n = 0; n < NB; n++) y[r * N + n] = ep__clamp(ep__sum_end(acc[r][n], bias, n), act_min, act_max);
  }
}

EP_INLINE void ep__dense_rows(const float *x, const float *w, const float *bias, float *y, const int RB, int K, int N,
                              int ldw, float act_min, float act_max) {
  const int NB = EP_CONSTANT(N) ? ep__dense_tile_width(N) : 4;
  const int full = N / NB * NB;
  for (int n = 0; n < full; n += NB)
    ep__dense_tile(x, w + n * ldw, bias ? bias + n : NULL, y + n, RB, NB, K, N, ldw, act_min, act_max);
  for (int n = full; n < N; n++) ep__dense_tile(x, w + n * ldw, bias ? bias + n : NULL, y + n, RB, 1, K, N, ldw, act_min, act_max);
}

#define EP_DENSE_MAX_KB 28

/* Inputs held in registers by the one-row kernel: the largest divisor of K in [12, 28] (no shorter
 * last block, so one copy of the block code), else K split evenly into the fewest blocks of at most
 * 28. (A conditional chain rather than a loop, so that it folds to a constant.) */
EP_INLINE int ep__dense_block(int K) {
  return K <= EP_DENSE_MAX_KB ? K
         : K % 28 == 0 ? 28 : K % 27 == 0 ? 27 : K % 26 == 0 ? 26 : K % 25 == 0 ? 25 : K % 24 == 0 ? 24
         : K % 23 == 0 ? 23 : K % 22 == 0 ? 22 : K % 21 == 0 ? 21 : K % 20 == 0 ? 20 : K % 19 == 0 ? 19
         : K % 18 == 0 ? 18 : K % 17 == 0 ? 17 : K % 16 == 0 ? 16 : K % 15 == 0 ? 15 : K % 14 == 0 ? 14
         : K % 13 == 0 ? 13 : K % 12 == 0 ? 12
         : (K + (K + EP_DENSE_MAX_KB - 1) / EP_DENSE_MAX_KB - 1) / ((K + EP_DENSE_MAX_KB - 1) / EP_DENSE_MAX_KB);
}

/* y[n] += sum over the KB inputs xv of xv[j] * w[n][kb + j], for every n (w advanced to column kb; ldw floats from
 * one output's weights to the next). */
EP_INLINE void ep__dense_block_pass(const float *x, const float *w, float *y, const int KB, int ldw, int N) {
  float xv[EP_DENSE_MAX_KB] = {0.0f};
  EP_UNROLL(28)
  for (int j = 0; j < KB; j++) xv[j] = x[j];
  for (int n = 0; n < N; n++, w += ldw) {
    float acc = y[n];
    EP_UNROLL(28)
    for (int j = 0; j < KB; j++) acc = EP_MAC(xv[j], w[j], acc);
    y[n] = acc;
  }
}

/* One row: the inputs stay in registers a block at a time while every output accumulates (in y)
 * the block's products; each weight is loaded once, from one pointer per output row. */
EP_INLINE void ep__dense_row(const float *x, const float *w, const float *bias, float *y, int K, int N, int ldw,
                             float act_min, float act_max) {
  const int KB = ep__dense_block(K);
  const int full = K / KB * KB;
  for (int n = 0; n < N; n++) y[n] = ep__sum_start(bias, n);
  for (int k = 0; k < full; k += KB) ep__dense_block_pass(x + k, w + k, y, KB, ldw, N);
  if (full < K) ep__dense_block_pass(x + full, w + full, y, K - full, ldw, N);
  if (act_min > -INFINITY || act_max < INFINITY || (EP_SEPARATE_MAC && bias))
    for (int n = 0; n < N; n++) y[n] = ep__clamp(ep__sum_end(y[n], bias, n), act_min, act_max);
}

/* The dense layer with ldw (>= K) floats from one output's weights to the next: w is row-major [N][ldw] and its first K
 * columns are used. ldw = K is ep_dense_f32; ldw > K runs a layer whose weights are the leading block of a wider
 * layer's (a nested level of a levels library shares the full model's array). Same sums in the same order. */
EP_INLINE void ep__dense_f32_ldw(const float *x, const float *w, const float *bias, float *y, int rows, int K, int N,
                                 int ldw, float act_min, float act_max) {
  if (!EP_CONSTANT(K)) { /* generic: one output at a time */
    for (int r = 0; r < rows; r++, x += K, y += N)
      for (int n = 0; n < N; n++) {
        float acc = ep__sum_start(bias, n);
        for (int k = 0; k < K; k++) acc = EP_MAC(x[k], w[n * ldw + k], acc);
        y[n] = ep__clamp(ep__sum_end(acc, bias, n), act_min, act_max);
      }
    return;
  }
  /* Two rows share every weight load; a single row keeps its inputs in registers instead. */
  const int pairs = rows / 2 * 2;
  for (int r = 0; r < pairs; r += 2) ep__dense_rows(x + r * K, w, bias, y + r * N, 2, K, N, ldw, act_min, act_max);
  if (pairs < rows) ep__dense_row(x + pairs * K, w, bias, y + pairs * N, K, N, ldw, act_min, act_max);
}

/* Fully connected: y[r][n] = act(sum_k x[r][k] * w[n][k] + bias[n]); w is [N][K] row-major (the
 * emitter pre-transposes constants); bias may be NULL; clamp as in ep_conv2d_f32. Sums add the products in k
 * order with EP_MAC, the bias first (fmaf) or last (separate multiply and add). y must not overlap x. */
EP_INLINE void ep_dense_f32(const float *x, const float *w, const float *bias, float *y, int rows, int K, int N,
                            float act_min, float act_max) {
  ep__dense_f32_ldw(x, w, bias, y, rows, K, N, K, act_min, act_max);
}

/* ep_dense_f32 on the first K columns of a row-major [N][ldw] weight array (ldw >= K): a nested level's layer. */
EP_INLINE void ep_dense_ldw_f32(const float *x, const float *w, const float *bias, float *y, int rows, int K, int N,
                                int ldw, float act_min, float act_max) {
  ep__dense_f32_ldw(x, w, bias, y, rows, K, N, ldw, act_min, act_max);
}

#define EP_MATMUL_MB 4
#define EP_MATMUL_NB 4

/* MB x NB block of y = a * b (a [M][K], b [K][N]), sums in k order. */
EP_INLINE void ep__matmul_tile(const float *a, const float *b, float *y, const int MB, const int NB, int K, int N) {
  float acc[EP_MATMUL_MB][EP_MATMUL_NB] = {{0.0f}};
  EP_UNROLL(4)
  for (int i = 0; i < MB; i++) {
    EP_UNROLL(4)
    for (int j = 0; j < NB; j++) acc[i][j] = 0.0f;
  }
  for (int k = 0; k < K; k++) {
    float bv[EP_MATMUL_NB] = {0.0f};
    EP_UNROLL(4)
    for (int j = 0; j < NB; j++) bv[j] = b[k * N + j];
    EP_UNROLL(4)
    for (int i = 0; i < MB; i++) {
      const float av = a[i * K + k];
      EP_UNROLL(4)
      for (int j = 0; j < NB; j++) acc[i][j] = EP_MAC(av, bv[j], acc[i][j]);
    }
  }
  EP_UNROLL(4)
  for (int i = 0; i < MB; i++) {
    EP_UNROLL(4)
    for (int j = 0; j < NB; j++) y[i * N + j] = acc[i][j];
  }
}

EP_INLINE void ep__matmul_rows(const float *a, const float *b, float *y, const int MB, int K, int N) {
  const int full = N / EP_MATMUL_NB * EP_MATMUL_NB;
  for (int j = 0; j < full; j += EP_MATMUL_NB) ep__matmul_tile(a, b + j, y + j, MB, EP_MATMUL_NB, K, N);
  for (int j = full; j < N; j++) ep__matmul_tile(a, b + j, y + j, MB, 1, K, N);
}

/* MatMul of two run-time matrices: y[M][N] = a[M][K] * b[K][N] (the emitter loops over batches).
 * y must not overlap a or b. */
EP_INLINE void ep_matmul_f32(const float *a, const float *b, float *y, int M, int K, int N) {
  const int full = M / EP_MATMUL_MB * EP_MATMUL_MB;
  for (int i = 0; i < full; i += EP_MATMUL_MB) ep__matmul_rows(a + i * K, b, y + i * N, EP_MATMUL_MB, K, N);
  for (int i = full; i < M; i++) ep__matmul_rows(a + i * K, b, y + i * N, 1, K, N);
}

#endif /* EP_DENSE_H */
