/* Host check of the Cortex-M3 QuantizeLinear path (templates/c/lib/ep_int8_quant.h, EP_S8_QUANT_INT): the reciprocal
 * estimate with one correction (ep__mantissa_quotient) against the long division it replaced (kept here as the
 * reference only) on every mantissa pair of boundary scales and argv[1] random pairs, ep__quant_reciprocal against the
 * 64-bit division for every mantissa, and ep_quantize_f32_s8 against the host's float32 division (SSE, round to nearest
 * even) then round-half-to-even and saturation. Prints "<class> <checked> <mismatches>" lines and the first mismatch;
 * exits 1 on any mismatch. Built by test/c-kernels/quantize-int.test.ts with -DEP_S8_QUANT_INT. */
#include <stdio.h>
#include <stdlib.h>
#include "ep_int8_quant.h"

#include "xorshift32.h"
static float float_of(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* The long division of the previous ep__quantize_int: floor(m * 2^26 / ms) in four 32-bit divisions, its remainder. */
static uint32_t long_division(uint32_t m, uint32_t ms, uint32_t *rem) {
  uint32_t r = m << 8;
  const uint32_t q1 = r / ms;
  r -= q1 * ms;
  r <<= 8;
  const uint32_t q2 = r / ms;
  r -= q2 * ms;
  r <<= 8;
  const uint32_t q3 = r / ms;
  r -= q3 * ms;
  r <<= 2;
  const uint32_t q4 = r / ms;
  r -= q4 * ms;
  *rem = r;
  return q1 << 18 | q2 << 10 | q3 << 2 | q4;
}

static unsigned long long checked, mismatches;
static int pair_fail(uint32_t m, uint32_t ms) {
  uint32_t r0, r1;
  const uint32_t q0 = long_division(m, ms, &r0);
  const uint32_t q1 = ep__mantissa_quotient(m, ms, ep__quant_reciprocal(ms), &r1);
  checked++;
  if (q0 == q1 && r0 == r1) return 0;
  if (!mismatches++) printf("first mismatch: m=%u ms=%u long division %u r %u, reciprocal %u r %u\n", m, ms, q0, r0, q1, r1);
  return 1;
}
static void report(const char *name) {
  printf("%s %llu %llu\n", name, checked, mismatches);
}
static unsigned long long total_mismatches;
static void next(const char *name) {
  report(name);
  total_mismatches += mismatches;
  checked = mismatches = 0;
}

static const uint32_t LO = 1u << 23, HI = (1u << 24) - 1u;

/* Every m of one ms (the correction's both sides, every remainder class). */
static void every_m(uint32_t ms) {
  const uint32_t rs = ep__quant_reciprocal(ms);
  for (uint32_t m = LO; m <= HI; m++) {
    uint32_t r0, r1;
    const uint32_t q0 = long_division(m, ms, &r0);
    const uint32_t q1 = ep__mantissa_quotient(m, ms, rs, &r1);
    checked++;
    if ((q0 != q1 || r0 != r1) && !mismatches++) printf("first mismatch: m=%u ms=%u long division %u r %u, reciprocal %u r %u\n", m, ms, q0, r0, q1, r1);
  }
}

static uint32_t mantissa_of(float s) {
  uint32_t u;
  memcpy(&u, &s, 4);
  return (u & 0x7fffffu) | 0x800000u;
}

/* The rule on the host: saturate(round_half_to_even(fl32(x / s)) + zp), NaN -> -128. */
static int8_t reference_quantize(float x, float s, int32_t zp) {
  const float q = x / s;
  if (q != q) return -128;
  if (q >= 256.0f) return 127;
  if (q <= -256.0f) return -128;
  float t = (float)(int32_t)q; /* |q| < 256: exact truncation */
  float f = q - t;             /* exact */
  int32_t n = (int32_t)t;
  if (f > 0.5f || (f == 0.5f && (n & 1))) n++;
  if (f < -0.5f || (f == -0.5f && (n & 1))) n--;
  int32_t v = n + zp;
  return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
}

int main(int argc, char **argv) {
  const unsigned long long pairs = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000ull;

  /* The reciprocal of every mantissa against the 64-bit division. */
  for (uint32_t ms = LO; ms <= HI; ms++) {
    checked++;
    const uint32_t want = (uint32_t)(((1ull << 55) - 1ull) / ms);
    const uint32_t got = ep__quant_reciprocal(ms);
    if (want != got && !mismatches++) printf("first mismatch: ms=%u reciprocal %u, 64-bit division %u\n", ms, got, want);
  }
  next("reciprocal-every-ms");

  /* Every m of the boundary scales: 2^23, 2^23 + 1, 2^24 - 1, 2^24 - 2, 3 * 2^22 (exact quotients of multiples of 3),
   * and the mantissas of 1/255, 0.02, 0.0137, 0.1173, 0.0457 (the suite's scales). */
  const uint32_t boundary[] = {LO, LO + 1, HI, HI - 1, 3u << 22, mantissa_of(1.0f / 255.0f), mantissa_of(0.02f), mantissa_of(0.0137f), mantissa_of(0.1173f), mantissa_of(0.0457f)};
  for (size_t i = 0; i < sizeof boundary / sizeof boundary[0]; i++) every_m(boundary[i]);
  next("every-m-of-boundary-ms");

  /* Random pairs. */
  for (unsigned long long i = 0; i < pairs; i++) pair_fail(LO | (rnd() & 0x7fffffu), LO | (rnd() & 0x7fffffu));
  next("random-pairs");

  /* Edges of m per random ms: m = ms, m = 2 ms - 1 (when below 2^24), m = 2^23, m = 2^24 - 1, and m next to them. */
  for (unsigned long long i = 0; i < pairs / 8; i++) {
    const uint32_t ms = LO | (rnd() & 0x7fffffu);
    const uint32_t edges[] = {ms, ms - 1, ms + 1, 2 * ms - 1, 2 * ms - 2, LO, LO + 1, HI, HI - 1};
    for (size_t k = 0; k < sizeof edges / sizeof edges[0]; k++)
      if (edges[k] >= LO && edges[k] <= HI) pair_fail(edges[k], ms);
  }
  next("edge-pairs");

  /* Exact quotients (remainder 0, the estimate always one below): ms = o * 2^j (o odd), m a multiple of o. */
  for (unsigned long long i = 0; i < pairs / 2; i++) {
    const uint32_t j = 1 + rnd() % 22;
    const uint32_t o = ((LO >> j) + rnd() % (LO >> j)) | 1u;
    const uint32_t ms = o << j;
    if (ms < LO || ms > HI) continue;
    const uint32_t t = (LO + o - 1) / o + rnd() % ((HI / o) - (LO + o - 1) / o + 1);
    pair_fail(o * t, ms);
  }
  next("exact-quotients");

  /* Ties of both roundings: quotients whose 27 bits end in the float32 tie pattern (100 wide, 10 narrow) with a zero
   * or a small remainder, and the integer rounding's ties: m = ceil(Q * ms / 2^26) + delta for such Q. */
  for (unsigned long long i = 0; i < pairs / 2; i++) {
    const uint32_t ms = LO | (rnd() & 0x7fffffu);
    const int wide = rnd() & 1;
    uint32_t q = wide ? ((1u << 26) | (rnd() & 0x3fffff8u)) | 4u : ((1u << 25) | (rnd() & 0x1fffffcu)) | 2u;
    q &= wide ? ~3u : ~1u;
    q |= wide ? 4u : 2u;
    if (rnd() & 1) q &= wide ? ~0x7fff8u : ~0x7fffcu; /* also a tie of the integer rounding at small shifts */
    const unsigned long long num = (unsigned long long)q * ms;
    const uint32_t m0 = (uint32_t)((num + (1ull << 26) - 1) >> 26);
    for (int delta = -1; delta <= 1; delta++) {
      const uint32_t m = m0 + (uint32_t)delta;
      if (m >= LO && m <= HI) pair_fail(m, ms);
    }
  }
  next("rounding-ties");

  /* Whole elements: ep_quantize_f32_s8 (the integer path) against the host's float32 division, random bits of x
   * (every class: zeros, subnormals, inf, NaN) and of scales near x's magnitude, every zero point class. */
  {
    enum { N = 256 };
    float x[N];
    int8_t y[N];
    for (unsigned long long i = 0; i < pairs / N + 1; i++) {
      uint32_t su = (rnd() & 0x7fffffu) | ((1u + rnd() % 254u) << 23); /* a positive normal scale */
      const float s = float_of(su);
      const int32_t zp = (int32_t)(rnd() % 256u) - 128;
      for (int k = 0; k < N; k++) {
        const uint32_t kind = rnd() % 8u;
        uint32_t xu = rnd();
        if (kind < 5) { /* |x / s| around [1/8, 512] */
          const int32_t e = (int32_t)((su >> 23) & 255u) - 3 + (int32_t)(rnd() % 13u);
          xu = (xu & 0x807fffffu) | (uint32_t)(e < 0 ? 0 : e > 254 ? 254 : e) << 23;
        } else if (kind == 5) xu &= 0x807fffffu; /* zero or subnormal */
        else if (kind == 6) xu |= 0x7f800000u, xu &= rnd() & 1 ? 0xff800000u : 0xffffffffu; /* inf or NaN */
        x[k] = float_of(xu);
      }
      ep_quantize_f32_s8(x, y, N, s, zp);
      for (int k = 0; k < N; k++) {
        checked++;
        const int8_t want = reference_quantize(x[k], s, zp);
        if (y[k] != want && !mismatches++) printf("first mismatch: x=%a s=%a zp=%d got %d want %d\n", (double)x[k], (double)s, zp, y[k], want);
      }
    }
  }
  next("elements");

  return total_mismatches ? 1 : 0;
}
