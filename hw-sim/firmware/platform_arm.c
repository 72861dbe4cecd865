/* edgeprune hw-sim Cortex-M platform layer: the run counter (DWT cycles on a real board, SysTick
 * ticks under QEMU), stack painting and high-water scan, semihosting exit. The UART lives in
 * uart_<driver>.c. */
#include <stdint.h>

#include "harness.h"

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
#define EPHW_HAVE_DWT 1
#else
#define EPHW_HAVE_DWT 0
#endif

/* Bytes at the top of the stack that are painted and scanned (set by the build). */
#ifndef EPHW_STACK_WINDOW
#define EPHW_STACK_WINDOW (128u * 1024u)
#endif
#define EPHW_STACK_PATTERN 0xC5AC5AC5u

void ephw_uart_init(void);

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SCB_ICSR REG32(0xE000ED04u)
#define DEMCR REG32(0xE000EDFCu)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)
#define DWT_LAR REG32(0xE0001FB0u)

#define SYST_ENABLE 1u
#define SYST_TICKINT 2u
#define SYST_CLKSOURCE_CORE 4u
#define SYST_COUNTFLAG (1u << 16)
#define SYST_RELOAD 0xFFFFFFu
#define ICSR_PENDSTCLR (1u << 25)

static int ephw_use_dwt;
static volatile uint32_t ephw_systick_wraps;

static inline uint32_t irq_save(void) {
  uint32_t primask;
  __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
  return primask;
}

