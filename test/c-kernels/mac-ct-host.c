/* Host check of the constant-time soft-float MAC (templates/c/lib/ep_mac_ct.h) against the hardware's float32 (x86-64 SSE,
 * round to nearest even): `acc + x * w` without contraction, the bias add and the activation clamp, bit for bit (any
 * NaN matching any NaN), on argv[1] triples of each operand class. Prints "<class> <checked> <mismatches>" lines and
 * the first mismatch's bits; exits 1 on any mismatch. Built by test/c-kernels/mac-ct.test.ts with -DEP_SEPARATE_MAC=1. */
#include <stdio.h>
#include <stdlib.h>
#include "ep_mac_ct.h"

#include "xorshift32.h"
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
/* A normal float of random sign with biased exponent e and `significant` (1..24) leading significand bits. */
static uint32_t normal(uint32_t e, uint32_t significant) {
  const uint32_t mask = 0x7fffffu & ~((1u << (24u - significant)) - 1u);
  return (rnd() & 0x80000000u) | (e << 23) | (rnd() & mask);
}
static uint32_t any_normal(uint32_t e) { return normal(e, 1 + below(24)); }
/* A subnormal (or zero) of random sign with few or many significant bits. */
static uint32_t subnormal(void) { return (rnd() & 0x80000000u) | ((rnd() & 0x7fffffu) >> below(24)); }

static const uint32_t SPECIAL[] = {
    0x00000000u, 0x80000000u, 0x00000001u, 0x807fffffu, 0x00400000u, 0x00800000u, 0x80800000u, 0x7f7fffffu, 0xff7fffffu,
    0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00001u, 0x7f800001u, 0x3f800000u, 0xbf800000u, 0x33800000u, 0x0c000000u,
    0x00000003u, 0x80000002u, 0x3f000000u, 0x4b800000u, 0x7f000000u, 0x00ffffffu,
};
#define SPECIALS (sizeof SPECIAL / sizeof SPECIAL[0])

static int same(uint32_t a, uint32_t b) { return a == b || (isnan(float_of(a)) && isnan(float_of(b))); }

static unsigned long checked, mismatches;
static uint32_t first[5];
static void note(uint32_t x, uint32_t w, uint32_t a, uint32_t got, uint32_t want) {
  checked++;
  if (!same(got, want) && mismatches++ == 0) first[0] = x, first[1] = w, first[2] = a, first[3] = got, first[4] = want;
}
static void check(uint32_t xb, uint32_t wb, uint32_t ab) {
  volatile float product = float_of(xb) * float_of(wb);
  const float want = float_of(ab) + product;
  note(xb, wb, ab, bits_of(ep__mac_ct(float_of(xb), float_of(wb), float_of(ab))), bits_of(want));
}
static void check_add(uint32_t ab, uint32_t bb) {
  volatile float a = float_of(ab), b = float_of(bb);
  note(ab, bb, 0, ep__ct_fadd(ab, bb), bits_of(a + b));
  const float bias = float_of(bb);
  note(ab, bb, 1, bits_of(ep__sum_end(float_of(ab), &bias, 0)), bits_of(ep__sum_end_default(float_of(ab), &bias, 0)));
}
static void check_clamp(uint32_t v, uint32_t lo, uint32_t hi) {
  note(v, lo, hi, bits_of(ep__clamp(float_of(v), float_of(lo), float_of(hi))), bits_of(ep__clamp_default(float_of(v), float_of(lo), float_of(hi))));
}
static int report(const char *name) {
  printf("%s %lu %lu", name, checked, mismatches);
  if (mismatches) printf(" first x=%08x w=%08x acc=%08x got=%08x want=%08x", first[0], first[1], first[2], first[3], first[4]);
  printf("\n");
  const int bad = mismatches > 0;
  checked = mismatches = 0;
  return bad;
}

