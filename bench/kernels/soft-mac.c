/* Bench firmware (QEMU lm3s6965evb, Cortex-M3, soft float): EP_MAC's assembly multiply then add (ep_mac_thumb2.h)
 * against libgcc's `acc + x * w` on SOFT_MAC_TRIPLES triples of each class below, bit for bit, and the instructions
 * per multiply-accumulate of a dot product on each kind of operand. Prints "<label> <number>" lines.
 * With -DSOFT_MAC_CT=1 EP_MAC is the constant-time one (ep_mac_ct.h), whose NaN results are the default NaN: a NaN
 * then matches any NaN, as verify compares. */
#include <stdint.h>
#include <string.h>
#if SOFT_MAC_CT
#include "ep_mac_ct.h"
#endif
#include "bench.h"
#include "ep_mac.h"

#if !EP_MAC_THUMB2
#error "soft-mac.c checks ep_mac_thumb2.h: build it for a Thumb-2 M-profile core without an FPU"
#endif
#ifndef SOFT_MAC_CT
#define SOFT_MAC_CT 0
#endif
#ifndef SOFT_MAC_TRIPLES
#define SOFT_MAC_TRIPLES 10000
#endif

static uint32_t state = 2463534242u;
static uint32_t rnd(void) { /* xorshift32 */
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}
static uint32_t below(uint32_t n) { return rnd() % n; }
static uint32_t bits_of(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}
static float float_of(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}
static uint32_t clamp_exponent(int32_t e) { return e < 1 ? 1u : e > 254 ? 254u : (uint32_t)e; }
/* A normal float of random sign with biased exponent e and `significant` (1..24) leading significand bits, the
 * others 0: few significant bits make exact products and sums, and ties, frequent. */
static uint32_t normal(uint32_t e, uint32_t significant) {
  const uint32_t mask = 0x7fffffu & ~((1u << (24u - significant)) - 1u);
  return (rnd() & 0x80000000u) | (e << 23) | (rnd() & mask);
}
static uint32_t any_normal(uint32_t e) { return normal(e, 1 + below(24)); }

static const uint32_t SPECIAL[] = {
    0x00000000u, 0x80000000u, 0x00000001u, 0x807fffffu, 0x00400000u, 0x00800000u, 0x80800000u, 0x7f7fffffu, 0xff7fffffu,
    0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00001u, 0x7f800001u, 0x3f800000u, 0xbf800000u, 0x33800000u, 0x0c000000u,
};
#define SPECIALS (sizeof SPECIAL / sizeof SPECIAL[0])

static uint32_t mismatches, first[5];
static void check(uint32_t xb, uint32_t wb, uint32_t ab) {
  const float x = float_of(xb), w = float_of(wb), acc = float_of(ab);
  volatile float want = acc + x * w; /* libgcc's __aeabi_fmul then __aeabi_fadd */
  const float got = EP_MAC(x, w, acc);
  const int nans = SOFT_MAC_CT && got != got && want != want;
  if (bits_of(got) != bits_of(want) && !nans && mismatches++ == 0) {
    first[0] = xb, first[1] = wb, first[2] = ab, first[3] = bits_of(got), first[4] = bits_of(want);
  }
}
/* "mismatches:<name> n", and when n > 0 "first:<name>:x" ... "first:<name>:want" (the bits). */
static void report(const char *name) {
  char label[64] = "mismatches:";
  strncat(label, name, sizeof label - strlen(label) - 1);
  bench_report(label, mismatches);
  static const char *const what[5] = {":x", ":w", ":acc", ":got", ":want"};
  for (int i = 0; mismatches && i < 5; i++) {
    strcpy(label, "first:");
    strncat(label, name, sizeof label - strlen(label) - 8);
    strcat(label, what[i]);
    bench_report(label, first[i]);
  }
  mismatches = 0;
}

