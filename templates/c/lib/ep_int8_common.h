/* edgeprune MCU kernels: shared pieces of the int8 kernels: the requantization rule (src/quant/fixed-point.ts)
 * and the few DSP-extension instructions the Cortex-M4/M7 paths use (ACLE or inline assembly there, plain C
 * elsewhere, so that the host can run the same algorithm with EP_S8_EMULATE_DSP). */
#ifndef EP_INT8_COMMON_H
#define EP_INT8_COMMON_H

#include "ep_common.h"

/* The DSP path: the target has the DSP extension (-mcpu=cortex-m4/m7), or a host test emulates it. */
#if defined(__ARM_FEATURE_DSP) || defined(EP_S8_EMULATE_DSP)
#define EP_S8_DSP 1
#else
#define EP_S8_DSP 0
#endif

/* ---- Requantization: y = clamp(sat32(floor((acc * mult + 2^(shift-1)) / 2^shift)) + y_zp, act_min, act_max) ---- */

/* The rule exactly, for any multiplier (0 or in [2^30, 2^31)) and shift in [1, 62]: the exact 64-bit product
 * (|acc * mult| < 2^62), one rounding half up, saturation to int32, the output zero point, the fused clamp
 * [act_min, act_max] within [-128, 127]. */
EP_INLINE int8_t ep_requant_s8(int32_t acc, int32_t mult, int shift, int32_t y_zp, int32_t act_min, int32_t act_max) {
  const int64_t p = (int64_t)acc * mult + ((int64_t)1 << (shift - 1));
  int64_t v = p >> shift; /* arithmetic shift: floor */
  v = v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
  v += y_zp;
  v = v < act_min ? act_min : v;
  return (int8_t)(v > act_max ? act_max : v);
}

/* One output channel's requantization, prepared once for its outputs. Shifts in [33, 55] (real multipliers
 * below 2^-2 and above 2^-25, every usual layer) take the fast form: the high word of acc * mult + add * 2^32
 * (one SMMLA on the DSP cores, one SMLAL on the others), then an arithmetic shift by shift - 32, where
 * add = 2^(shift-33) + y_zp * 2^(shift-32) holds the rounding constant and the zero point:
 *   floor((acc*mult + 2^(s-1) + y_zp*2^s) / 2^s) = floor((floor(acc*mult / 2^32) + add) / 2^(s-32))
 * is exact (nested floors), and never leaves int32 for s >= 33. Other shifts take ep_requant_s8. */
typedef struct {
  int32_t mult;
  int32_t add;
  int32_t shift;
  int32_t fast;
} ep__rq_t;

EP_INLINE ep__rq_t ep__rq_prepare(int32_t mult, int shift, int32_t y_zp) {
  ep__rq_t r;
  r.mult = mult;
  r.fast = shift >= 33 && shift <= 55;
  r.add = r.fast ? (int32_t)((1u << (shift - 33)) + (uint32_t)y_zp * (1u << (shift - 32))) : y_zp;
  r.shift = shift;
  return r;
}

