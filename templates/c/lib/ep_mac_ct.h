/* edgeprune MCU kernels: acc + x * w as a float32 multiply then add in a constant number of instructions (soft float). */
#ifndef EP_MAC_CT_H
#define EP_MAC_CT_H

/* The generated code includes this header before ep_kernels.h when the model is compiled with --constant-time-mac
 * (EP_MAC_CT 1): EP_MAC becomes ep__mac_ct, whose instruction count does not depend on the operands, so that a
 * model's count is the same on every input (its worst case exact). Only for targets without an FPU (EP_SEPARATE_MAC 1,
 * the multiply rounded, then the add, the bias last: the interpreter's Math.fround(acc + Math.fround(x * w))).
 *
 * Integer code only, no branch on the data: every case (zeros, subnormal operands and results, overflow, infinities,
 * NaN, cancellation, any exponent gap, ties) is computed on one path and chosen by masks or conditional selects, which
 * gcc compiles to IT-predicated instructions on Thumb-2 (test/c-kernels/mac-ct.test.ts checks the disassembly for
 * branches and QEMU for equal counts). The result has the bits of IEEE 754 binary32 round-to-nearest-even arithmetic
 * (libgcc's __aeabi_fmul then __aeabi_fadd, SSE on a host), except a NaN's sign and payload: every NaN result is the
 * default NaN 0x7fc00000 (verify and the interpreter's comparison match any NaN with any NaN). */

#include <stdint.h>
#include <string.h>

/* The MAC kernels' epilogue (the bias added last, the fused activation clamp) is soft float too: ep_common.h's
 * ep__clamp and ep_mac.h's ep__sum_end are replaced by the constant-time ones below. Their definitions in those
 * headers are renamed (to ep__clamp_default, ep__sum_end_default, unused) while they are included from here, which
 * leaves the headers, and the default build, as they are. */
#if defined(EP_COMMON_H) || defined(EP_MAC_H)
#error "ep_mac_ct.h: include it before ep_kernels.h (and any other ep_*.h)"
#endif
#define ep__clamp(v, lo, hi) ep__clamp_default(v, lo, hi)
#define ep__sum_end(acc, bias, i) ep__sum_end_default(acc, bias, i)
/* ep_mac_thumb2.h's routine (and its libgcc fallback) is not used here: its guard keeps it out */
#define EP_MAC_THUMB2_H
#include "ep_common.h"
#include "ep_mac.h"
#undef ep__clamp
#undef ep__sum_end

#if !EP_SEPARATE_MAC
/* A core with an FPU (EP_SEPARATE_MAC 0): fmaf is one VFMA whatever the operands, and nothing changes here (the command
 * line refuses the flag for such a target). */
#define ep__clamp ep__clamp_default
#define ep__sum_end ep__sum_end_default
#else

/* c (0 or 1) ? a : b */
static inline uint32_t ep__ct_sel(uint32_t c, uint32_t a, uint32_t b) { return b ^ ((a ^ b) & (0u - c)); }
static inline uint32_t ep__ct_min(uint32_t a, uint32_t b) { return ep__ct_sel(a < b, a, b); }
static inline int32_t ep__ct_clamp(int32_t v, int32_t lo, int32_t hi) {
  v = (int32_t)ep__ct_sel(v < lo, (uint32_t)lo, (uint32_t)v);
  return (int32_t)ep__ct_sel(v > hi, (uint32_t)hi, (uint32_t)v);
}

/* A finite non-zero magnitude from its biased exponent e (any integer: <= 0 is subnormal or underflows, >= 255
 * overflows), its significand s (leading 1 at bit 23) and r, the bits below s (bit 31 weighs half a unit): rounded to
 * nearest, ties to even; at least 0x7f800000 is infinity. */
static inline uint32_t ep__ct_round(int32_t e, uint32_t s, uint32_t r) {
  const uint32_t shift = (uint32_t)ep__ct_clamp(1 - e, 0, 25); /* subnormal: s moves right by 1 - e */
  r = ((s << 1) << (31u - shift)) | (r >> shift) | (uint32_t)((r & ((1u << shift) - 1u)) != 0u);
  s >>= shift;
  uint32_t packed = ((uint32_t)ep__ct_clamp(e - 1, 0, 254) << 23) + s; /* a carry out of s is the next exponent */
  packed += (uint32_t)(r > 0x80000000u) | ((uint32_t)(r == 0x80000000u) & s);
  return ep__ct_min(packed, 0x7f800000u);
}

