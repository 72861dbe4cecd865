/* Bench: the MNIST-like CNN of examples/models/mnist-like-cnn.onnx as the emitter will call the
 * kernels (literal shapes, one arena-like buffer per tensor), with random weights.
 *   28x28x1 -> Conv 5x5 1->8 pad 2 + ReLU -> MaxPool 2 -> Conv 5x5 8->16 pad 2 + ReLU -> MaxPool 3
 *   -> Dense 256->10 (786,560 MACs).
 * Prints (semihosting): "model N" (instructions of one inference), "layer:<name> N" per layer,
 * "stack N" (bytes of stack the inference used), "out:<i> N" (the bits of each output, to compare a
 * host build with the target build: they must be identical). */
#include <stdint.h>
#include "bench.h"
#include "ep_kernels.h"

static float input[784], w1[200], b1[8], w2[3200], b2[16], w3[2560], b3[10];
static float a1[8 * 28 * 28], a2[8 * 14 * 14], a3[16 * 14 * 14], a4[256], out[10];

/* The layers, each a function of its own as the generated model.c makes every layer step (EP_STEP): each layer's
 * kernel gets the registers to itself (the one-channel conv tile pins some, see ep_conv.h). */
__attribute__((noinline)) void layer_conv1(void) {
  ep_conv2d_f32(input, w1, b1, a1, 1, 28, 28, 8, 5, 5, 28, 28, 1, 1, 1, 1, 2, 2, 1, 0.0f, INFINITY);
}
__attribute__((noinline)) void layer_pool1(void) { ep_maxpool2d_f32(a1, a2, 8, 28, 28, 14, 14, 2, 2, 2, 2, 1, 1, 0, 0); }
__attribute__((noinline)) void layer_conv2(void) {
  ep_conv2d_f32(a2, w2, b2, a3, 8, 14, 14, 16, 5, 5, 14, 14, 1, 1, 1, 1, 2, 2, 1, 0.0f, INFINITY);
}
__attribute__((noinline)) void layer_pool2(void) { ep_maxpool2d_f32(a3, a4, 16, 14, 14, 4, 4, 3, 3, 3, 3, 1, 1, 0, 0); }
__attribute__((noinline)) void layer_fc(void) { ep_dense_f32(a4, w3, b3, out, 1, 256, 10, -INFINITY, INFINITY); }

/* One inference: the layer steps in order, as model_run in the generated model.c. */
__attribute__((noinline)) void model_run(void) {
  layer_conv1();
  layer_pool1();
  layer_conv2();
  layer_pool2();
  layer_fc();
}

int main(void) {
  bench_fill(input, 784, 1.0f);
  bench_fill(w1, 200, 0.2f);
  bench_fill(b1, 8, 0.1f);
  bench_fill(w2, 3200, 0.07f);
  bench_fill(b2, 16, 0.1f);
  bench_fill(w3, 2560, 0.06f);
  bench_fill(b3, 10, 0.1f);
  bench_paint_stack(8192);
  BENCH("model", model_run());
  bench_report("stack", bench_stack_used());
  BENCH("layer:conv1", layer_conv1());
  BENCH("layer:pool1", layer_pool1());
  BENCH("layer:conv2", layer_conv2());
  BENCH("layer:pool2", layer_pool2());
  BENCH("layer:fc", layer_fc());
  for (int i = 0; i < 10; i++) {
    union {
      float f;
      uint32_t u;
    } c = {out[i]};
    char label[8] = "out:0";
    label[4] = (char)('0' + i);
    bench_report(label, c.u);
  }
  return 0;
}
