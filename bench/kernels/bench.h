/* Bench firmware support (QEMU mps2-an386): instruction counting with SysTick under -icount shift=0,
 * semihosting text output and exit, stack painting. Not part of the model library. */
#ifndef EP_BENCH_H
#define EP_BENCH_H
#include <stdint.h>

void bench_puts(const char *s);
/* Print "<label> <value>\n". */
void bench_report(const char *label, uint32_t value);
/* Start counting; bench_stop() returns the instructions since (40 per SysTick tick, see TOOLCHAIN.md). */
void bench_start(void);
uint32_t bench_stop(void);
/* Fill `bytes` of stack below the caller's frame with a pattern; bench_stack_used() then returns how
 * many of those bytes were overwritten. */
void bench_paint_stack(uint32_t bytes);
uint32_t bench_stack_used(void);
/* Deterministic pseudo-random floats in [-scale, scale). */
void bench_fill(float *p, int n, float scale);

/* FNV-1a of n int8 values' bytes (the outputs a bench compares with the interpreter's; fnvS8 of bench-lib.ts). */
static inline uint32_t bench_fnv_s8(const int8_t *p, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

#define BENCH(label, call)                                                                                     \
  do {                                                                                                         \
    bench_start();                                                                                             \
    call;                                                                                                      \
    bench_report(label, bench_stop());                                                                         \
  } while (0)
#endif
