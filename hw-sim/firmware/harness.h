/* edgeprune hw-sim test harness: the table of linked model libraries, and the platform layer the
 * harness runs on (a Cortex-M target over its UART, or the host over stdin/stdout).
 * Every symbol here starts with ephw_ / EPHW_ so that it cannot clash with a model library's
 * prefix or with the kernels' ep_ names. The protocol is described in harness.c. */
#ifndef EPHW_HARNESS_H
#define EPHW_HARNESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One model library linked into the firmware (see docs/c-backend.md for the model API). */
typedef struct {
  const char *name;                    /* a token: letters, digits, '_', '-', '.' */
  int (*run)(void);                    /* <prefix>_run: 0 = success */
  void *(*input)(int index);           /* <prefix>_input */
  const void *(*output)(int index);    /* <prefix>_output */
  unsigned (*input_bytes)(int index);  /* <prefix>_input_bytes */
  unsigned (*output_bytes)(int index); /* <prefix>_output_bytes */
  int num_inputs;                      /* <PREFIX>_NUM_INPUTS */
  int num_outputs;                     /* <PREFIX>_NUM_OUTPUTS */
} ephw_model_t;

/* The generated table (harness_models.c, from harness_models.c.hbs). */
extern const ephw_model_t ephw_models[];
extern const int ephw_num_models;

/* ---- platform layer: platform_arm.c + uart_<driver>.c on a target, platform_host.c on the host ---- */

/* Bring up the I/O channel and the counter; called once at the start of main. */
void ephw_platform_init(void);
/* Blocking byte read; a negative value means the channel is closed (host only). */
int ephw_getc(void);
void ephw_putc(int c);
/* Push out everything written so far (end of a reply). */
void ephw_flush(void);

/* Which counter ephw_counter_* uses: "systick" (SysTick ticks at the core clock: under QEMU's
 * -icount shift=0 one instruction is 1 ns), "dwt" (DWT->CYCCNT core cycles), or "none". */
const char *ephw_counter_kind(void);
/* Restart the counter from zero (same phase every time, so that runs are repeatable). */
void ephw_counter_start(void);
/* Ticks since ephw_counter_start. */
uint64_t ephw_counter_read(void);

/* A step-marks build (-DEPHW_STEP_MARKS, with a model.c compiled by edgeprune with step marks): model.c calls
 * ephw_step_mark() before its first layer step and after each one; every call stores the counter's raw registers in
 * the next of EPHW_STEP_MARKS_MAX slots, in the same instructions whatever the data and whatever the counter reads (no
 * branch), so that the step between two marks is their difference less one mark's cost (the K command measures it).
 * ephw_step_marks_reset empties the slots (before a run); ephw_step_mark_ticks gives slot i as ticks since
 * ephw_counter_start. */
#define EPHW_STEP_MARKS_MAX 256u
void ephw_step_mark(void);
void ephw_step_marks_reset(void);
unsigned ephw_step_marks_count(void);
uint64_t ephw_step_mark_ticks(unsigned i);

/* Bytes of stack painted and scanned for the high-water mark (the top of the stack region, at most
 * EPHW_STACK_WINDOW); 0 when stack measurement is not available (host). */
uint32_t ephw_stack_window(void);
/* Repaint the free stack below the caller's frame before a run. */
void ephw_stack_paint(void);
/* After a run: bytes of stack used below `sp_at_call` (the model's own use, exception frames
 * included) and below the top of the stack (the whole firmware's high-water mark).
 * Returns 0 when stack measurement is not available (host). */
int ephw_stack_used(uintptr_t sp_at_call, uint32_t *model_bytes, uint32_t *total_bytes);

/* Host files, for the F command (bulk transfer under QEMU: semihosting on a target, stdio on the
 * host; a real board without a debugger faults here, so the host never sends F to one).
 * open returns a handle >= 0 or -1; read/write return 0 when all n bytes were transferred. */
int ephw_file_open(const char *path, int for_writing);
int ephw_file_read(int handle, void *buf, unsigned n);
int ephw_file_write(int handle, const void *buf, unsigned n);
void ephw_file_close(int handle);

/* End the program with an exit status (semihosting SYS_EXIT_EXTENDED on a target). */
void ephw_exit(int code) __attribute__((noreturn));

/* The harness's command loop: main() on every platform. Also entered by the target's fault
 * handler, which answers every command with the fault line until told to exit. */
void ephw_fault_loop(const char *what, uint32_t pc, uint32_t detail) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* EPHW_HARNESS_H */