/* The bits of x * w rounded to float32. */
static inline uint32_t ep__ct_fmul(uint32_t x, uint32_t w) {
  const uint32_t ax = x & 0x7fffffffu, aw = w & 0x7fffffffu;
  const uint32_t ex = ax >> 23, ew = aw >> 23;
  /* significands with the leading 1 at bit 23, subnormals normalized (a zero's is 0, whatever its exponent) */
  uint32_t mx = (ax & 0x7fffffu) | (uint32_t)(ex != 0u) << 23, mw = (aw & 0x7fffffu) | (uint32_t)(ew != 0u) << 23;
  const uint32_t zx = (uint32_t)__builtin_clz(mx | 1u) - 8u, zw = (uint32_t)__builtin_clz(mw | 1u) - 8u;
  mx <<= zx;
  mw <<= zw;
  /* x's significand at bit 31 times w's at bit 23: the product's 24 bits in the high word (after at most one shift
   * left), every bit below in the low word */
  const uint64_t p = (uint64_t)(mx << 8) * mw;
  uint32_t hi = (uint32_t)(p >> 32), lo = (uint32_t)p;
  const uint32_t n = hi < 0x800000u;
  hi = (hi << n) | ((lo >> 31) & n);
  lo <<= n;
  const int32_t e = (int32_t)(ex + (ex == 0u) - zx) + (int32_t)(ew + (ew == 0u) - zw) - 126 - (int32_t)n;
  uint32_t mag = ep__ct_round(e, hi, lo);
  const uint32_t inf = (ax == 0x7f800000u) | (aw == 0x7f800000u), zero = (ax == 0u) | (aw == 0u);
  const uint32_t nan = (ax > 0x7f800000u) | (aw > 0x7f800000u) | (inf & zero);
  mag = ep__ct_sel(zero, 0u, mag);
  mag = ep__ct_sel(inf, 0x7f800000u, mag);
  return ep__ct_sel(nan, 0x7fc00000u, ((x ^ w) & 0x80000000u) | mag);
}

/* The bits of a + b rounded to float32. */
__attribute__((always_inline)) static inline uint32_t ep__ct_fadd(uint32_t a, uint32_t b) {
  const uint32_t t = (a ^ b) & (0u - (uint32_t)((a & 0x7fffffffu) < (b & 0x7fffffffu))); /* |a| >= |b| from here */
  a ^= t;
  b ^= t;
  const uint32_t aa = a & 0x7fffffffu, ab = b & 0x7fffffffu;
  const uint32_t sub = (a ^ b) >> 31;
  uint32_t ea = aa >> 23, eb = ab >> 23;
  const uint32_t ma = (aa & 0x7fffffu) | (uint32_t)(ea != 0u) << 23, mb = (ab & 0x7fffffu) | (uint32_t)(eb != 0u) << 23;
  ea += ea == 0u; /* a subnormal's exponent is 1, without the leading 1 */
  eb += eb == 0u;
  /* 7 bits below the significands; b's shifted right by the exponent difference, the bits it loses kept as one */
  const uint32_t d = ep__ct_min(ea - eb, 31u), A = ma << 7, B = mb << 7;
  const uint32_t Bd = (B >> d) | (uint32_t)((B & ((1u << d) - 1u)) != 0u);
  uint32_t s = A + (Bd ^ (0u - sub)) + sub; /* A - Bd when the signs differ (A >= Bd) */
  const uint32_t carry = s >> 31;
  s = (s >> carry) | (s & carry);
  uint32_t e = ea + carry;
  const uint32_t left = ep__ct_min((uint32_t)__builtin_clz(s | 1u) - 1u, e - 1u); /* not below exponent 1 */
  s <<= left;
  e -= left;
  const uint32_t sig = s >> 7, rem = s & 0x7fu;
  uint32_t packed = ((e - 1u) << 23) + sig;
  packed += (uint32_t)(rem > 0x40u) | ((uint32_t)(rem == 0x40u) & sig);
  packed = ep__ct_min(packed, 0x7f800000u);
  /* an exact zero (its exponent, not lowered above, is dropped): +0 when the signs differ; otherwise a's sign */
  const uint32_t zero = s == 0u;
  packed = ep__ct_sel(zero, 0u, packed);
  uint32_t r = ep__ct_sel(zero & sub, 0u, a & 0x80000000u) | packed;
  r = ep__ct_sel(aa >= 0x7f800000u, a, r); /* a infinite (b is not larger) */
  const uint32_t nan = (aa > 0x7f800000u) | ((uint32_t)(ab == 0x7f800000u) & sub);
  return ep__ct_sel(nan, 0x7fc00000u, r);
}

