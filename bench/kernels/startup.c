/* Bench firmware runtime for QEMU mps2-an386 (and lm3s6965evb): vectors, reset (copy .data, zero .bss, enable the FPU if any),
 * semihosting, SysTick instruction counting, stack painting. */
#include <stdint.h>
#include "bench.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void reset_handler(void);
static void default_handler(void) {
  for (;;) {
  }
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &_estack,         (void *)reset_handler,   (void *)default_handler, (void *)default_handler,
    (void *)default_handler, (void *)default_handler, (void *)default_handler, 0, 0, 0, 0,
    (void *)default_handler, (void *)default_handler, 0, (void *)default_handler, (void *)default_handler};

static int semihost(int op, void *arg) {
  register int r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void bench_puts(const char *s) { semihost(0x04, (void *)s); } /* SYS_WRITE0: QEMU's stderr */

static void bench_exit(int code) {
  uint32_t block[2] = {0x20026, (uint32_t)code}; /* ADP_Stopped_ApplicationExit */
  semihost(0x20, block);                         /* SYS_EXIT_EXTENDED */
  for (;;) {
  }
}

void bench_report(const char *label, uint32_t value) {
  char buf[96];
  int i = 0;
  while (*label && i < 80) buf[i++] = *label++;
  buf[i++] = ' ';
  char digits[12];
  int k = 0;
  do {
    digits[k++] = (char)('0' + value % 10u);
    value /= 10u;
  } while (value);
  while (k) buf[i++] = digits[--k];
  buf[i++] = '\n';
  buf[i] = 0;
  bench_puts(buf);
}

#ifndef BENCH_INSTR_PER_TICK
#define BENCH_INSTR_PER_TICK 40u /* mps2-an386 (25 MHz SysTick); lm3s6965evb: 80 (12.5 MHz) */
#endif
#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
static uint32_t t0;

void bench_start(void) {
  SYST_CSR = 0;
  SYST_RVR = 0xFFFFFF;
  SYST_CVR = 0;
  SYST_CSR = 5; /* processor clock, enabled, no interrupt */
  while (SYST_CVR == 0) {
  }
  t0 = SYST_CVR;
}

uint32_t bench_stop(void) {
  const uint32_t t1 = SYST_CVR;
  return (t0 - t1) * BENCH_INSTR_PER_TICK; /* instructions per tick with -icount shift=0 */
}

#define STACK_PATTERN 0xC5C5C5C5u
static uint32_t *paint_lo, *paint_hi;

void bench_paint_stack(uint32_t bytes) {
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  paint_hi = sp; /* below the stack pointer nothing is live (no interrupts run) */
  paint_lo = paint_hi - bytes / 4;
  /* volatile: a memset call here would run on the stack it paints */
  for (volatile uint32_t *p = paint_lo; p < paint_hi; p++) *p = STACK_PATTERN;
}

uint32_t bench_stack_used(void) {
  uint32_t *p = paint_lo;
  while (p < paint_hi && *p == STACK_PATTERN) p++;
  return (uint32_t)(paint_hi - p) * 4u;
}

static uint32_t seed = 12345u;
void bench_fill(float *p, int n, float scale) {
  for (int i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    p[i] = ((float)(int32_t)(seed >> 8) / 8388608.0f - 1.0f) * scale;
  }
}

void reset_handler(void) {
  uint32_t *src = &_sidata, *dst = &_sdata;
  while (dst < &_edata) *dst++ = *src++;
  for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
#if defined(__ARM_FP)
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20; /* CPACR: CP10, CP11 full access */
  __asm__ volatile("dsb\n isb");
#endif
  bench_exit(main());
}
