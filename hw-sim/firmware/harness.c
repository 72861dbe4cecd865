/* edgeprune hw-sim test harness: serves the linked model libraries over a line protocol, on a
 * Cortex-M target (UART) or on the host (stdin/stdout). No printf: numbers are formatted here.
 *
 * Protocol v1. The host sends one ASCII command per line ('\n' ends a line, '\r' is ignored); the
 * firmware never talks first and answers every command. Every reply line starts with "@EP " so
 * that stray output cannot be taken for a reply. Numbers are decimal, data is lowercase hex.
 *
 *   P <nonce>          -> @EP PONG <nonce> 1                       (1 = protocol version)
 *   D                  -> @EP DESC <models> <counter> <stack window|->   (counter: systick | dwt | none)
 *                         @EP MODEL <k> <name> <nin> <nout> <in0 bytes>.. <out0 bytes>..   (per model)
 *   R <k> <hex>...     -> @EP OUT <i> <hex>                        (per output, in order)
 *                         @EP RUN <status> <ticks|-> <model stack|-> <total stack|->
 *   F <k> <in> <out>   -> @EP RUN ...                              (inputs from, outputs to host files)
 *   B <k> <n> <in> <out> -> @EP RUN ... (per run), @EP DONE <n>    (n runs, inputs and outputs one after another in the files)
 *   X <code>           -> @EP BYE <code>, then the program exits with <code>
 *   anything wrong     -> @EP ERR <reason words...>
 *   after a CPU fault  -> @EP FAULT <what> <pc hex> <detail hex>   (to every command but X)
 *
 * A trace build (-DEPHW_TRACE, with a model.c compiled by `edgeprune verify --trace`) answers R with
 * one more line per output of each layer step, in execution order, before the OUT lines:
 *   @EP TRACE <step> <output> <hex>    (the step's output <output> as it is in the arena)
 * F runs of a trace build send the same TRACE lines before their RUN line (the outputs go to the file).
 *
 * A step-marks build (-DEPHW_STEP_MARKS, with a model.c that calls ephw_step_mark before its first layer step and after
 * each: harness.h) answers R, F and B runs with one more line just before each RUN line:
 *   @EP MARKS <n> <ticks>...           (n marks; each one's counter value since the run's start, at most
 *                                       EPHW_STEP_MARKS_MAX of them: fewer values than n means the slots wrapped)
 * and one more command, the cost of one mark (the counter over n loop turns of one mark, then of two marks):
 *   K <n>              -> @EP MARKCOST <n> <ticks one> <ticks two>
 *
 * R takes one hex string per model input, exactly <input bytes> * 2 digits each, written straight
 * into the model's input buffers; <status> is <prefix>_run's return value; <ticks> is the counter
 * named in DESC over the run; the stack figures are bytes below the run's call site (the model's
 * own use) and below the top of the stack (the firmware's high-water mark); only the top <stack
 * window> bytes of the stack are painted, so a figure equal to the window means "at least".
 * F is R with the data in host files (the inputs concatenated in <in>, the outputs written
 * concatenated to <out>; paths without blanks): semihosting under QEMU, where it is much faster
 * than the UART (QEMU feeds a guest UART one byte per main-loop turn). Never for a real board. B is
 * F for <n> vectors with one command: the inputs of run i follow those of run i-1 in <in>, the
 * outputs likewise in <out>; DONE comes after both files are closed (an error ends the batch with ERR). */
#include "harness.h"

#include <stdint.h>

#define EPHW_PROTOCOL_VERSION 1u
#define EPHW_PATH_MAX 192

/* ---- input: one byte of lookahead ---- */

#define EPHW_NONE (-2)
static int ephw_la = EPHW_NONE;

static int peekc(void) {
  if (ephw_la == EPHW_NONE) ephw_la = ephw_getc();
  return ephw_la;
}

static int nextc(void) {
  int c = peekc();
  ephw_la = EPHW_NONE;
  return c;
}

static void skip_blanks(void) {
  for (;;) {
    int c = peekc();
    if (c != ' ' && c != '\t' && c != '\r') return;
    nextc();
  }
}

/* Drop the rest of the current line (after an error), '\n' included. */
static void skip_line(void) {
  for (;;) {
    int c = nextc();
    if (c == '\n' || c < 0) return;
  }
}

/* At the end of the line (blanks allowed): consume the '\n' and return 1. */
static int end_of_line(void) {
  skip_blanks();
  int c = peekc();
  if (c == '\n' || c < 0) {
    nextc();
    return 1;
  }
  return 0;
}