/* a + b (the bias add: one copy, called) */
__attribute__((noinline, unused)) static uint32_t ep__ct_add(uint32_t a, uint32_t b) { return ep__ct_fadd(a, b); }

#if EP_MAC_THUMB2
/* acc + x * w on a Thumb-2 core without an FPU: ep__ct_fmul then ep__ct_fadd above, step for step, in assembly (about
 * 160 instructions, every one executed on every call: selects are IT-predicated; C gives about 250). Register-specified
 * shifts by 32 give 0 there, which the C avoids. Soft-float ABI: x, w, acc, result in r0, r1, r2, r0. */
__attribute__((naked, noinline, unused)) static float ep__mac_ct(float x __attribute__((unused)), float w __attribute__((unused)),
                                                          float acc __attribute__((unused))) {
  __asm__(
      "  push   {r4, r5, r6, r7, r8, lr}\n"
      "  mvn    r12, #0\n"                 /* r12: a NaN */
      /* the product: lr its sign (lr is saved; r9 is left alone, a platform register on some ABIs), r0 and r1 |x| and |w| */
      "  eor    lr, r0, r1\n"
      "  and    lr, lr, #0x80000000\n"
      "  bic    r0, r0, #0x80000000\n"
      "  bic    r1, r1, #0x80000000\n"
      /* r3, r4: x's exponent (1 for a subnormal) and significand; r5, r6: w's */
      "  lsrs   r3, r0, #23\n"
      "  ubfx   r4, r0, #0, #23\n"
      "  ite    ne\n"
      "  orrne  r4, r4, #0x800000\n"
      "  moveq  r3, #1\n"
      "  lsrs   r5, r1, #23\n"
      "  ubfx   r6, r1, #0, #23\n"
      "  ite    ne\n"
      "  orrne  r6, r6, #0x800000\n"
      "  moveq  r5, #1\n"
      /* subnormals normalized (the leading 1 at bit 23), r3 = the sum of the exponents */
      "  clz    r7, r4\n"
      "  sub    r7, r7, #8\n"
      "  lsl    r4, r4, r7\n"
      "  sub    r3, r3, r7\n"
      "  clz    r7, r6\n"
      "  sub    r7, r7, #8\n"
      "  lsl    r6, r6, r7\n"
      "  sub    r5, r5, r7\n"
      "  add    r3, r3, r5\n"
      /* r8:r7 = (x's significand << 8) * w's; one bit left when below 2^23; r3 = the biased exponent e */
      "  lsl    r4, r4, #8\n"
      "  umull  r7, r8, r4, r6\n"
      "  cmp    r8, #0x800000\n"
      "  ittt   cc\n"
      "  lslcc  r8, r8, #1\n"
      "  orrcc  r8, r8, r7, lsr #31\n"
      "  lslcc  r7, r7, #1\n"
      "  sbc    r3, r3, #126\n"
      /* a subnormal product: shift right by clamp(1 - e, 0, 25), the bits shifted out kept in r7 (sticky bit 0) */
      "  rsbs   r5, r3, #1\n"
      "  it     mi\n"
      "  movmi  r5, #0\n"
      "  cmp    r5, #25\n"
      "  it     hi\n"
      "  movhi  r5, #25\n"
      "  rsb    r6, r5, #32\n"
      "  lsl    r4, r8, r6\n"
      "  lsl    r6, r7, r6\n"
      "  lsr    r7, r7, r5\n"
      "  orr    r7, r7, r4\n"
      "  cmp    r6, #0\n"
      "  it     ne\n"
      "  orrne  r7, r7, #1\n"
      "  lsr    r8, r8, r5\n"
      /* r8 = clamp(e - 1, 0, 254) << 23 + significand, rounded to nearest even, at most infinity */
      "  subs   r3, r3, #1\n"
      "  it     mi\n"
      "  movmi  r3, #0\n"
      "  cmp    r3, #254\n"
      "  it     gt\n"
      "  movgt  r3, #254\n"
      "  add    r8, r8, r3, lsl #23\n"
      "  cmp    r7, #0x80000000\n"
      "  adc    r8, r8, #0\n"
      "  it     eq\n"
      "  biceq  r8, r8, #1\n"
      "  cmp    r8, #0x7f800000\n"
      "  it     hs\n"
      "  movhs  r8, #0x7f800000\n"
      /* a zero factor: 0; an infinite one: infinity; infinity times 0 or a NaN factor: NaN */
      "  cmp    r0, #0\n"
      "  it     ne\n"
      "  cmpne  r1, #0\n"
      "  it     eq\n"
      "  moveq  r8, #0\n"
      "  cmp    r0, #0x7f800000\n"
      "  it     ne\n"
      "  cmpne  r1, #0x7f800000\n"
      "  it     eq\n"
      "  moveq  r8, #0x7f800000\n"
      "  cmp    r0, #0\n"
      "  it     ne\n"
      "  cmpne  r1, #0\n"
      "  it     eq\n"
      "  cmpeq  r8, #0x7f800000\n"
      "  it     eq\n"
      "  moveq  r8, r12\n"
      "  cmp    r0, #0x7f800000\n"
      "  it     ls\n"
      "  cmpls  r1, #0x7f800000\n"
      "  it     hi\n"
      "  movhi  r8, r12\n"
      /* the sum: a = acc (r2), b = the product (r1), swapped so that |a| >= |b| (r3, r4) */
      "  orr    r1, r8, lr\n"
      "  bic    r3, r2, #0x80000000\n"
      "  bic    r4, r1, #0x80000000\n"
      "  eor    r5, r2, r1\n"
      "  cmp    r3, r4\n"
      "  itt    lo\n"
      "  eorlo  r2, r2, r5\n"
      "  eorlo  r1, r1, r5\n"
      "  bic    r3, r2, #0x80000000\n"
      "  bic    r4, r1, #0x80000000\n"
      /* r5, r3: a's exponent (1 for a subnormal) and significand; r6, r4: b's */
      "  lsrs   r5, r3, #23\n"
      "  ubfx   r3, r2, #0, #23\n"
      "  ite    ne\n"
      "  orrne  r3, r3, #0x800000\n"
      "  moveq  r5, #1\n"
      "  lsrs   r6, r4, #23\n"
      "  ubfx   r4, r1, #0, #23\n"
      "  ite    ne\n"
      "  orrne  r4, r4, #0x800000\n"
      "  moveq  r6, #1\n"
      /* 7 bits below the significands; b's shifted right by min(the exponent difference, 31), sticky in bit 0 */
      "  lsl    r3, r3, #7\n"
      "  lsl    r4, r4, #7\n"
      "  sub    r6, r5, r6\n"
      "  cmp    r6, #31\n"
      "  it     hi\n"
      "  movhi  r6, #31\n"
      "  rsb    r7, r6, #32\n"
      "  lsl    r7, r4, r7\n"
      "  lsr    r4, r4, r6\n"
      "  cmp    r7, #0\n"
      "  it     ne\n"
      "  orrne  r4, r4, #1\n"
      /* r3 = s: the sum or difference of the significands */
      "  teq    r2, r1\n"
      "  ite    mi\n"
      "  submi  r3, r3, r4\n"
      "  addpl  r3, r3, r4\n"
      /* a carry: one bit right (sticky), the exponent + 1; then left by min(clz(s) - 1, exponent - 1) */
      "  tst    r3, #0x80000000\n"
      "  ittt   ne\n"
      "  andne  r7, r3, #1\n"
      "  orrne  r3, r7, r3, lsr #1\n"
      "  addne  r5, r5, #1\n"
      "  clz    r7, r3\n"
      "  sub    r7, r7, #1\n"
      "  sub    r6, r5, #1\n"
      "  cmp    r7, r6\n"
      "  it     hi\n"
      "  movhi  r7, r6\n"
      "  lsl    r3, r3, r7\n"
      "  sub    r5, r5, r7\n"
      /* r5 = (exponent - 1) << 23 + s >> 7, rounded to nearest even on s's low 7 bits, at most infinity */
      "  sub    r5, r5, #1\n"
      "  lsl    r5, r5, #23\n"
      "  add    r5, r5, r3, lsr #7\n"
      "  lsl    r6, r3, #25\n"
      "  cmp    r6, #0x80000000\n"
      "  adc    r5, r5, #0\n"
      "  it     eq\n"
      "  biceq  r5, r5, #1\n"
      "  cmp    r5, #0x7f800000\n"
      "  it     hs\n"
      "  movhs  r5, #0x7f800000\n"
      /* a's sign; an exact zero: -0 only when both are -0 */
      "  and    r6, r2, #0x80000000\n"
      "  orr    r0, r5, r6\n"
      "  cmp    r3, #0\n"
      "  itt    eq\n"
      "  andeq  r0, r2, r1\n"
      "  andeq  r0, r0, #0x80000000\n"
      /* a infinite or NaN: a; b infinite with the other sign (so is a): NaN */
      "  bic    r3, r2, #0x80000000\n"
      "  cmp    r3, #0x7f800000\n"
      "  it     hs\n"
      "  movhs  r0, r2\n"
      "  bic    r4, r1, #0x80000000\n"
      "  eor    r6, r2, r1\n"
      "  cmp    r4, #0x7f800000\n"
      "  it     ne\n"
      "  movne  r6, #0\n"
      "  cmp    r6, #0\n"
      "  it     lt\n"
      "  movlt  r0, r12\n"
      "  pop    {r4, r5, r6, r7, r8, pc}\n");
}
#else
/* acc + x * w, the product rounded to float32 then the sum (C without contraction). */
__attribute__((noinline, unused)) static float ep__mac_ct(float x, float w, float acc) {
  uint32_t xb, wb, ab;
  memcpy(&xb, &x, sizeof xb);
  memcpy(&wb, &w, sizeof wb);
  memcpy(&ab, &acc, sizeof ab);
  const uint32_t rb = ep__ct_fadd(ab, ep__ct_fmul(xb, wb));
  float r;
  memcpy(&r, &rb, sizeof r);
  return r;
}
#endif

