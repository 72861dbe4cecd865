// Measured worst-case costs of the data-dependent float paths, for the worst-case instruction bound (worst-case.ts).
//
// Soft-float multiply-accumulate on a Thumb-2 core without FPU (templates/c/lib/ep_mac_thumb2.h), instructions per
// MAC of a dot product on QEMU lm3s6965 (Cortex-M3), from `node dist/bench/kernels/soft-mac.js` (bench/kernels/
// soft-mac.c): normal operands 57.09; a zero factor 26.00 / 29.00; the library path: subnormal 191.97, infinite 79.00,
// NaN 75.00, overflowing products 91.99, the smallest subnormal (libgcc normalizes it one bit at a time) 269.98, both
// factors the smallest subnormal 327.99, float32 max times the smallest subnormal 234.00. libgcc's own `acc + x * w`:
// normal 91.00, its worst (both the smallest subnormal) 311.00. test/c-kernels/soft-mac.test.ts checks that no
// operand class of the bench exceeds these worst figures.

/**
 * ep_mac_ct.h's multiply-accumulate (compile --constant-time-mac) on every operand class, the same 169.00 instructions
 * per MAC of the dot product (`node dist/bench/kernels/soft-mac.js --constant-time`): the calibration's MAC term, measured
 * with ep_mac_thumb2.h, is priced at SOFT_MAC_NORMAL and moves by the difference.
 */
export const SOFT_MAC_CONSTANT_TIME = 169.0;
/** EP_MAC on normal operands (the calibration's `fma` coefficient prices this path). */
export const SOFT_MAC_NORMAL = 57.09;
/** EP_MAC's worst when one factor (a weight array without subnormals) is normal: the other the smallest subnormal. */
export const SOFT_MAC_WORST_ONE_FACTOR = 270;
/** EP_MAC's worst when both factors can be subnormal (a run-time value times a run-time value, or subnormal weights). */
export const SOFT_MAC_WORST_BOTH_FACTORS = 328;
/**
 * Other float kernels in soft float (compares, adds, multiplies through libgcc): priced at this multiple of their
 * calibrated (normal-operand) cost, libgcc's worst over normal for the multiply then add (311 / 91 = 3.42, rounded
 * up). Not proven for every routine; verify checks the bound on adversarial vectors.
 */
export const SOFT_FLOAT_WORST_FACTOR = 3.5;
/**
 * Data-dependent kernels on an FPU core (a max pool's second pass over a window with a NaN, argmax's taken branches,
 * ep_math.h's range reductions): at most this multiple of their calibrated cost (a second pass over the data).
 * Not proven for every kernel; verify checks the bound on adversarial vectors.
 */
export const FPU_DEPENDENT_WORST_FACTOR = 2;
