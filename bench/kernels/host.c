/* Host (gcc) implementation of bench.h: the same bench programs print their outputs on stdout, so
 * that a host build can be compared bit for bit with the QEMU build. Counts read 0. */
#include <stdio.h>
#include "bench.h"

void bench_puts(const char *s) { fputs(s, stdout); }
void bench_report(const char *label, uint32_t value) { printf("%s %u\n", label, (unsigned)value); }
void bench_start(void) {}
uint32_t bench_stop(void) { return 0; }
void bench_paint_stack(uint32_t bytes) { (void)bytes; }
uint32_t bench_stack_used(void) { return 0; }

static uint32_t seed = 12345u;
void bench_fill(float *p, int n, float scale) {
  for (int i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    p[i] = ((float)(int32_t)(seed >> 8) / 8388608.0f - 1.0f) * scale;
  }
}
