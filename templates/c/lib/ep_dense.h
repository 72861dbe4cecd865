/* edgeprune MCU kernels: fully connected layer (constant weights [N][K]) and run-time matrix product. */
#ifndef EP_DENSE_H
#define EP_DENSE_H

#include "ep_common.h"

#define EP_DENSE_NB 4

/* y[r][n] = act(sum_k x[r][k] * w[n][k] + bias[n]); w is [N][K] row-major; bias may be NULL. */
EP_INLINE void ep_dense_f32(const float *x, const float *w, const float *bias, float *y, int rows, int K, int N,
                            float act_min, float act_max) {
  for (int r = 0; r < rows; r++, x += K, y += N) {
    int n = 0;
    for (; n + EP_DENSE_NB <= N; n += EP_DENSE_NB) {
      const float *w0 = w + n * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
      float a0 = bias ? bias[n] : 0.0f, a1 = bias ? bias[n + 1] : 0.0f;
      float a2 = bias ? bias[n + 2] : 0.0f, a3 = bias ? bias[n + 3] : 0.0f;
      EP_UNROLL(4)
      for (int k = 0; k < K; k++) {
        const float xv = x[k];
        a0 = fmaf(xv, w0[k], a0);
        a1 = fmaf(xv, w1[k], a1);
        a2 = fmaf(xv, w2[k], a2);
        a3 = fmaf(xv, w3[k], a3);
      }
      y[n] = ep__clamp(a0, act_min, act_max);
      y[n + 1] = ep__clamp(a1, act_min, act_max);
      y[n + 2] = ep__clamp(a2, act_min, act_max);
      y[n + 3] = ep__clamp(a3, act_min, act_max);
    }
    for (; n < N; n++) {
      const float *w0 = w + n * K;
      float a0 = bias ? bias[n] : 0.0f;
      EP_UNROLL(4)
      for (int k = 0; k < K; k++) a0 = fmaf(x[k], w0[k], a0);
      y[n] = ep__clamp(a0, act_min, act_max);
    }
  }
}

#endif /* EP_DENSE_H */