static inline void irq_restore(uint32_t primask) {
  __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

void SysTick_Handler(void) {
  (void)SYST_CSR; /* reading clears COUNTFLAG: a set flag in ephw_counter_read means an unserved wrap */
  ephw_systick_wraps++;
}

/* A real core's cycle counter advances; QEMU's DWT reads as zero. */
static int dwt_works(void) {
#if EPHW_HAVE_DWT
  DEMCR |= 1u << 24; /* TRCENA */
  DWT_LAR = 0xC5ACCE55u; /* unlock (Cortex-M7) */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u; /* CYCCNTENA */
  uint32_t before = DWT_CYCCNT;
  for (volatile int i = 0; i < 16; i++) {
  }
  return DWT_CYCCNT != before;
#else
  return 0;
#endif
}

void ephw_platform_init(void) {
  ephw_uart_init();
  ephw_use_dwt = dwt_works();
}

const char *ephw_counter_kind(void) {
  return ephw_use_dwt ? "dwt" : "systick";
}

void ephw_counter_start(void) {
#if EPHW_HAVE_DWT
  if (ephw_use_dwt) {
    DWT_CYCCNT = 0;
    return;
  }
#endif
  /* Restart SysTick from the reload value so that every run starts at the same phase. Under
   * QEMU the current value reads 0 until the first tick after enabling: wait for it. */
  SYST_CSR = 0;
  SYST_RVR = SYST_RELOAD;
  SYST_CVR = 0;
  SCB_ICSR = ICSR_PENDSTCLR;
  ephw_systick_wraps = 0;
  SYST_CSR = SYST_CLKSOURCE_CORE | SYST_TICKINT | SYST_ENABLE;
  while (SYST_CVR == 0) {
  }
}

uint64_t ephw_counter_read(void) {
#if EPHW_HAVE_DWT
  if (ephw_use_dwt) return DWT_CYCCNT;
#endif
  uint32_t primask = irq_save();
  uint32_t value = SYST_CVR;
  uint32_t wraps = ephw_systick_wraps;
  if (SYST_CSR & SYST_COUNTFLAG) {
    /* Wrapped since the handler last ran (its interrupt is pending): count it here. */
    value = SYST_CVR;
    wraps++;
  }
  SYST_CSR = 0; /* stopped between runs: no interrupt outside a run */
  SCB_ICSR = ICSR_PENDSTCLR;
  irq_restore(primask);
  return (uint64_t)wraps * (SYST_RELOAD + 1u) + (SYST_RELOAD - value);
}

/* ---- step marks (a step-marks build only: harness.h) ---- */

#ifdef EPHW_STEP_MARKS
#if (EPHW_STEP_MARKS_MAX & (EPHW_STEP_MARKS_MAX - 1u)) != 0
#error "EPHW_STEP_MARKS_MAX must be a power of two"
#endif
/* Per mark: SysTick's current value, its control register (COUNTFLAG: a wrap the handler has not counted yet), the
 * current value again after that read, the wraps counted, and DWT->CYCCNT where the core has one. */
#define EPHW_MARK_WORDS 5u
static uint32_t ephw_marks[EPHW_STEP_MARKS_MAX][EPHW_MARK_WORDS];
static unsigned ephw_mark_next;

/* No branch: the same instructions on every call (the slot index wraps instead of being checked). */
void ephw_step_mark(void) {
  uint32_t primask = irq_save();
  uint32_t *slot = ephw_marks[ephw_mark_next++ & (EPHW_STEP_MARKS_MAX - 1u)];
  slot[0] = SYST_CVR;
  slot[1] = SYST_CSR;
  slot[2] = SYST_CVR;
  slot[3] = ephw_systick_wraps;
#if EPHW_HAVE_DWT
  slot[4] = DWT_CYCCNT;
#endif
  irq_restore(primask);
}

void ephw_step_marks_reset(void) {
  ephw_mark_next = 0;
}

unsigned ephw_step_marks_count(void) {
  return ephw_mark_next;
}

/* As ephw_counter_read would have read at the mark: a set COUNTFLAG means a wrap not yet counted, and then the value
 * read after it is the one after that wrap. */
uint64_t ephw_step_mark_ticks(unsigned i) {
  const uint32_t *slot = ephw_marks[i & (EPHW_STEP_MARKS_MAX - 1u)];
#if EPHW_HAVE_DWT
  if (ephw_use_dwt) return slot[4];
#endif
  uint32_t wrapped = (slot[1] & SYST_COUNTFLAG) ? 1u : 0u;
  uint32_t value = wrapped ? slot[2] : slot[0];
  return (uint64_t)(slot[3] + wrapped) * (SYST_RELOAD + 1u) + (SYST_RELOAD - value);
}
#endif

/* ---- stack ---- */

extern uint32_t __stack_limit, __StackTop;

static uint32_t *window_bottom(void) {
  uintptr_t top = (uintptr_t)&__StackTop;
  uintptr_t limit = (uintptr_t)&__stack_limit;
  uintptr_t bottom = top - limit > EPHW_STACK_WINDOW ? top - EPHW_STACK_WINDOW : limit;
  return (uint32_t *)bottom;
}

uint32_t ephw_stack_window(void) {
  return (uint32_t)((uintptr_t)&__StackTop - (uintptr_t)window_bottom());
}

__attribute__((noinline)) void ephw_stack_paint(void) {
  uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  volatile uint32_t *p = window_bottom();
  volatile uint32_t *end = (volatile uint32_t *)(sp & ~(uintptr_t)3u);
  while (p < end) *p++ = EPHW_STACK_PATTERN;
}

int ephw_stack_used(uintptr_t sp_at_call, uint32_t *model_bytes, uint32_t *total_bytes) {
  const volatile uint32_t *p = window_bottom();
  const volatile uint32_t *top = &__StackTop;
  while (p < top && *p == EPHW_STACK_PATTERN) p++;
  uintptr_t deepest = (uintptr_t)p;
  *model_bytes = sp_at_call > deepest ? (uint32_t)(sp_at_call - deepest) : 0u;
  *total_bytes = (uint32_t)((uintptr_t)top - deepest);
  return 1;
}

/* ---- semihosting: host files and the exit status ---- */

/* One semihosting call. QEMU needs -semihosting-config enable=on,target=native; without a
 * debugger a real core faults here. */
static uint32_t semihost(uint32_t op, volatile uint32_t *block) {
  register uint32_t r0 __asm__("r0") = op;
  register volatile uint32_t *r1 __asm__("r1") = block;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

#define SYS_OPEN 0x01u
#define SYS_CLOSE 0x02u
#define SYS_WRITE 0x05u
#define SYS_READ 0x06u
#define SYS_EXIT_EXTENDED 0x20u

int ephw_file_open(const char *path, int for_writing) {
  uint32_t len = 0;
  while (path[len]) len++;
  volatile uint32_t block[3] = {(uint32_t)(uintptr_t)path, for_writing ? 5u /* "wb" */ : 1u /* "rb" */, len};
  return (int)semihost(SYS_OPEN, block);
}

int ephw_file_read(int handle, void *buf, unsigned n) {
  volatile uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, n};
  return semihost(SYS_READ, block) == 0 ? 0 : -1; /* returns the bytes NOT read */
}

int ephw_file_write(int handle, const void *buf, unsigned n) {
  volatile uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, n};
  return semihost(SYS_WRITE, block) == 0 ? 0 : -1; /* returns the bytes NOT written */
}

void ephw_file_close(int handle) {
  volatile uint32_t block[1] = {(uint32_t)handle};
  (void)semihost(SYS_CLOSE, block);
}

void ephw_exit(int code) {
  ephw_flush();
  /* SYS_EXIT_EXTENDED: {ADP_Stopped_ApplicationExit, code}; QEMU exits with `code`. */
  volatile uint32_t block[2] = {0x20026u, (uint32_t)code};
  (void)semihost(SYS_EXIT_EXTENDED, block);
  for (;;) {
  }
}
