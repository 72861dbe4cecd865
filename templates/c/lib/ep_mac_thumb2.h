/* edgeprune MCU kernels: acc + x * w as a float32 multiply then a float32 add, in Thumb-2 assembly (M-profile, no FPU). */
#ifndef EP_MAC_THUMB2_H
#define EP_MAC_THUMB2_H

#include "ep_common.h"

/* The operands the assembly leaves to the library (libgcc's __aeabi_fmul then __aeabi_fadd, -ffp-contract=off): a
 * factor or acc that is subnormal, infinite or NaN; a zero factor with acc -0 or NaN; a product or sum outside the
 * normal range; cancellation of 2 or more bits after an exponent difference of 1. The assembly tail-calls it with its
 * arguments untouched. */
__attribute__((noipa, used)) static float ep__mac_thumb2_slow(float x, float w, float acc) { return acc + x * w; }

/* acc + x * w with the product rounded to float32 (nearest, ties to even), then the sum rounded the same way: the bits
 * of `acc + x * w` in C without contraction, for every input, in about 50 instructions on normal operands (libgcc's
 * multiply then add: about 84; here the product is never packed into a float and unpacked again, and its special cases
 * are checked once). Soft-float ABI: x, w, acc and the result in r0, r1, r2, r0. bench/kernels/soft-mac.c checks it
 * against libgcc bit for bit.
 *
 * Product: x's significand with its leading 1 at bit 31 times w's at bit 23 (UMULL) leaves the product's 24 bits in
 * the high word once normalized (the leading 1 at bit 23) and every bit below them in the low word, so that rounding
 * is CMP low, 0x80000000; ADC; and clearing the last bit on an exact tie (as libgcc rounds).
 * Sum: the operand with the smaller exponent is shifted right by the difference d; the bits it loses are kept whole
 * in a second word (its significand shifted left by 32 - d), so the sum rounds exactly as above: a subtraction
 * borrows one from the significands when that word is not zero and negates it. Register-specified shifts by 32 or
 * more give 0: for d > 32 the result is the larger operand, as rounding would make it. Normalizing afterwards: a carry
 * shifts right by one (the word's bit 0 is 0 then), one bit of cancellation shifts left by one (the word's top bit
 * comes in), more cancellation with equal exponents (an exact difference) shifts by CLZ; after an exponent difference
 * of 1 it goes to the library.
 * A zero factor with a finite other factor returns acc (x * w is +-0 and acc + +-0 is acc), except for acc -0 (-0 + +0
 * is +0) and a NaN acc (the library quiets a signalling NaN). */
