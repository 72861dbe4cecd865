/* Bench: the weight-sparse int8 kernels (ep_int8_sparse.h) against the dense ones on the same pruned layers. The cases
 * come from bench/sparse-kernels-s8.ts, generated into sparse-s8-cases.h: per case k, its constant arrays and two
 * functions, case_dense[k] and case_sparse[k], each one kernel call with literal arguments (as the emitter writes it)
 * writing out_buf. Prints "dense:<k> N" and "sparse:<k> N" (instructions of the call) and "hash_dense:<k> N",
 * "hash_sparse:<k> N" (FNV-1a of the output bytes) per case. */
#include <stdint.h>
#include "bench.h"
#include "ep_kernels.h"
#include "sparse-s8-cases.h"

static void label(char *buf, const char *prefix, int k) {
  int i = 0;
  while (prefix[i]) {
    buf[i] = prefix[i];
    i++;
  }
  char num[8];
  int d = 0;
  do {
    num[d++] = (char)('0' + k % 10);
    k /= 10;
  } while (k);
  while (d) buf[i++] = num[--d];
  buf[i] = 0;
}

int main(void) {
  char name[32];
  for (int k = 0; k < SPARSE_S8_CASES; k++) {
    for (int i = 0; i < SPARSE_S8_OUT_BYTES; i++) out_buf[i] = 0x5a;
    label(name, "dense:", k);
    BENCH(name, case_dense[k]());
    label(name, "hash_dense:", k);
    bench_report(name, bench_fnv_s8(out_buf, case_out_bytes[k]));
    for (int i = 0; i < SPARSE_S8_OUT_BYTES; i++) out_buf[i] = 0x5a;
    label(name, "sparse:", k);
    BENCH(name, case_sparse[k]());
    label(name, "hash_sparse:", k);
    bench_report(name, bench_fnv_s8(out_buf, case_out_bytes[k]));
  }
  return 0;
}