static int read_uint(uint32_t *out) {
  skip_blanks();
  int c = peekc();
  if (c < '0' || c > '9') return 0;
  uint32_t v = 0;
  while (c >= '0' && c <= '9') {
    if (v > 429496728u) return 0; /* would overflow */
    v = v * 10u + (uint32_t)(c - '0');
    nextc();
    c = peekc();
  }
  *out = v;
  return 1;
}

static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* ---- output ---- */

static void put_str(const char *s) {
  while (*s) ephw_putc(*s++);
}

static void put_u64(uint64_t v) {
  /* Decimal without a 64-bit division (no libgcc helper needed on a Cortex-M). */
  static const uint64_t pow10[] = {
    10000000000000000000ull, 1000000000000000000ull, 100000000000000000ull, 10000000000000000ull,
    1000000000000000ull, 100000000000000ull, 10000000000000ull, 1000000000000ull, 100000000000ull,
    10000000000ull, 1000000000ull, 100000000ull, 10000000ull, 1000000ull, 100000ull, 10000ull,
    1000ull, 100ull, 10ull, 1ull,
  };
  int started = 0;
  for (unsigned i = 0; i < sizeof pow10 / sizeof pow10[0]; i++) {
    int digit = 0;
    while (v >= pow10[i]) {
      v -= pow10[i];
      digit++;
    }
    if (digit || started || pow10[i] == 1ull) {
      ephw_putc('0' + digit);
      started = 1;
    }
  }
}

static void put_int(int32_t v) {
  if (v < 0) {
    ephw_putc('-');
    put_u64((uint64_t)(-(int64_t)v));
  } else {
    put_u64((uint64_t)v);
  }
}

static const char ephw_hex_digits[] = "0123456789abcdef";

static void put_hex32(uint32_t v) {
  for (int shift = 28; shift >= 0; shift -= 4) ephw_putc(ephw_hex_digits[(v >> shift) & 0xfu]);
}

static void put_hex_bytes(const uint8_t *p, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    ephw_putc(ephw_hex_digits[p[i] >> 4]);
    ephw_putc(ephw_hex_digits[p[i] & 0xfu]);
  }
}

static void reply_begin(const char *tag) {
  put_str("@EP ");
  put_str(tag);
}

static void reply_end(void) {
  ephw_putc('\n');
  ephw_flush();
}

/* An error reply; the rest of the offending line is dropped first. */
static void reply_error(const char *reason, int line_consumed) {
  if (!line_consumed) skip_line();
  reply_begin("ERR ");
  put_str(reason);
  reply_end();
}

#ifdef EPHW_TRACE
/* Called by a trace build's model.c after each step, for each of its outputs. */
void ephw_trace_value(unsigned step, unsigned output, const void *data, unsigned bytes) {
  reply_begin("TRACE ");
  put_u64((uint64_t)step);
  put_str(" ");
  put_u64((uint64_t)output);
  put_str(" ");
  put_hex_bytes((const uint8_t *)data, bytes);
  reply_end();
}
#endif

#ifdef EPHW_STEP_MARKS
/* The MARKS line of a step-marks build, after a run. */
static void put_marks(void) {
  unsigned n = ephw_step_marks_count();
  unsigned shown = n < EPHW_STEP_MARKS_MAX ? n : EPHW_STEP_MARKS_MAX;
  reply_begin("MARKS ");
  put_u64((uint64_t)n);
  for (unsigned i = 0; i < shown; i++) {
    put_str(" ");
    put_u64(ephw_step_mark_ticks(i));
  }
  reply_end();
}

/* The loops of K: the same loop with one call of the mark per turn, and with two (kept out of line, alike). */
static __attribute__((noinline)) void mark_loop_once(uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    ephw_step_mark();
  }
}

static __attribute__((noinline)) void mark_loop_twice(uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    ephw_step_mark();
    ephw_step_mark();
  }
}

/* K <n>: the difference of the two counts is n marks (the loops' own instructions are the same in both). */
static void cmd_mark_cost(void) {
  uint32_t n;
  if (!read_uint(&n) || !end_of_line()) {
    reply_error("usage: K <turns>", 0);
    return;
  }
  ephw_counter_start();
  mark_loop_once(n);
  uint64_t once = ephw_counter_read();
  ephw_counter_start();
  mark_loop_twice(n);
  uint64_t twice = ephw_counter_read();
  ephw_step_marks_reset();
  reply_begin("MARKCOST ");
  put_u64((uint64_t)n);
  put_str(" ");
  put_u64(once);
  put_str(" ");
  put_u64(twice);
  reply_end();
}
#endif

/* ---- commands ---- */