static void check_classes(void) {
  for (int i = 0; i < SOFT_MAC_TRIPLES; i++) check(rnd(), rnd(), rnd()); /* every kind of value, NaN payloads too */
  report("random-bits");
  for (int i = 0; i < SOFT_MAC_TRIPLES; i++) check(normal(110 + below(30), 24), normal(110 + below(30), 24), normal(100 + below(60), 24));
  report("typical");
  for (int i = 0; i < SOFT_MAC_TRIPLES; i++) { /* acc within 4 units in the last place of -x * w, or its exponent +-1 */
    const uint32_t xb = any_normal(100 + below(50)), wb = any_normal(100 + below(50));
    const uint32_t minus_p = bits_of(float_of(xb) * float_of(wb)) ^ 0x80000000u;
    const uint32_t near = minus_p + below(9) - 4u;
    const uint32_t exponent = clamp_exponent((int32_t)((minus_p >> 23) & 0xff) + (int32_t)below(3) - 1);
    check(xb, wb, (rnd() & 1) ? near : (near & 0x807fffffu) | exponent << 23);
  }
  report("cancellation");
  for (int i = 0; i < SOFT_MAC_TRIPLES; i++) { /* exponent differences from -4 to 27, few significant bits */
    const uint32_t ex = 100 + below(50), ew = 100 + below(50);
    check(any_normal(ex), any_normal(ew), any_normal(clamp_exponent((int32_t)(ex + ew) - 127 + (int32_t)below(32) - 4)));
  }
  report("ties-and-gaps");
  for (int i = 0; i < SOFT_MAC_TRIPLES; i++) { /* products and sums near overflow or underflow */
    const int high = (int)(rnd() & 1);
    const uint32_t ex = high ? 127 + below(128) : 1 + below(127);
    const int32_t product = high ? 250 + (int32_t)below(6) : (int32_t)below(5);
    const uint32_t ew = clamp_exponent(product + 127 - (int32_t)ex);
    const uint32_t ea = high ? 248 + below(7) : 1 + below(4);
    check(any_normal(ex), any_normal(ew), (rnd() & 7) ? any_normal(ea) : rnd() & 0x807fffffu);
  }
  report("range-ends");
  for (int i = 0; i < SOFT_MAC_TRIPLES; i++) { /* x * w close to a power of 2: the product's significand rounds up to 2^24 */
    const uint32_t xb = normal(127, 24) & 0x7fffffffu;
    const uint32_t wb = bits_of(2.0f / float_of(xb)) + below(5) - 2u;
    const uint32_t e = 60 + below(130);
    const uint32_t xs = (xb & 0x7fffffu) | e << 23 | (rnd() & 0x80000000u);
    const uint32_t ws = (wb & 0x7fffffu) | (254 - e - below(2)) << 23 | (rnd() & 0x80000000u);
    const uint32_t pe = (bits_of(float_of(xs) * float_of(ws)) >> 23) & 0xff;
    check(xs, ws, any_normal(clamp_exponent((int32_t)pe + (int32_t)below(5) - 2)));
  }
  report("significand-carry");
  for (int i = 0; i < SOFT_MAC_TRIPLES; i++) { /* subnormal factors and sums, products that underflow */
    const uint32_t k = below(4);
    const uint32_t x = k & 1 ? (rnd() & 0x80000000u) | ((rnd() & 0x7fffffu) >> below(24)) : any_normal(1 + below(254));
    const uint32_t w = k & 2 ? (rnd() & 0x80000000u) | ((rnd() & 0x7fffffu) >> below(24)) : any_normal(1 + below(254));
    check(x, w, rnd() & 1 ? (rnd() & 0x80000000u) | ((rnd() & 0x7fffffu) >> below(24)) : any_normal(1 + below(30)));
  }
  report("subnormals");
  for (int i = 0; i < SOFT_MAC_TRIPLES; i++) { /* one or two of the three from SPECIAL: zeros, subnormals, limits, inf, NaN */
    uint32_t v[3] = {normal(100 + below(50), 24), normal(100 + below(50), 24), normal(100 + below(60), 24)};
    const uint32_t k = below(3);
    v[k] = SPECIAL[below(SPECIALS)];
    if (rnd() & 1) v[(k + 1 + below(2)) % 3] = SPECIAL[below(SPECIALS)];
    check(v[0], v[1], v[2]);
  }
  report("specials");
  for (uint32_t i = 0; i < SPECIALS; i++)
    for (uint32_t j = 0; j < SPECIALS; j++)
      for (uint32_t k = 0; k < SPECIALS; k++) check(SPECIAL[i], SPECIAL[j], SPECIAL[k]);
  report("special-grid");
}

/* Instructions per multiply-accumulate, in a dot product loop (the loop's own 7 instructions or so included). */
#define DOT 4096
static float xs[DOT], ws[DOT];
__attribute__((noinline)) static float dot_ep_mac(const float *x, const float *w, int n) {
  float acc = 0.0f;
  for (int i = 0; i < n; i++) acc = EP_MAC(x[i], w[i], acc);
  return acc;
}
__attribute__((noinline)) static float dot_libgcc(const float *x, const float *w, int n) {
  float acc = 0.0f;
  for (int i = 0; i < n; i++) acc = acc + x[i] * w[i];
  return acc;
}
static void fill(float *p, float value) {
  for (int i = 0; i < DOT; i++) p[i] = value;
}
static void time_dots(const char *name) {
  volatile float sink;
  char label[48] = "mac:";
  strncat(label, name, sizeof label - strlen(label) - 1);
  BENCH(label, sink = dot_ep_mac(xs, ws, DOT));
  memcpy(label, "gcc", 3);
  BENCH(label, sink = dot_libgcc(xs, ws, DOT));
  (void)sink;
}

int main(void) {
  check_classes();
  bench_report("dot-length", DOT);
  bench_fill(xs, DOT, 1.0f);
  bench_fill(ws, DOT, 0.3f);
  time_dots("normal");
  fill(xs, 0.0f);
  time_dots("zero-x");
  bench_fill(xs, DOT, 1.0f);
  fill(ws, 0.0f);
  time_dots("zero-w");
  bench_fill(ws, DOT, 0.3f);
  fill(xs, 1e-40f); /* subnormal: the library's path */
  time_dots("subnormal-x");
  /* The library's other paths (the worst case of src/cost/worst-case-coefficients.ts): a subnormal weight, an
   * infinite or NaN factor, products that overflow, x * w that cancels acc. */
  bench_fill(xs, DOT, 1.0f);
  fill(ws, 1e-40f);
  time_dots("subnormal-w");
  bench_fill(ws, DOT, 0.3f);
  fill(xs, INFINITY);
  time_dots("inf-x");
  fill(xs, NAN);
  time_dots("nan-x");
  fill(xs, 3e38f);
  fill(ws, 3e38f);
  time_dots("overflow");
  fill(xs, 0x1p-149f); /* the smallest subnormal: libgcc normalizes it one bit at a time */
  fill(ws, 1.5f);
  time_dots("tiny-x");
  fill(ws, 0x1p-149f);
  time_dots("tiny-xw");
  fill(xs, 0x1.fffffep127f);
  fill(ws, 0x1p-149f);
  time_dots("max-x-tiny-w");
  for (int i = 0; i < DOT; i++) xs[i] = i % 2 ? -1.0f : 1.0f, ws[i] = 1.0f + 0x1p-20f;
  time_dots("cancellation");
  return 0;
}
