/* edgeprune hw-sim host platform layer: the harness over stdin/stdout (a host gcc build, for the
 * same protocol without a board). No counter and no stack measurement on the host. */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

void ephw_platform_init(void) {
}

int ephw_getc(void) {
  int c = getchar();
  return c == EOF ? -1 : c;
}

void ephw_putc(int c) {
  putchar(c);
}

void ephw_flush(void) {
  fflush(stdout);
}

const char *ephw_counter_kind(void) {
  return "none";
}

void ephw_counter_start(void) {
}

uint64_t ephw_counter_read(void) {
  return 0;
}

uint32_t ephw_stack_window(void) {
  return 0;
}

void ephw_stack_paint(void) {
}

int ephw_stack_used(uintptr_t sp_at_call, uint32_t *model_bytes, uint32_t *total_bytes) {
  (void)sp_at_call;
  *model_bytes = 0;
  *total_bytes = 0;
  return 0;
}

void ephw_exit(int code) {
  fflush(stdout);
  exit(code);
}
