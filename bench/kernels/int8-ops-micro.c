/* Bench: one call of each int8 elementwise/pool kernel (Int8Add, the int8 average pools) and the float Softmax tail,
 * with literal arguments as the emitter writes them, for instructions per element or output. Prints "case:<name> N"
 * per call (semihosting). */
#include <stdint.h>
#include "bench.h"
#include "ep_kernels.h"

static int8_t ba[16 * 32 * 32], bb[16 * 32 * 32], by[16 * 32 * 32];
static float fx[16], fy[16];
static const int32_t avg_mult[] = {1431655765, 1073741824, 1717986918, 1431655765, 1227133513, 1073741824, 1908874354};
static const int8_t avg_shift[] = {34, 35, 36, 36, 36, 36, 37};

#define CASE(name, ...) \
  __attribute__((noinline)) void case_##name(void);      \
  void case_##name(void) { __VA_ARGS__; }
CASE(add_s8_same_4096, {
  static const int shape[] = {4096}, sa[] = {1}, sb[] = {1};
  ep_add_s8(ba, bb, by, 1, shape, sa, sb, 1073741824, 31, -3, 1546188227, 32, 5, 1288490189, 50, -128, -128, 127);
})
CASE(add_s8_per_channel_4096, {
  static const int shape[] = {16, 256}, sa[] = {256, 1}, sb[] = {1, 0};
  ep_add_s8(ba, bb, by, 2, shape, sa, sb, 1073741824, 31, -3, 1546188227, 32, 5, 1288490189, 50, -128, -128, 127);
})
CASE(avgpool_s8_3x3p1_8x16x16, ep_avgpool2d_s8(ba, by, 8, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, avg_mult, avg_shift, 3, -128, -128, -128, 127))
CASE(avgpool_s8_2x2s2_16x32x32, ep_avgpool2d_s8(ba, by, 16, 32, 32, 16, 16, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, avg_mult, avg_shift, 4, -128, -128, -128, 127))
CASE(global_avgpool_s8_32x64, ep_global_avgpool_s8(ba, by, 32, 64, 1717986918, 38, -128, -128, -128, 127))
CASE(softmax_tail_10, ep_softmax_tail_f32(fx, fy, 1, 10, 1))
CASE(softmax_f32_10, ep_softmax_f32(fx, fy, 1, 10, 1, 0))

int main(void) {
  for (int i = 0; i < 16 * 32 * 32; i++) {
    ba[i] = (int8_t)(i * 37 + 11);
    bb[i] = (int8_t)(i * 91 + 5);
  }
  bench_fill(fx, 16, 4.0f);
  BENCH("case:add_s8_same_4096", case_add_s8_same_4096());
  BENCH("case:add_s8_per_channel_4096", case_add_s8_per_channel_4096());
  BENCH("case:avgpool_s8_3x3p1_8x16x16", case_avgpool_s8_3x3p1_8x16x16());
  BENCH("case:avgpool_s8_2x2s2_16x32x32", case_avgpool_s8_2x2s2_16x32x32());
  BENCH("case:global_avgpool_s8_32x64", case_global_avgpool_s8_32x64());
  BENCH("case:softmax_tail_10", case_softmax_tail_10());
  BENCH("case:softmax_f32_10", case_softmax_f32_10());
  return 0;
}
