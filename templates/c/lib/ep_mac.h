/* edgeprune MCU kernels: the float kernels' multiply-accumulate (conv, dense, sparse), with or without an FPU. */
#ifndef EP_MAC_H
#define EP_MAC_H

#include "ep_common.h"

/* Multiply-accumulate acc + x * w in the kernels' sums. With a single-precision FPU: fmaf, one fused VFMA (correctly
 * rounded, so an x86 host build gives the same bits), and sums start from the bias. Without one (soft float: Cortex-M0
 * and M3, RISC-V without F), fmaf is a double-precision library call (about 140 instructions per MAC on a Cortex-M3):
 * a float32 multiply then a float32 add instead, and the bias added after the sum, which is what the reference
 * interpreter computes (docs/numerics.md). EP_SEPARATE_MAC (0 or 1) overrides the choice: a host build checking a
 * soft-float target's results defines it as the target does (src/targets/flags.ts kernelDefines). */
#ifndef EP_SEPARATE_MAC
#if (defined(__arm__) && !defined(__ARM_FP)) || (defined(__riscv) && !defined(__riscv_flen))
#define EP_SEPARATE_MAC 1
#else
#define EP_SEPARATE_MAC 0
#endif
#endif
/* EP_MAC_THUMB2 (0 or 1): with EP_SEPARATE_MAC on a Thumb-2 M-profile core without an FPU (Cortex-M3, and M4/M7/M33
 * built without one), the multiply then add is one assembly routine (ep_mac_thumb2.h, the same bits); elsewhere
 * (Cortex-M0, RISC-V, a host build checking a soft-float target) it is the C expression. */
#ifndef EP_MAC_THUMB2
#if EP_SEPARATE_MAC && defined(__GNUC__) && defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && \
    __ARM_ARCH_PROFILE == 'M' && !defined(__ARM_FP) && !defined(__ARM_PCS_VFP)
#define EP_MAC_THUMB2 1
#else
#define EP_MAC_THUMB2 0
#endif
#endif
#if EP_SEPARATE_MAC && EP_MAC_THUMB2
#include "ep_mac_thumb2.h"
#define EP_MAC(x, w, acc) ep__mac_thumb2((x), (w), (acc))
#elif EP_SEPARATE_MAC
#define EP_MAC(x, w, acc) ((acc) + (x) * (w))
#else
#define EP_MAC(x, w, acc) fmaf((x), (w), (acc))
#endif

/* The start of output i's sum (its bias when the bias comes first) and the finished sum (plus the bias when it comes
 * last); bias may be NULL. */
EP_INLINE float ep__sum_start(const float *bias, int i) { return bias && !EP_SEPARATE_MAC ? bias[i] : 0.0f; }
EP_INLINE float ep__sum_end(float acc, const float *bias, int i) { return bias && EP_SEPARATE_MAC ? acc + bias[i] : acc; }

#endif /* EP_MAC_H */
