/* edgeprune MCU kernels: elementwise unary ops, broadcasting binary ops, per-channel affine. */
#ifndef EP_ELEMENTWISE_H
#define EP_ELEMENTWISE_H

#include "ep_common.h"
#include "ep_math.h"

/* Unary ops for ep_unary_f32; p0/p1 are the op's parameters where it has them. */
enum {
  EP_UNARY_COPY = 0,     /* Identity */
  EP_UNARY_RELU,         /* x > 0 ? x : 0 (NaN gives 0, as the interpreter) */
  EP_UNARY_LEAKY_RELU,   /* x < 0 ? p0 * x : x (p0 = alpha) */
  EP_UNARY_CLIP,         /* min(max(x, p0), p1); NaN stays NaN; p0 > p1 gives p1 */
  EP_UNARY_SIGMOID,      /* 1 / (1 + e^-x), in the form that cannot overflow */
  EP_UNARY_HARD_SIGMOID, /* max(0, min(1, p0 * x + p1)) (p0 = alpha, p1 = beta) */
  EP_UNARY_HARD_SWISH,   /* x * max(0, min(1, x / 6 + 1/2)) */
  EP_UNARY_TANH,
  EP_UNARY_EXP,
  EP_UNARY_LOG,
  EP_UNARY_SQRT,
  EP_UNARY_NEG,
  EP_UNARY_ABS,
  EP_UNARY_ERF,
  EP_UNARY_RECIPROCAL /* 1 / x */
};

/* Binary ops for ep_binary_f32. */
enum {
  EP_BINARY_ADD = 0,
  EP_BINARY_SUB,
  EP_BINARY_MUL,
  EP_BINARY_DIV,
  EP_BINARY_MAX,   /* NaN wins (numpy maximum), as the interpreter's Max */
  EP_BINARY_MIN,   /* NaN wins */
  EP_BINARY_POW,   /* a^b with C's powf special cases (ep_powf) */
  EP_BINARY_PRELU  /* a < 0 ? a * b : a */
};

EP_INLINE float ep__unary(const int op, float v, float p0, float p1) {
  switch (op) {
  case EP_UNARY_RELU: return v > 0.0f ? v : 0.0f;
  case EP_UNARY_LEAKY_RELU: return v < 0.0f ? p0 * v : v;
  case EP_UNARY_CLIP: {
    float r = v < p0 ? p0 : v;
    return r > p1 ? p1 : r;
  }
  case EP_UNARY_SIGMOID: { /* (one exp: e^-|v|) */
    const float e = ep_expf(-fabsf(v));
    return v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
  }
  case EP_UNARY_HARD_SIGMOID: {
    const float t = p0 * v + p1;
    return t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
  }
  case EP_UNARY_HARD_SWISH: {
    const float t = (1.0f / 6.0f) * v + 0.5f;
    return v * (t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t);
  }
  case EP_UNARY_TANH: return ep_tanhf(v);
  case EP_UNARY_EXP: return ep_expf(v);
  case EP_UNARY_LOG: return ep_logf(v);
  case EP_UNARY_SQRT: return sqrtf(v);
  case EP_UNARY_NEG: return -v;
  case EP_UNARY_ABS: return fabsf(v);
  case EP_UNARY_ERF: return ep_erff(v);
  case EP_UNARY_RECIPROCAL: return 1.0f / v;
  default: return v;
  }
}

/* Elementwise unary: y[i] = op(x[i]) for n elements; y may equal x (in place). */
EP_INLINE void ep_unary_f32(int op, const float *x, float *y, int n, float p0, float p1) {
  for (int i = 0; i < n; i++) y[i] = ep__unary(op, x[i], p0, p1);
}

EP_INLINE float ep__binary(const int op, float a, float b) {
  switch (op) {
  case EP_BINARY_ADD: return a + b;
  case EP_BINARY_SUB: return a - b;
  case EP_BINARY_MUL: return a * b;
  case EP_BINARY_DIV: return a / b;
  case EP_BINARY_MAX: return (a > b || a != a) ? a : b;
  case EP_BINARY_MIN: return (a < b || a != a) ? a : b;
  case EP_BINARY_POW: return ep_powf(a, b);
  case EP_BINARY_PRELU: return a < 0.0f ? a * b : a;
  default: return a;
  }
}

