/* Bench: one call of each kernel family with literal shapes (as the emitter writes them), for rough
 * instruction counts per MAC or per element. Prints "case:<name> N" per call (semihosting). */
#include <stdint.h>
#include "bench.h"
#include "ep_kernels.h"

static float bx[16 * 32 * 32], by[32 * 32 * 32], bw[16 * 8 * 9 + 128 * 64], bb[128], bz[16 * 32 * 32];

#define CASE(name, ...) \
  __attribute__((noinline)) void case_##name(void);      \
  void case_##name(void) { __VA_ARGS__; }
CASE(dense_128x64, ep_dense_f32(bx, bw, bb, by, 1, 128, 64, 0.0f, INFINITY))
CASE(dense_rows4_64x32, ep_dense_f32(bx, bw, bb, by, 4, 64, 32, -INFINITY, INFINITY))
CASE(matmul_16x32x16, ep_matmul_f32(bx, bz, by, 16, 32, 16))
CASE(conv3x3_8to16_16x16, ep_conv2d_f32(bx, bw, bb, by, 8, 16, 16, 16, 3, 3, 16, 16, 1, 1, 1, 1, 1, 1, 1, 0.0f, INFINITY))
CASE(conv3x3s2_3to8_32x32, ep_conv2d_f32(bx, bw, bb, by, 3, 32, 32, 8, 3, 3, 16, 16, 2, 2, 1, 1, 1, 1, 1, 0.0f, INFINITY))
CASE(depthwise3x3_16ch_16x16, ep_conv2d_f32(bx, bw, bb, by, 16, 16, 16, 16, 3, 3, 16, 16, 1, 1, 1, 1, 1, 1, 16, 0.0f, INFINITY))
CASE(pointwise_16to32_16x16, ep_conv2d_f32(bx, bw, bb, by, 16, 16, 16, 32, 1, 1, 16, 16, 1, 1, 1, 1, 0, 0, 1, 0.0f, INFINITY))
CASE(conv1d_k5_8to8_w64, ep_conv2d_f32(bx, bw, bb, by, 8, 1, 64, 8, 1, 5, 1, 64, 1, 1, 1, 1, 0, 2, 1, -INFINITY, INFINITY))
CASE(convtranspose4x4s2_8to4_8x8, ep_conv_transpose2d_f32(bx, bw, bb, by, 8, 8, 8, 4, 4, 4, 16, 16, 2, 2, 1, 1, 1, 1, 1))
CASE(maxpool2x2_16x32x32, ep_maxpool2d_f32(bx, by, 16, 32, 32, 16, 16, 2, 2, 2, 2, 1, 1, 0, 0))
CASE(maxpool3x3s2p1_8x16x16, ep_maxpool2d_f32(bx, by, 8, 16, 16, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1))
CASE(avgpool3x3p1_8x16x16, ep_avgpool2d_f32(bx, by, 8, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0))
CASE(global_avgpool_32x64, ep_global_avgpool_f32(bx, by, 32, 64))
CASE(relu_4096, ep_unary_f32(EP_UNARY_RELU, bx, by, 4096, 0.0f, 0.0f))
CASE(sigmoid_1024, ep_unary_f32(EP_UNARY_SIGMOID, bx, by, 1024, 0.0f, 0.0f))
CASE(add_same_4096, {
  static const int shape[] = {1, 16, 16, 16}, sa[] = {0, 256, 16, 1}, sb[] = {0, 256, 16, 1};
  ep_binary_f32(EP_BINARY_ADD, bx, bz, by, 4, shape, sa, sb);
})
CASE(add_per_channel_4096, {
  static const int shape[] = {1, 16, 16, 16}, sa[] = {0, 256, 16, 1}, sb[] = {0, 1, 0, 0};
  ep_binary_f32(EP_BINARY_ADD, bx, bb, by, 4, shape, sa, sb);
})
CASE(softmax_10, ep_softmax_f32(bx, by, 1, 10, 1, 0))
CASE(transpose_nchw_nhwc_4096, {
  static const int shape[] = {1, 16, 16, 16}, perm[] = {0, 2, 3, 1};
  ep_transpose_f32(bx, by, 4, shape, perm);
})
CASE(pad_reflect_16x16x16, {
  static const int shape[] = {16, 16, 16}, pb[] = {0, 1, 1}, pe[] = {0, 1, 1};
  ep_pad_f32(bx, by, 3, shape, pb, pe, EP_PAD_REFLECT, 0.0f);
})

int main(void) {
  bench_fill(bx, 16 * 32 * 32, 1.0f);
  bench_fill(bz, 16 * 32 * 32, 1.0f);
  bench_fill(bw, 16 * 8 * 9 + 128 * 64, 0.2f);
  bench_fill(bb, 128, 0.1f);
  BENCH("case:dense_128x64", case_dense_128x64());
  BENCH("case:dense_rows4_64x32", case_dense_rows4_64x32());
  BENCH("case:matmul_16x32x16", case_matmul_16x32x16());
  BENCH("case:conv3x3_8to16_16x16", case_conv3x3_8to16_16x16());
  BENCH("case:conv3x3s2_3to8_32x32", case_conv3x3s2_3to8_32x32());
  BENCH("case:depthwise3x3_16ch_16x16", case_depthwise3x3_16ch_16x16());
  BENCH("case:pointwise_16to32_16x16", case_pointwise_16to32_16x16());
  BENCH("case:conv1d_k5_8to8_w64", case_conv1d_k5_8to8_w64());
  BENCH("case:convtranspose4x4s2_8to4_8x8", case_convtranspose4x4s2_8to4_8x8());
  BENCH("case:maxpool2x2_16x32x32", case_maxpool2x2_16x32x32());
  BENCH("case:maxpool3x3s2p1_8x16x16", case_maxpool3x3s2p1_8x16x16());
  BENCH("case:avgpool3x3p1_8x16x16", case_avgpool3x3p1_8x16x16());
  BENCH("case:global_avgpool_32x64", case_global_avgpool_32x64());
  BENCH("case:relu_4096", case_relu_4096());
  BENCH("case:sigmoid_1024", case_sigmoid_1024());
  BENCH("case:add_same_4096", case_add_same_4096());
  BENCH("case:add_per_channel_4096", case_add_per_channel_4096());
  BENCH("case:softmax_10", case_softmax_10());
  BENCH("case:transpose_nchw_nhwc_4096", case_transpose_nchw_nhwc_4096());
  BENCH("case:pad_reflect_16x16x16", case_pad_reflect_16x16x16());
  return 0;
}
