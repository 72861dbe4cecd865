/* Bench: the transcendental kernels (ep_math.h through ep_unary_f32, ep_softmax_f32 and ep_binary_f32
 * POW) on 4096 inputs each; prints a hash of the output bits per function, "<name> N", so that a host
 * build and a target build can be compared (they must be bit-identical), and the instructions per
 * element on the target ("cost:<name> N"). */
#include <stdint.h>
#include "bench.h"
#include "ep_kernels.h"

#define N 4096
static float x[N], y[N], e[N];

static uint32_t hash(const float *v, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ ep__bits(v[i])) * 16777619u;
  return h;
}

#define UNARY(label, op)                                                                                       \
  do {                                                                                                         \
    bench_start();                                                                                             \
    ep_unary_f32(op, x, y, N, 0.0f, 0.0f);                                                                     \
    bench_report("cost:" label, bench_stop() / N);                                                             \
    bench_report(label, hash(y, N));                                                                           \
  } while (0)

int main(void) {
  for (int i = 0; i < N; i++) x[i] = -30.0f + 60.0f * (float)i / (float)N + 0.00173f * (float)(i % 13);
  for (int i = 0; i < N; i++) e[i] = -4.0f + 8.0f * (float)((i * 7919) % N) / (float)N;
  UNARY("sigmoid", EP_UNARY_SIGMOID);
  UNARY("tanh", EP_UNARY_TANH);
  UNARY("exp", EP_UNARY_EXP);
  UNARY("log", EP_UNARY_LOG);
  UNARY("erf", EP_UNARY_ERF);
  UNARY("sqrt", EP_UNARY_SQRT);
  UNARY("hard_swish", EP_UNARY_HARD_SWISH);
  bench_start();
  ep_softmax_f32(x, y, 16, 256, 1, 0);
  bench_report("cost:softmax", bench_stop() / N);
  bench_report("softmax", hash(y, N));
  ep_softmax_f32(x, y, 16, 256, 1, 1);
  bench_report("log_softmax", hash(y, N));
  {
    static const int shape[] = {N}, s1[] = {1};
    bench_start();
    ep_binary_f32(EP_BINARY_POW, x, e, y, 1, shape, s1, s1);
    bench_report("cost:pow", bench_stop() / N);
    bench_report("pow", hash(y, N));
  }
  return 0;
}