/* Inner loop over n elements with element strides sa, sb (0: broadcast); the common stride
 * patterns get their own loops so that constant strides give straight-line code. */
EP_INLINE void ep__binary_run(const int op, const float *a, const float *b, float *y, int n, int sa, int sb) {
  if (sa == 1 && sb == 1) {
    for (int i = 0; i < n; i++) y[i] = ep__binary(op, a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
    for (int i = 0; i < n; i++) y[i] = ep__binary(op, a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
    for (int i = 0; i < n; i++) y[i] = ep__binary(op, av, b[i]);
  } else {
    for (int i = 0; i < n; i++) y[i] = ep__binary(op, a[i * sa], b[i * sb]);
  }
}

/* Elementwise binary with broadcasting. out_shape has `rank` (<= EP_MAX_RANK) axes; a_strides and
 * b_strides give each input's element stride per output axis, 0 where the input broadcasts. y may
 * equal a or b when that input is not broadcast (its strides are the output's row-major strides).
 * Adjacent axes that are contiguous in both inputs are merged first, so that same-shape, scalar and
 * per-channel-over-a-plane cases run as one or two plain loops. */
EP_INLINE void ep_binary_f32(int op, const float *a, const float *b, float *y, int rank, const int *out_shape,
                             const int *a_strides, const int *b_strides) {
  int shape[EP_MAX_RANK] = {0}, sa[EP_MAX_RANK] = {0}, sb[EP_MAX_RANK] = {0};
  int r = 0;
  /* (unrolled, so that with constant shape arrays the merge folds away and one loop remains) */
  EP_UNROLL(6)
  for (int i = 0; i < rank; i++) {
    if (out_shape[i] == 1) continue; /* size-1 axes do not move */
    if (r > 0 && sa[r - 1] == a_strides[i] * out_shape[i] && sb[r - 1] == b_strides[i] * out_shape[i]) {
      shape[r - 1] *= out_shape[i];
      sa[r - 1] = a_strides[i];
      sb[r - 1] = b_strides[i];
      continue;
    }
    shape[r] = out_shape[i];
    sa[r] = a_strides[i];
    sb[r] = b_strides[i];
    r++;
  }
  if (r == 0) {
    y[0] = ep__binary(op, a[0], b[0]);
    return;
  }
  const int n = shape[r - 1], ia = sa[r - 1], ib = sb[r - 1];
  if (r == 1) {
    ep__binary_run(op, a, b, y, n, ia, ib);
    return;
  }
  if (r == 2) {
    for (int o = 0; o < shape[0]; o++) ep__binary_run(op, a + o * sa[0], b + o * sb[0], y + o * n, n, ia, ib);
    return;
  }
  int idx[EP_MAX_RANK] = {0};
  int outer = 1;
  for (int i = 0; i < r - 1; i++) outer *= shape[i];
  int oa = 0, ob = 0;
  for (int o = 0; o < outer; o++, y += n) {
    ep__binary_run(op, a + oa, b + ob, y, n, ia, ib);
    for (int d = r - 2; d >= 0; d--) {
      oa += sa[d];
      ob += sb[d];
      if (++idx[d] < shape[d]) break;
      oa -= sa[d] * shape[d];
      ob -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/* Per-channel affine y = x*scale[c] + shift[c] (one fused multiply-add) over C planes of `plane`
 * elements (a BatchNorm that could not be folded); y may equal x. */
EP_INLINE void ep_channel_affine_f32(const float *x, float *y, const float *scale, const float *shift, int C,
                                     int plane) {
  for (int c = 0; c < C; c++, x += plane, y += plane) {
    const float s = scale[c], t = shift[c];
    for (int i = 0; i < plane; i++) y[i] = fmaf(x[i], s, t);
  }
}

#endif /* EP_ELEMENTWISE_H */