__attribute__((naked, noinline, unused)) static float ep__mac_thumb2(float x __attribute__((unused)),
                                                                      float w __attribute__((unused)),
                                                                      float acc __attribute__((unused))) {
  __asm__(
      "  push   {r4, r5, r6, r7, lr}\n"
      /* r3, r4: the exponents of x and w; to the library if either is 0 or 255 */
      "  mov    r12, #255\n"
      "  ands   r3, r12, r0, lsr #23\n"
      "  ittt   ne\n"
      "  andsne r4, r12, r1, lsr #23\n"
      "  teqne  r3, r12\n"
      "  teqne  r4, r12\n"
      "  beq    .Lep_mac_factor\n"
      /* the product: r5 (24 bits, leading 1 at bit 23), r6 (the bits below), r3 its biased exponent E */
      "  add    r3, r3, r4\n"
      "  mov    r4, #0x80000000\n"
      "  orr    r4, r4, r0, lsl #8\n"
      "  ubfx   r5, r1, #0, #23\n"
      "  orr    r5, r5, #0x800000\n"
      "  umull  r6, r5, r4, r5\n"
      "  cmp    r5, #0x800000\n"
      "  ittt   cc\n"
      "  lslcc  r5, r5, #1\n"
      "  orrcc  r5, r5, r6, lsr #31\n"
      "  lslcc  r6, r6, #1\n"
      "  sbc    r3, r3, #126\n"
      "  sub    r4, r3, #1\n"
      "  cmp    r4, #252\n"
      "  bhi    .Lep_mac_slow\n" /* E outside [1, 253]: the product may be subnormal or overflow */
      "  cmp    r6, #0x80000000\n"
      "  adc    r5, r5, #0\n"
      "  it     eq\n"
      "  biceq  r5, r5, #1\n" /* r5: the rounded product's significand, [2^23, 2^24] */
      /* r4: acc's exponent (to .Lep_mac_acc if 0 or 255), r7 its significand */
      "  ands   r4, r12, r2, lsr #23\n"
      "  it     ne\n"
      "  teqne  r4, r12\n"
      "  beq    .Lep_mac_acc\n"
      "  ubfx   r7, r2, #0, #23\n"
      "  orr    r7, r7, #0x800000\n"
      "  eor    r6, r0, r1\n"
      "  teq    r6, r2\n"
      "  bmi    .Lep_mac_sub\n"
      /* same signs: r12 = d = acc's exponent - E */
      "  subs   r12, r4, r3\n"
      "  blt    .Lep_mac_add_pbig\n"
      "  rsb    r6, r12, #32\n"
      "  lsl    r6, r5, r6\n"
      "  lsr    r5, r5, r12\n"
      "  add    r5, r5, r7\n"
      "  cmp    r5, #0x1000000\n"
      "  bcs    .Lep_mac_add_carry\n"
      ".Lep_mac_pack_acc:\n" /* acc's sign and exponent: acc - its significand = sign | (exponent - 1) << 23 */
      "  sub    r4, r2, r7\n"
      ".Lep_mac_round:\n" /* r4: sign | (exponent - 1) << 23, r5: significand (leading 1 at bit 23), r6: bits below */
      "  cmp    r6, #0x80000000\n"
      "  adc    r0, r4, r5\n"
      "  it     eq\n"
      "  biceq  r0, r0, #1\n"
      "  pop    {r4, r5, r6, r7, pc}\n"
      ".Lep_mac_add_carry:\n" /* the sum reached 2^24: one bit right, the exponent + 1 (to the library from 254) */
      "  lsrs   r5, r5, #1\n"
      "  rrx    r6, r6\n"
      "  cmp    r4, #254\n"
      "  beq    .Lep_mac_slow\n"
      "  sub    r4, r2, r7\n"
      "  add    r4, r4, #0x800000\n"
      "  b      .Lep_mac_round\n"
      ".Lep_mac_add_pbig:\n" /* same signs, the product's exponent larger by -d */
      "  neg    r12, r12\n"
      "  rsb    r6, r12, #32\n"
      "  lsl    r6, r7, r6\n"
      "  lsr    r7, r7, r12\n"
      "  add    r5, r5, r7\n"
      "  and    r4, r2, #0x80000000\n"
      "  add    r4, r4, r3, lsl #23\n"
      "  sub    r4, r4, #0x800000\n"
      "  cmp    r5, #0x1000000\n"
      "  bcc    .Lep_mac_round\n"
      "  lsrs   r5, r5, #1\n"
      "  rrx    r6, r6\n"
      "  add    r4, r4, #0x800000\n" /* E + 1 <= 254 */
      "  b      .Lep_mac_round\n"
      ".Lep_mac_sub:\n" /* opposite signs */
      "  subs   r12, r4, r3\n"
      "  ble    .Lep_mac_sub_pbig\n"
      "  rsb    r6, r12, #32\n"
      "  lsl    r6, r5, r6\n"
      "  lsr    r5, r5, r12\n"
      "  negs   r6, r6\n"
      "  sbc    r5, r7, r5\n" /* acc's significand - the product's shifted, borrowing when bits fell below */
      "  cmp    r5, #0x800000\n"
      "  bcs    .Lep_mac_pack_acc\n"
      "  cmp    r5, #0x400000\n"
      "  bcc    .Lep_mac_slow\n"
      "  cmp    r4, #1\n"
      "  beq    .Lep_mac_slow\n" /* the result is subnormal */
      "  lsls   r6, r6, #1\n"
      "  adc    r5, r5, r5\n"
      "  sub    r4, r2, r7\n"
      "  sub    r4, r4, #0x800000\n"
      "  b      .Lep_mac_round\n"
      ".Lep_mac_sub_pbig:\n"
      "  beq    .Lep_mac_sub_equal\n"
      "  neg    r12, r12\n" /* the product's exponent larger by r12 */
      "  rsb    r6, r12, #32\n"
      "  lsl    r6, r7, r6\n"
      "  lsr    r7, r7, r12\n"
      "  negs   r6, r6\n"
      "  sbc    r5, r5, r7\n"
      "  mvn    r4, r2\n"
      "  and    r4, r4, #0x80000000\n"
      "  add    r4, r4, r3, lsl #23\n"
      "  sub    r4, r4, #0x800000\n"
      "  cmp    r5, #0x800000\n"
      "  bcs    .Lep_mac_round\n"
      "  cmp    r5, #0x400000\n"
      "  bcc    .Lep_mac_slow\n"
      "  cmp    r3, #1\n"
      "  beq    .Lep_mac_slow\n"
      "  lsls   r6, r6, #1\n"
      "  adc    r5, r5, r5\n"
      "  sub    r4, r4, #0x800000\n"
      "  b      .Lep_mac_round\n"
      ".Lep_mac_sub_equal:\n" /* equal exponents: the difference is exact */
      "  subs   r5, r7, r5\n"
      "  beq    .Lep_mac_zero\n"
      "  and    r4, r2, #0x80000000\n"
      "  itt    mi\n"
      "  negmi  r5, r5\n"
      "  eormi  r4, r4, #0x80000000\n"
      "  clz    r12, r5\n"
      "  sub    r12, r12, #8\n"
      "  lsl    r5, r5, r12\n"
      "  subs   r3, r3, r12\n"
      "  ble    .Lep_mac_slow\n" /* the result is subnormal */
      "  sub    r3, r3, #1\n"
      "  add    r4, r4, r3, lsl #23\n"
      "  add    r0, r4, r5\n"
      "  pop    {r4, r5, r6, r7, pc}\n"
      ".Lep_mac_zero:\n" /* x * w == -acc exactly: +0 */
      "  movs   r0, #0\n"
      "  pop    {r4, r5, r6, r7, pc}\n"
      ".Lep_mac_acc:\n" /* acc is 0, subnormal, infinite or NaN: +-0 + the product is the product */
      "  lsls   r4, r2, #1\n"
      "  bne    .Lep_mac_slow\n"
      "  eor    r0, r0, r1\n"
      "  and    r0, r0, #0x80000000\n"
      "  sub    r3, r3, #1\n"
      "  add    r0, r0, r3, lsl #23\n"
      "  add    r0, r0, r5\n"
      "  pop    {r4, r5, r6, r7, pc}\n"
      ".Lep_mac_factor:\n" /* x or w is 0, subnormal, infinite or NaN */
      "  lsls   r3, r0, #1\n"
      "  beq    .Lep_mac_x_zero\n"
      "  lsls   r3, r1, #1\n"
      "  bne    .Lep_mac_slow\n"
      "  lsl    r3, r0, #1\n"
      "  b      .Lep_mac_zero_product\n"
      ".Lep_mac_x_zero:\n"
      "  lsl    r3, r1, #1\n"
      ".Lep_mac_zero_product:\n" /* r3: the other factor shifted left by one */
      "  cmp    r3, #0xff000000\n"
      "  bcs    .Lep_mac_slow\n"
      "  lsl    r3, r2, #1\n"
      "  cmp    r3, #0xff000000\n"
      "  bhi    .Lep_mac_slow\n"
      "  cmp    r2, #0x80000000\n"
      "  beq    .Lep_mac_slow\n"
      "  mov    r0, r2\n"
      "  pop    {r4, r5, r6, r7, pc}\n"
      ".Lep_mac_slow:\n"
      "  pop    {r4, r5, r6, r7, lr}\n"
      "  b      ep__mac_thumb2_slow\n");
}

#endif /* EP_MAC_THUMB2_H */
