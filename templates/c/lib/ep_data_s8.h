/* edgeprune MCU kernels: data movement of int8 tensors (Concat blocks, Transpose), byte for byte.
 * The same loops as ep_data.h's 4-byte versions, on 1-byte elements. */
#ifndef EP_DATA_S8_H
#define EP_DATA_S8_H

#include "ep_common.h"

/* Concat (and any strided block copy) of int8: count blocks of `block` elements, block i from
 * src + i*src_stride to dst + i*dst_stride. */
EP_INLINE void ep_copy_blocks_s8(int8_t *dst, int dst_stride, const int8_t *src, int src_stride, int block, int count) {
  for (int i = 0; i < count; i++, dst += dst_stride, src += src_stride) memcpy(dst, src, (size_t)block);
}

/* Transpose of int8: y = x with axes permuted (output axis i is input axis perm[i]); rank <=
 * EP_MAX_RANK. Output axes that stay adjacent in the input are merged, so a transpose that moves
 * whole blocks copies runs of consecutive bytes. y must not overlap x. */
EP_INLINE void ep_transpose_s8(const int8_t *x, int8_t *y, int rank, const int *in_shape, const int *perm) {
  int in_stride[EP_MAX_RANK] = {0};
  int s = 1;
  EP_UNROLL(6)
  for (int i = rank - 1; i >= 0; i--) {
    in_stride[i] = s;
    s *= in_shape[i];
  }
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
    y[0] = x[0];
    return;
  }
  const int n = shape[r - 1], sn = stride[r - 1];
  int outer = 1;
  for (int i = 0; i < r - 1; i++) outer *= shape[i];
  int idx[EP_MAX_RANK] = {0};
  int off = 0;
  for (int o = 0; o < outer; o++, y += n) {
    if (sn == 1)
      memcpy(y, x + off, (size_t)n);
    else
      for (int i = 0; i < n; i++) y[i] = x[off + i * sn];
    for (int d = r - 2; d >= 0; d--) {
      off += stride[d];
      if (++idx[d] < shape[d]) break;
      off -= stride[d] * shape[d];
      idx[d] = 0;
    }
  }
}

#endif /* EP_DATA_S8_H */
