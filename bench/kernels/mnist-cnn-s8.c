/* Bench: the MNIST-like CNN of bench/kernels/mnist-cnn.c in int8, as the emitter calls the int8 kernels (literal
 * shapes and quantization constants, one buffer per tensor), with the random weights, scales and input that
 * mnist-cnn-s8.ts generates into mnist-cnn-s8-data.h:
 *   float 28x28 -> QuantizeLinear -> Int8Conv 5x5 1->8 pad 2 + ReLU -> MaxPool 2 -> Int8Conv 5x5 8->16 pad 2 + ReLU
 *   -> MaxPool 3 -> Int8Gemm 256->10 -> DequantizeLinear (786,560 MACs).
 * Prints (semihosting): "model N" (instructions of one inference), "layer:<name> N" per layer, "stack N" (bytes of
 * stack one inference used), "q:<i> N" (the int8 outputs, as 0..255), "out:<i> N" (the bits of the float outputs)
 * and "hash:<tensor> N" (FNV-1a of every int8 tensor), to compare the host build with the target build and the
 * interpreter. */
#include <stdint.h>
#include "bench.h"
#include "ep_kernels.h"
#include "mnist-cnn-s8-data.h"

static int8_t xq[784], a1[8 * 28 * 28], a2[8 * 14 * 14], a3[16 * 14 * 14], a4[256], yq[10];
static float out[10];

#define QUANT() ep_quantize_f32_s8(input, xq, 784, X_SCALE, X_ZP)
#define CONV1() ep_conv2d_s8(xq, w1, b1, m1, s1, a1, 1, 28, 28, 8, 5, 5, 28, 28, 1, 1, 1, 1, 2, 2, 1, X_ZP, A1_ZP, A1_ZP, 127)
#define POOL1() ep_maxpool2d_s8(a1, a2, 8, 28, 28, 14, 14, 2, 2, 2, 2, 1, 1, 0, 0)
#define CONV2() ep_conv2d_s8(a2, w2, b2, m2, s2, a3, 8, 14, 14, 16, 5, 5, 14, 14, 1, 1, 1, 1, 2, 2, 1, A1_ZP, A3_ZP, A3_ZP, 127)
#define POOL2() ep_maxpool2d_s8(a3, a4, 16, 14, 14, 4, 4, 3, 3, 3, 3, 1, 1, 0, 0)
#define FC() ep_dense_s8(a4, w3, b3, m3, s3, yq, 1, 256, 10, A3_ZP, Y_ZP, -128, 127)
#define DEQUANT() ep_dequantize_s8_f32(yq, out, 10, Y_SCALE, Y_ZP)

/* The model library's code: every kernel inlined here, as in the generated model.c. */
__attribute__((noinline)) void model_run(void) {
  QUANT();
  CONV1();
  POOL1();
  CONV2();
  POOL2();
  FC();
  DEQUANT();
}

/* The same layers one at a time, for per-layer counts and code sizes. */
__attribute__((noinline)) void layer_quant(void) { QUANT(); }
__attribute__((noinline)) void layer_conv1(void) { CONV1(); }
__attribute__((noinline)) void layer_pool1(void) { POOL1(); }
__attribute__((noinline)) void layer_conv2(void) { CONV2(); }
__attribute__((noinline)) void layer_pool2(void) { POOL2(); }
__attribute__((noinline)) void layer_fc(void) { FC(); }
__attribute__((noinline)) void layer_dequant(void) { DEQUANT(); }

static void report_indexed(const char *prefix, int i, uint32_t v) {
  char label[16];
  int k = 0;
  while (prefix[k]) {
    label[k] = prefix[k];
    k++;
  }
  label[k++] = (char)('0' + i);
  label[k] = 0;
  bench_report(label, v);
}

int main(void) {
  bench_paint_stack(4096);
  BENCH("model", model_run());
  bench_report("stack", bench_stack_used());
  bench_report("hash:xq", bench_fnv_s8(xq, 784));
  bench_report("hash:conv1", bench_fnv_s8(a1, (int)sizeof a1));
  bench_report("hash:pool1", bench_fnv_s8(a2, (int)sizeof a2));
  bench_report("hash:conv2", bench_fnv_s8(a3, (int)sizeof a3));
  bench_report("hash:pool2", bench_fnv_s8(a4, (int)sizeof a4));
  for (int i = 0; i < 10; i++) {
    union {
      float f;
      uint32_t u;
    } c = {out[i]};
    report_indexed("q:", i, (uint8_t)yq[i]);
    report_indexed("out:", i, c.u);
  }
  BENCH("layer:quant", layer_quant());
  BENCH("layer:conv1", layer_conv1());
  BENCH("layer:pool1", layer_pool1());
  BENCH("layer:conv2", layer_conv2());
  BENCH("layer:pool2", layer_pool2());
  BENCH("layer:fc", layer_fc());
  BENCH("layer:dequant", layer_dequant());
  return 0;
}
