/* edgeprune MCU kernels: data movement (Transpose, Pad, Concat blocks) for any 4-byte element type.
 * Elements are copied as 32-bit words, so int32 tensors (and NaN payloads) pass through unchanged. */
#ifndef EP_DATA_H
#define EP_DATA_H

#include "ep_common.h"

enum { EP_PAD_CONSTANT = 0, EP_PAD_EDGE, EP_PAD_REFLECT, EP_PAD_WRAP };

/* Copy one 4-byte element (memcpy: no aliasing or float-conversion issues; one load and one store). */
EP_INLINE void ep__copy_elem(float *dst, const float *src) { memcpy(dst, src, 4); }

/* Transpose: y = x with axes permuted (output axis i is input axis perm[i]); rank <= EP_MAX_RANK.
 * Output axes that stay adjacent in the input are merged, so a transpose that moves whole blocks
 * copies runs of consecutive elements. y must not overlap x. */
EP_INLINE void ep_transpose_f32(const float *x, float *y, int rank, const int *in_shape, const int *perm) {
  int in_stride[EP_MAX_RANK] = {0};
  int s = 1;
  /* (loops over axes unrolled: with constant shape arrays the whole set-up folds away) */
  EP_UNROLL(6)
  for (int i = rank - 1; i >= 0; i--) {
    in_stride[i] = s;
    s *= in_shape[i];
  }
  /* Merged output axes: size and input stride. */
  int shape[EP_MAX_RANK] = {0}, stride[EP_MAX_RANK] = {0};
  int r = 0;
  EP_UNROLL(6)
  for (int i = 0; i < rank; i++) {
    const int n = in_shape[perm[i]], st = in_stride[perm[i]];
    if (n == 1) continue;
    if (r > 0 && stride[r - 1] == st * n) {
      shape[r - 1] *= n;
      stride[r - 1] = st;
      continue;
    }
    shape[r] = n;
    stride[r] = st;
    r++;
  }
  if (r == 0) {
    ep__copy_elem(y, x);
    return;
  }
  const int n = shape[r - 1], sn = stride[r - 1];
  int outer = 1;
  for (int i = 0; i < r - 1; i++) outer *= shape[i];
  int idx[EP_MAX_RANK] = {0};
  int off = 0;
  for (int o = 0; o < outer; o++, y += n) {
    if (sn == 1)
      for (int i = 0; i < n; i++) ep__copy_elem(y + i, x + off + i);
    else
      for (int i = 0; i < n; i++) ep__copy_elem(y + i, x + off + i * sn);
    for (int d = r - 2; d >= 0; d--) {
      off += stride[d];
      if (++idx[d] < shape[d]) break;
      off -= stride[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/* Source coordinate along one axis for output coordinate o, or -1 for the constant. Negative pads
 * crop first; the mode then pads the cropped axis (as the interpreter and ONNX's reference). */
EP_INLINE int ep__pad_source(int o, int dim, int begin, int end, int mode) {
  const int crop = begin < 0 ? -begin : 0;
  const int kept = dim - crop - (end < 0 ? -end : 0);
  const int rel = o - (begin > 0 ? begin : 0);
  int src;
  if (rel >= 0 && rel < kept)
    src = rel;
  else if (mode == EP_PAD_CONSTANT)
    return -1;
  else if (mode == EP_PAD_EDGE)
    src = rel < 0 ? 0 : kept - 1;
  else if (mode == EP_PAD_REFLECT)
    src = rel < 0 ? -rel : 2 * (kept - 1) - rel;
  else
    src = ((rel % kept) + kept) % kept;
  return crop + src;
}

/* Pad (negative pads crop) in constant, edge, reflect or wrap mode; rank <= EP_MAX_RANK. In constant
 * mode every padded element gets the bits of `value` (for an int32 tensor pass the int's bits as a
 * float). Reflect needs pads <= (kept axis size - 1); edge/reflect/wrap need a non-empty kept axis.
 * y must not overlap x. */
EP_INLINE void ep_pad_f32(const float *x, float *y, int rank, const int *in_shape, const int *pads_begin,
                          const int *pads_end, int mode, float value) {
  int out_shape[EP_MAX_RANK] = {0}, in_stride[EP_MAX_RANK] = {0};
  int s = 1, total = 1;
  EP_UNROLL(6)
  for (int i = rank - 1; i >= 0; i--) {
    in_stride[i] = s;
    s *= in_shape[i];
    out_shape[i] = in_shape[i] + pads_begin[i] + pads_end[i];
    total *= out_shape[i];
  }
  if (total == 0) return;
  if (rank == 0) {
    ep__copy_elem(y, x);
    return;
  }
  const int last = rank - 1;
  const int n = out_shape[last], dim = in_shape[last], b = pads_begin[last], e = pads_end[last];
  /* The run of the last axis copied straight from the input: [lo, hi). */
  const int lo = b > 0 ? b : 0;
  const int hi = lo + dim - (b < 0 ? -b : 0) - (e < 0 ? -e : 0);
  const int first = b < 0 ? -b : 0; /* input coordinate of output lo (the begin crop) */
  int idx[EP_MAX_RANK] = {0};
  for (int row = 0, rows = total / n; row < rows; row++, y += n) {
    int off = 0;
    for (int d = 0; d < last && off >= 0; d++) {
      const int src = ep__pad_source(idx[d], in_shape[d], pads_begin[d], pads_end[d], mode);
      off = src < 0 ? -1 : off + src * in_stride[d];
    }
    if (off < 0) {
      for (int i = 0; i < n; i++) ep__copy_elem(y + i, &value);
    } else {
      for (int i = 0; i < lo && i < n; i++) {
        const int src = ep__pad_source(i, dim, b, e, mode);
        if (src < 0) ep__copy_elem(y + i, &value);
        else ep__copy_elem(y + i, x + off + src);
      }
      for (int i = lo; i < hi; i++) ep__copy_elem(y + i, x + off + first + (i - lo));
      for (int i = hi > lo ? hi : lo; i < n; i++) {
        const int src = ep__pad_source(i, dim, b, e, mode);
        if (src < 0) ep__copy_elem(y + i, &value);
        else ep__copy_elem(y + i, x + off + src);
      }
    }
    for (int d = last - 1; d >= 0; d--) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

/* Concat (and any strided block copy): count blocks of `block` elements, block i from
 * src + i*src_stride to dst + i*dst_stride. */
EP_INLINE void ep_copy_blocks_f32(float *dst, int dst_stride, const float *src, int src_stride, int block, int count) {
  for (int i = 0; i < count; i++, dst += dst_stride, src += src_stride)
    for (int k = 0; k < block; k++) ep__copy_elem(dst + k, src + k);
}

#endif /* EP_DATA_H */