static void cmd_ping(void) {
  uint32_t nonce;
  if (!read_uint(&nonce) || !end_of_line()) {
    reply_error("usage: P <nonce>", 0);
    return;
  }
  reply_begin("PONG ");
  put_u64(nonce);
  put_str(" ");
  put_u64(EPHW_PROTOCOL_VERSION);
  reply_end();
}

static void cmd_describe(void) {
  if (!end_of_line()) {
    reply_error("usage: D", 0);
    return;
  }
  reply_begin("DESC ");
  put_u64((uint64_t)ephw_num_models);
  put_str(" ");
  put_str(ephw_counter_kind());
  put_str(" ");
  if (ephw_stack_window()) put_u64(ephw_stack_window());
  else put_str("-");
  reply_end();
  for (int k = 0; k < ephw_num_models; k++) {
    const ephw_model_t *m = &ephw_models[k];
    reply_begin("MODEL ");
    put_u64((uint64_t)k);
    put_str(" ");
    put_str(m->name);
    put_str(" ");
    put_u64((uint64_t)m->num_inputs);
    put_str(" ");
    put_u64((uint64_t)m->num_outputs);
    for (int i = 0; i < m->num_inputs; i++) {
      put_str(" ");
      put_u64(m->input_bytes(i));
    }
    for (int i = 0; i < m->num_outputs; i++) {
      put_str(" ");
      put_u64(m->output_bytes(i));
    }
    reply_end();
  }
}

/* Read one input's hex digits straight into the model's buffer. */
static int read_input(const ephw_model_t *m, int i) {
  int c = peekc();
  if (c != ' ' && c != '\t') return 0;
  skip_blanks();
  uint8_t *dst = (uint8_t *)m->input(i);
  unsigned n = m->input_bytes(i);
  for (unsigned j = 0; j < n; j++) {
    int hi = hex_value(peekc());
    if (hi < 0) return 0;
    nextc();
    int lo = hex_value(peekc());
    if (lo < 0) return 0;
    nextc();
    dst[j] = (uint8_t)(hi << 4 | lo);
  }
  /* The string must end here. */
  c = peekc();
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c < 0;
}

/* Kept out of line so that the run's stack pointer is read in the frame that calls the model. */
/* Run model m once and answer RUN; its outputs go to the open file out_handle, or as OUT lines when it is
 * negative. Returns 0, or -1 after answering ERR (the outputs could not be written). */
static __attribute__((noinline)) int run_model(const ephw_model_t *m, int out_handle) {
  ephw_stack_paint();
  uintptr_t sp = 0;
#if defined(__arm__)
  __asm__ volatile("mov %0, sp" : "=r"(sp));
#endif
#ifdef EPHW_STEP_MARKS
  ephw_step_marks_reset();
#endif
  ephw_counter_start();
  int rc = m->run();
  uint64_t ticks = ephw_counter_read();
  uint32_t model_stack = 0, total_stack = 0;
  int have_stack = ephw_stack_used(sp, &model_stack, &total_stack);
  int have_counter = ephw_counter_kind()[0] != 'n';

  if (out_handle >= 0) {
    int bad = 0;
    for (int i = 0; i < m->num_outputs && !bad; i++) bad = ephw_file_write(out_handle, m->output(i), m->output_bytes(i)) != 0;
    if (bad) {
      reply_error("cannot write the output file", 1);
      return -1;
    }
  } else {
    for (int i = 0; i < m->num_outputs; i++) {
      reply_begin("OUT ");
      put_u64((uint64_t)i);
      put_str(" ");
      put_hex_bytes((const uint8_t *)m->output(i), m->output_bytes(i));
      reply_end();
    }
  }
#ifdef EPHW_STEP_MARKS
  put_marks();
#endif
  reply_begin("RUN ");
  put_int(rc);
  put_str(" ");
  if (have_counter) put_u64(ticks);
  else put_str("-");
  if (have_stack) {
    put_str(" ");
    put_u64(model_stack);
    put_str(" ");
    put_u64(total_stack);
  } else {
    put_str(" - -");
  }
  reply_end();
  return 0;
}

static void cmd_run(void) {
  uint32_t k;
  if (!read_uint(&k)) {
    reply_error("usage: R <model> <hex>...", 0);
    return;
  }
  if (k >= (uint32_t)ephw_num_models) {
    reply_error("no such model", 0);
    return;
  }
  const ephw_model_t *m = &ephw_models[k];
  for (int i = 0; i < m->num_inputs; i++) {
    if (!read_input(m, i)) {
      reply_error("bad input: expected one hex string of input_bytes*2 digits per input", 0);
      return;
    }
  }
  if (!end_of_line()) {
    reply_error("bad input: more inputs than the model has", 0);
    return;
  }
  (void)run_model(m, -1);
}