#undef EP_MAC
#define EP_MAC(x, w, acc) ep__mac_ct((x), (w), (acc))

/* a > b for float32 bits (false when either is NaN; -0 and +0 are equal), without a branch */
static inline uint32_t ep__ct_greater(uint32_t a, uint32_t b) {
  const int32_t ka = (int32_t)(a ^ ((uint32_t)((int32_t)a >> 31) >> 1)), kb = (int32_t)(b ^ ((uint32_t)((int32_t)b >> 31) >> 1));
  const uint32_t nan = ((a & 0x7fffffffu) > 0x7f800000u) | ((b & 0x7fffffffu) > 0x7f800000u);
  const uint32_t zeros = ((a | b) & 0x7fffffffu) == 0u;
  return (uint32_t)(ka > kb) & ~nan & ~zeros & 1u;
}

/* ep_common.h's fused activation clamp on the bits: NaN becomes lo (when lo is on), the upper bound keeps it. */
EP_INLINE float ep__clamp(float v, float lo, float hi) {
  uint32_t vb, lb, hb;
  memcpy(&vb, &v, sizeof vb);
  memcpy(&lb, &lo, sizeof lb);
  memcpy(&hb, &hi, sizeof hb);
  if (lo > -INFINITY) vb = ep__ct_sel(ep__ct_greater(vb, lb), vb, lb);
  if (hi < INFINITY) vb = ep__ct_sel(ep__ct_greater(hb, vb), vb, hb);
  memcpy(&v, &vb, sizeof v);
  return v;
}

/* The finished sum: plus the bias (ep_mac.h's ep__sum_end with EP_SEPARATE_MAC 1). */
EP_INLINE float ep__sum_end(float acc, const float *bias, int i) {
  if (!bias) return acc;
  uint32_t ab, bb;
  memcpy(&ab, &acc, sizeof ab);
  memcpy(&bb, &bias[i], sizeof bb);
  ab = ep__ct_add(ab, bb);
  memcpy(&acc, &ab, sizeof acc);
  return acc;
}

#endif /* EP_SEPARATE_MAC */

#endif /* EP_MAC_CT_H */