/* High word of acc * mult + add * 2^32 (SMMLA). */
#if defined(__ARM_FEATURE_DSP)
EP_INLINE int32_t ep__smmla(int32_t a, int32_t b, int32_t add) {
  int32_t r;
  __asm__("smmla %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(add));
  return r;
}
#else
EP_INLINE int32_t ep__smmla(int32_t a, int32_t b, int32_t add) {
  return (int32_t)(((int64_t)a * b + (int64_t)((uint64_t)(uint32_t)add << 32)) >> 32);
}
#endif

/* v saturated to [-128, 127] (one SSAT on the Cortex-M cores). */
#if defined(__ARM_FEATURE_SAT)
#include <arm_acle.h>
EP_INLINE int32_t ep__sat8(int32_t v) { return __ssat(v, 8); }
#else
EP_INLINE int32_t ep__sat8(int32_t v) { return v < -128 ? -128 : v > 127 ? 127 : v; }
#endif

/* The exact rule for the other shifts, out of line: inlined at every output of every register tile it doubled the
 * int8 kernels' code. */
#if defined(__GNUC__)
__attribute__((noinline, unused))
#endif
static int8_t ep__requant_s8_other(int32_t acc, int32_t mult, int shift, int32_t y_zp, int32_t act_min, int32_t act_max) {
  return ep_requant_s8(acc, mult, shift, y_zp, act_min, act_max);
}

/* The fast form of one output: the int8 range by saturation, then the rest of the clamp (folded away when the bounds
 * are the literals -128 and 127). */
EP_INLINE int8_t ep__rq_fast(int32_t acc, const ep__rq_t *r, int32_t act_min, int32_t act_max) {
  int32_t v = ep__sat8(ep__smmla(acc, r->mult, r->add) >> (r->shift - 32));
  if (act_min > -128) v = v < act_min ? act_min : v;
  if (act_max < 127) v = v > act_max ? act_max : v;
  return (int8_t)v;
}

/* One output of a prepared channel whose shift is a literal argument (Int8Add, the global average pool: gcc folds the
 * test away) or read once per call (the average pool's whole windows). */
EP_INLINE int8_t ep__rq_apply(int32_t acc, const ep__rq_t *r, int32_t y_zp, int32_t act_min, int32_t act_max) {
  if (!r->fast) return ep__requant_s8_other(acc, r->mult, r->shift, y_zp, act_min, act_max);
  return ep__rq_fast(acc, r, act_min, act_max);
}

/* One output of a channel whose shift comes from the layer's per-channel array (conv, dense, sparse). A model whose
 * every such shift is in [33, 55] defines EP_RQ_FAST_ONLY before the kernel headers (the emitter writes it in model.c,
 * src/emit/c/requant-shifts.ts): no test of the shift and no exact rule's call at each output of a register tile then
 * (the digits CNN's model.o on Cortex-M3: 8,512 bytes of text, against 10,328 with them and 19,072 when the exact rule
 * was inlined there). */
EP_INLINE int8_t ep__rq_apply_ch(int32_t acc, const ep__rq_t *r, int32_t y_zp, int32_t act_min, int32_t act_max) {
#if defined(EP_RQ_FAST_ONLY)
  (void)y_zp;
  return ep__rq_fast(acc, r, act_min, act_max);
#else
  return ep__rq_apply(acc, r, y_zp, act_min, act_max);
#endif
}

/* ---- Loads and the DSP-extension instructions (16-bit lanes: lo = bits 0-15, hi = bits 16-31) ---- */

/* Four bytes from any address (one LDR on Cortex-M3/M4/M7, which allow unaligned word loads). */
EP_INLINE uint32_t ep__ld32(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
/* (b0, b2) and (b1, b3) of the bytes b0..b3 of v, sign-extended into the two lanes. */
EP_INLINE uint32_t ep__sxtb16(uint32_t v) { return (uint32_t)__sxtb16((int32_t)v); }
EP_INLINE uint32_t ep__sxtb16_ror8(uint32_t v) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
/* a + (b0, b2) and a + (b1, b3), lane by lane. */
EP_INLINE uint32_t ep__sxtab16(uint32_t a, uint32_t v) { return (uint32_t)__sxtab16((int32_t)a, (int32_t)v); }
EP_INLINE uint32_t ep__sxtab16_ror8(uint32_t a, uint32_t v) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
  return r;
}
/* (lo of a, lo of b). */
EP_INLINE uint32_t ep__pkhbt(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* acc + lo*lo + hi*hi; acc + one lane product (b/t: bottom/top lane of the first, then the second operand). */
EP_INLINE uint32_t ep__smlad(uint32_t a, uint32_t b, uint32_t acc) { return (uint32_t)__smlad((int32_t)a, (int32_t)b, (int32_t)acc); }
EP_INLINE uint32_t ep__smlabb(uint32_t a, uint32_t b, uint32_t acc) { return (uint32_t)__smlabb((int32_t)a, (int32_t)b, (int32_t)acc); }
EP_INLINE uint32_t ep__smlabt(uint32_t a, uint32_t b, uint32_t acc) { return (uint32_t)__smlabt((int32_t)a, (int32_t)b, (int32_t)acc); }
/* The same on an accumulator variable A bound to a register (register ... __asm__("rN")): gcc honours the binding
 * only where the variable itself is an assembly operand. */
#define EP__SMLAD_TO(A, a, b) __asm__("smlad %0, %1, %2, %0" : "+r"(A) : "r"(a), "r"(b))
#define EP__SMLABB_TO(A, a, b) __asm__("smlabb %0, %1, %2, %0" : "+r"(A) : "r"(a), "r"(b))
#define EP__SMLABT_TO(A, a, b) __asm__("smlabt %0, %1, %2, %0" : "+r"(A) : "r"(a), "r"(b))
#elif EP_S8_DSP
/* Host emulation (tests): the same lane arithmetic, modulo 2^32. */
EP_INLINE uint32_t ep__lane(int32_t v) { return (uint32_t)v & 0xffffu; }
EP_INLINE int32_t ep__lo(uint32_t v) { return (int32_t)(int16_t)(uint16_t)(v & 0xffffu); }
EP_INLINE int32_t ep__hi(uint32_t v) { return (int32_t)(int16_t)(uint16_t)(v >> 16); }
EP_INLINE uint32_t ep__sxtb16(uint32_t v) { return ep__lane((int8_t)(uint8_t)v) | ep__lane((int8_t)(uint8_t)(v >> 16)) << 16; }
EP_INLINE uint32_t ep__sxtb16_ror8(uint32_t v) { return ep__sxtb16(v >> 8 | v << 24); }
EP_INLINE uint32_t ep__sxtab16(uint32_t a, uint32_t v) {
  const uint32_t s = ep__sxtb16(v);
  return ep__lane(ep__lo(a) + ep__lo(s)) | ep__lane(ep__hi(a) + ep__hi(s)) << 16;
}
EP_INLINE uint32_t ep__sxtab16_ror8(uint32_t a, uint32_t v) { return ep__sxtab16(a, v >> 8 | v << 24); }
EP_INLINE uint32_t ep__pkhbt(uint32_t a, uint32_t b) { return (a & 0xffffu) | b << 16; }
EP_INLINE uint32_t ep__smlad(uint32_t a, uint32_t b, uint32_t acc) {
  return acc + (uint32_t)(ep__lo(a) * ep__lo(b)) + (uint32_t)(ep__hi(a) * ep__hi(b));
}
EP_INLINE uint32_t ep__smlabb(uint32_t a, uint32_t b, uint32_t acc) { return acc + (uint32_t)(ep__lo(a) * ep__lo(b)); }
EP_INLINE uint32_t ep__smlabt(uint32_t a, uint32_t b, uint32_t acc) { return acc + (uint32_t)(ep__lo(a) * ep__hi(b)); }
#define EP__SMLAD_TO(A, a, b) ((A) = ep__smlad(a, b, A))
#define EP__SMLABB_TO(A, a, b) ((A) = ep__smlabb(a, b, A))
#define EP__SMLABT_TO(A, a, b) ((A) = ep__smlabt(a, b, A))
#endif

#endif /* EP_INT8_COMMON_H */