/* A blank-free token of at most EPHW_PATH_MAX - 1 characters. */
static int read_token(char *dst) {
  skip_blanks();
  unsigned n = 0;
  for (int c = peekc(); c > ' '; c = peekc()) {
    if (n + 1 >= EPHW_PATH_MAX) return 0;
    dst[n++] = (char)c;
    nextc();
  }
  dst[n] = 0;
  return n > 0;
}

static char ephw_in_path[EPHW_PATH_MAX], ephw_out_path[EPHW_PATH_MAX];

static void cmd_file_run(void) {
  uint32_t k;
  if (!read_uint(&k) || !read_token(ephw_in_path) || !read_token(ephw_out_path) || !end_of_line()) {
    reply_error("usage: F <model> <input file> <output file>", 0);
    return;
  }
  if (k >= (uint32_t)ephw_num_models) {
    reply_error("no such model", 1);
    return;
  }
  const ephw_model_t *m = &ephw_models[k];
  int h = ephw_file_open(ephw_in_path, 0);
  if (h < 0) {
    reply_error("cannot open the input file", 1);
    return;
  }
  int bad = 0;
  for (int i = 0; i < m->num_inputs && !bad; i++) bad = ephw_file_read(h, m->input(i), m->input_bytes(i)) != 0;
  ephw_file_close(h);
  if (bad) {
    reply_error("the input file is shorter than the model's inputs", 1);
    return;
  }
  int out = ephw_file_open(ephw_out_path, 1);
  if (out < 0) {
    reply_error("cannot write the output file", 1);
    return;
  }
  (void)run_model(m, out);
  ephw_file_close(out);
}

static void cmd_batch_run(void) {
  uint32_t k, n;
  if (!read_uint(&k) || !read_uint(&n) || !read_token(ephw_in_path) || !read_token(ephw_out_path) || !end_of_line()) {
    reply_error("usage: B <model> <count> <input file> <output file>", 0);
    return;
  }
  if (k >= (uint32_t)ephw_num_models) {
    reply_error("no such model", 1);
    return;
  }
  const ephw_model_t *m = &ephw_models[k];
  int in = ephw_file_open(ephw_in_path, 0);
  if (in < 0) {
    reply_error("cannot open the input file", 1);
    return;
  }
  int out = ephw_file_open(ephw_out_path, 1);
  if (out < 0) {
    ephw_file_close(in);
    reply_error("cannot write the output file", 1);
    return;
  }
  uint32_t done = 0;
  int failed = 0;
  while (done < n && !failed) {
    for (int i = 0; i < m->num_inputs && !failed; i++) failed = ephw_file_read(in, m->input(i), m->input_bytes(i)) != 0;
    if (failed) {
      reply_error("the input file is shorter than the model's inputs", 1);
      break;
    }
    failed = run_model(m, out) != 0;
    if (!failed) done++;
  }
  ephw_file_close(in);
  ephw_file_close(out);
  if (failed) return;
  reply_begin("DONE ");
  put_u64(done);
  reply_end();
}

static void cmd_exit(void) {
  uint32_t code;
  if (!read_uint(&code) || !end_of_line()) {
    reply_error("usage: X <code>", 0);
    return;
  }
  reply_begin("BYE ");
  put_u64(code);
  reply_end();
  ephw_exit((int)code);
}

/* Skip blank lines; returns the command letter (consumed) or a negative value at end of input. */
static int next_command(void) {
  for (;;) {
    skip_blanks();
    int c = nextc();
    if (c != '\n') return c;
  }
}

int main(void) {
  ephw_platform_init();
  for (;;) {
    int c = next_command();
    switch (c) {
      case 'P': cmd_ping(); break;
      case 'D': cmd_describe(); break;
      case 'R': cmd_run(); break;
      case 'F': cmd_file_run(); break;
      case 'B': cmd_batch_run(); break;
      case 'X': cmd_exit(); break;
#ifdef EPHW_STEP_MARKS
      case 'K': cmd_mark_cost(); break;
#endif
      default:
        if (c < 0) ephw_exit(0); /* the host closed our input */
        reply_error("unknown command", 0);
        break;
    }
  }
}

void ephw_fault_loop(const char *what, uint32_t pc, uint32_t detail) {
  ephw_la = EPHW_NONE;
  for (;;) {
    reply_begin("FAULT ");
    put_str(what);
    put_str(" ");
    put_hex32(pc);
    put_str(" ");
    put_hex32(detail);
    reply_end();
    int c = next_command();
    if (c < 0) ephw_exit(1);
    if (c == 'X') cmd_exit(); /* returns only on a malformed X */
    else skip_line();
  }
}