int main(int argc, char **argv) {
  const long n = argc > 1 ? atol(argv[1]) : 100000;
  int bad = 0;
  for (long i = 0; i < n; i++) check(rnd(), rnd(), rnd());
  bad |= report("random-bits");
  for (long i = 0; i < n; i++) check(normal(110 + below(30), 24), normal(110 + below(30), 24), normal(100 + below(60), 24));
  bad |= report("typical");
  for (long i = 0; i < n; i++) { /* acc within 4 units in the last place of -x * w, or its exponent +-1 */
    const uint32_t xb = any_normal(1 + below(254)), wb = any_normal(100 + below(50));
    const uint32_t minus_p = bits_of(float_of(xb) * float_of(wb)) ^ 0x80000000u;
    const uint32_t near = minus_p + below(9) - 4u;
    const uint32_t exponent = clamp_exponent((int32_t)((minus_p >> 23) & 0xff) + (int32_t)below(3) - 1);
    check(xb, wb, (rnd() & 1) ? near : (near & 0x807fffffu) | exponent << 23);
  }
  bad |= report("cancellation");
  for (long i = 0; i < n; i++) { /* exponent differences from -4 to 27, few significant bits: ties */
    const uint32_t ex = 100 + below(50), ew = 100 + below(50);
    check(any_normal(ex), any_normal(ew), any_normal(clamp_exponent((int32_t)(ex + ew) - 127 + (int32_t)below(32) - 4)));
  }
  bad |= report("ties-and-gaps");
  for (long i = 0; i < n; i++) { /* products and sums near overflow or underflow, subnormal results */
    const int high = (int)(rnd() & 1);
    const uint32_t ex = high ? 127 + below(128) : 1 + below(127);
    const int32_t product = high ? 250 + (int32_t)below(6) : (int32_t)below(5);
    const uint32_t ew = clamp_exponent(product + 127 - (int32_t)ex - (high ? 0 : (int32_t)below(30)));
    const uint32_t ea = high ? 248 + below(7) : 1 + below(4);
    check(any_normal(ex), any_normal(ew), (rnd() & 7) ? any_normal(ea) : subnormal());
  }
  bad |= report("range-ends");
  for (long i = 0; i < n; i++) { /* x * w close to a power of 2: the product's significand rounds up to 2^24 */
    const uint32_t xb = normal(127, 24) & 0x7fffffffu;
    const uint32_t wb = bits_of(2.0f / float_of(xb)) + below(5) - 2u;
    const uint32_t e = 1 + below(253);
    const uint32_t xs = (xb & 0x7fffffu) | e << 23 | (rnd() & 0x80000000u);
    const uint32_t ws = (wb & 0x7fffffu) | clamp_exponent(254 - (int32_t)e - (int32_t)below(3)) << 23 | (rnd() & 0x80000000u);
    const uint32_t pe = (bits_of(float_of(xs) * float_of(ws)) >> 23) & 0xff;
    check(xs, ws, any_normal(clamp_exponent((int32_t)pe + (int32_t)below(5) - 2)));
  }
  bad |= report("significand-carry");
  for (long i = 0; i < n; i++) { /* subnormal factors and sums, products that underflow */
    const uint32_t k = below(4);
    const uint32_t x = k & 1 ? subnormal() : any_normal(1 + below(254));
    const uint32_t w = k & 2 ? subnormal() : any_normal(1 + below(254));
    check(x, w, rnd() & 1 ? subnormal() : any_normal(1 + below(30)));
  }
  bad |= report("subnormals");
  for (long i = 0; i < n; i++) { /* one or two of the three from SPECIAL */
    uint32_t v[3] = {normal(100 + below(50), 24), normal(100 + below(50), 24), normal(100 + below(60), 24)};
    const uint32_t k = below(3);
    v[k] = SPECIAL[below(SPECIALS)];
    if (rnd() & 1) v[(k + 1 + below(2)) % 3] = SPECIAL[below(SPECIALS)];
    check(v[0], v[1], v[2]);
  }
  bad |= report("specials");
  for (uint32_t i = 0; i < SPECIALS; i++)
    for (uint32_t j = 0; j < SPECIALS; j++)
      for (uint32_t k = 0; k < SPECIALS; k++) check(SPECIAL[i], SPECIAL[j], SPECIAL[k]);
  bad |= report("special-grid");
  for (long i = 0; i < n; i++) { /* the add alone (and the bias add): random bits, then near cancellation */
    const uint32_t a = rnd();
    check_add(a, rnd());
    check_add(a, (a ^ 0x80000000u) + below(9) - 4u);
    check_add(subnormal(), rnd() & 1 ? subnormal() : any_normal(1 + below(3)));
  }
  bad |= report("add");
  for (long i = 0; i < n; i++) check_clamp(rnd() & 3 ? rnd() : SPECIAL[below(SPECIALS)], SPECIAL[below(SPECIALS)], SPECIAL[below(SPECIALS)]);
  for (uint32_t i = 0; i < SPECIALS; i++)
    for (uint32_t j = 0; j < SPECIALS; j++)
      for (uint32_t k = 0; k < SPECIALS; k++) check_clamp(SPECIAL[i], SPECIAL[j], SPECIAL[k]);
  bad |= report("clamp");
  return bad;
}
