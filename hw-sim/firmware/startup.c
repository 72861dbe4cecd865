/* edgeprune hw-sim Cortex-M startup: vector table, reset handler (FPU on, .data copied, .bss
 * zeroed, stack painted, main called) and fault handlers that report over the harness protocol.
 * Our own, not newlib's crt0 (which does not copy .data and moves the stack). Linker symbols come
 * from link.ld.hbs. */
#include <stdint.h>

#include "harness.h"

extern uint32_t __StackTop;
extern uint32_t __data_start, __data_end, __data_load;
extern uint32_t __bss_start, __bss_end;

int main(void);
void Reset_Handler(void);
void ephw_fault_entry(void);
void SysTick_Handler(void);
void ephw_default_handler(void);


typedef void (*ephw_vector_t)(void);

/* Core exceptions only: the harness enables no peripheral interrupt. */
__attribute__((section(".vectors"), used)) const ephw_vector_t ephw_vectors[16] = {
  (ephw_vector_t)(uintptr_t)&__StackTop, /* initial MSP */
  Reset_Handler,
  ephw_fault_entry, /* NMI */
  ephw_fault_entry, /* HardFault */
  ephw_fault_entry, /* MemManage */
  ephw_fault_entry, /* BusFault */
  ephw_fault_entry, /* UsageFault */
  ephw_fault_entry, /* SecureFault (v8-M) */
  0, 0, 0,
  ephw_default_handler, /* SVCall */
  ephw_default_handler, /* DebugMonitor */
  0,
  ephw_default_handler, /* PendSV */
  SysTick_Handler,
};

/* C part of the reset: runs on the stack set by Reset_Handler, with the FPU already on. */
__attribute__((noreturn, used, optimize("no-tree-loop-distribute-patterns"))) void ephw_c_start(void) {
  uint32_t *src = &__data_load;
  for (uint32_t *dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
  for (uint32_t *dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
  *(volatile uint32_t *)0xE000ED08u = (uint32_t)(uintptr_t)ephw_vectors; /* SCB->VTOR */
#endif
  ephw_stack_paint();
  main();
  ephw_exit(0);
}

/* Reset: enable the FPU before any compiled code can touch it (CPACR CP10/CP11 full access, then
 * dsb/isb), set the stack pointer (a debugger may enter here without the vector's MSP), go to C. */
__attribute__((naked, noreturn)) void Reset_Handler(void) {
  __asm__ volatile(
#if defined(__ARM_FP)
      "ldr r0, =0xE000ED88\n"
      "ldr r1, [r0]\n"
      "ldr r2, =0x00F00000\n"
      "orrs r1, r1, r2\n"
      "str r1, [r0]\n"
      "dsb\n"
      "isb\n"
#endif
      "ldr r0, =__StackTop\n"
      "mov sp, r0\n"
      "bl ephw_c_start\n"
      "b .\n"
      ".ltorg\n");
}

/* Faults: find the stacked frame (MSP or PSP by EXC_RETURN bit 2) and report. Thumb-1 only, so
 * that it also assembles for v6-M. */
__attribute__((naked)) void ephw_fault_entry(void) {
  __asm__ volatile(
      "movs r0, #4\n"
      "mov r1, lr\n"
      "tst r0, r1\n"
      "beq 1f\n"
      "mrs r0, psp\n"
      "b 2f\n"
      "1: mrs r0, msp\n"
      "2: mrs r1, ipsr\n"
      "ldr r2, =ephw_fault_report\n"
      "bx r2\n"
      ".ltorg\n");
}

__attribute__((noreturn, used)) void ephw_fault_report(const uint32_t *frame, uint32_t ipsr) {
  static const char *const names[] = {"thread", "reset", "nmi", "hardfault", "memmanage", "busfault", "usagefault", "securefault"};
  uint32_t n = ipsr & 0x1ffu;
  const char *what = n < 8 ? names[n] : "exception";
  uint32_t detail = 0;
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
  detail = *(volatile uint32_t *)0xE000ED28u; /* CFSR: which fault, and why */
#endif
  ephw_fault_loop(what, frame[6], detail); /* frame[6] = stacked PC */
}

void ephw_default_handler(void) {
  ephw_fault_loop("unexpected-exception", 0, 0);
}
