/* edgeprune MCU kernels: Softmax / LogSoftmax and reductions over the middle axis of [outer][len][inner]. */
#ifndef EP_REDUCE_H
#define EP_REDUCE_H

#include "ep_common.h"
#include "ep_math.h"

enum { EP_REDUCE_SUM = 0, EP_REDUCE_MEAN, EP_REDUCE_MAX, EP_REDUCE_MIN };

/* Softmax (log = 0) or LogSoftmax (log = 1) over the middle axis of [outer][len][inner], in the
 * interpreter's steps: m = max (NaN propagates), e = ep_expf(x - m), s = sum of e in order, then e / s
 * or (x - m) - ep_logf(s). y may equal x. */
EP_INLINE void ep_softmax_f32(const float *x, float *y, int outer, int len, int inner, int log) {
  for (int o = 0; o < outer; o++, x += len * inner, y += len * inner) {
    for (int i = 0; i < inner; i++) {
      float m = -INFINITY;
      for (int k = 0; k < len; k++) {
        const float v = x[k * inner + i];
        if (v > m || v != v) m = v;
      }
      float s = 0.0f;
      if (log) {
        for (int k = 0; k < len; k++) s = s + ep_expf(x[k * inner + i] - m);
        const float ls = ep_logf(s);
        for (int k = 0; k < len; k++) y[k * inner + i] = (x[k * inner + i] - m) - ls;
      } else {
        for (int k = 0; k < len; k++) {
          const float e = ep_expf(x[k * inner + i] - m);
          s = s + e;
          y[k * inner + i] = e;
        }
        for (int k = 0; k < len; k++) y[k * inner + i] = y[k * inner + i] / s;
      }
    }
  }
}

/* Reductions over the middle axis of [outer][len][inner]: y[o][i] = op over k of x[o][k][i].
 * SUM/MEAN add in k order (MEAN divides once by len); MAX/MIN let NaN win (as the interpreter);
 * len = 0 gives 0 for SUM, NaN for MEAN (0/0), -inf for MAX and +inf for MIN. y may equal x (every
 * output is written after the inputs it or any later output reads). */
EP_INLINE void ep_reduce_f32(int op, const float *x, float *y, int outer, int len, int inner) {
  for (int o = 0; o < outer; o++, x += len * inner, y += inner) {
    for (int i = 0; i < inner; i++) {
      float acc = op == EP_REDUCE_MAX ? -INFINITY : op == EP_REDUCE_MIN ? INFINITY : 0.0f;
      for (int k = 0; k < len; k++) {
        const float v = x[k * inner + i];
        if (op == EP_REDUCE_MAX)
          acc = (acc > v || acc != acc) ? acc : v;
        else if (op == EP_REDUCE_MIN)
          acc = (acc < v || acc != acc) ? acc : v;
        else
          acc = acc + v;
      }
      y[i] = op == EP_REDUCE_MEAN ? acc / (float)len : acc;
    }
  }
}

#endif /* EP_REDUCE_H */
