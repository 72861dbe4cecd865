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

#ifdef EPHW_STEP_MARKS
/* No counter on the host: marks are counted, their ticks are 0. */
static unsigned ephw_mark_next;

void ephw_step_mark(void) {
  ephw_mark_next++;
}

void ephw_step_marks_reset(void) {
  ephw_mark_next = 0;
}

unsigned ephw_step_marks_count(void) {
  return ephw_mark_next;
}

uint64_t ephw_step_mark_ticks(unsigned i) {
  (void)i;
  return 0;
}
#endif

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

static FILE *ephw_files[4];

int ephw_file_open(const char *path, int for_writing) {
  for (int h = 0; h < 4; h++) {
    if (ephw_files[h]) continue;
    ephw_files[h] = fopen(path, for_writing ? "wb" : "rb");
    if (!ephw_files[h]) return -1;
    /* Unbuffered output: an F run answers RUN before its file is closed, and the host reads the file on RUN (as
     * semihosting's writes on the target, each write is in the file when it returns). */
    if (for_writing) setvbuf(ephw_files[h], NULL, _IONBF, 0);
    return h;
  }
  return -1;
}

int ephw_file_read(int handle, void *buf, unsigned n) {
  return fread(buf, 1, n, ephw_files[handle]) == n ? 0 : -1;
}

int ephw_file_write(int handle, const void *buf, unsigned n) {
  return fwrite(buf, 1, n, ephw_files[handle]) == n ? 0 : -1;
}

void ephw_file_close(int handle) {
  fclose(ephw_files[handle]);
  ephw_files[handle] = NULL;
}

void ephw_exit(int code) {
  fflush(stdout);
  exit(code);
}
