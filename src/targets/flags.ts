// Compiler flags for a target: core and FPU, and the numerics contract (-std=c11 -ffp-contract=off).

import type { McuTarget } from './schema.js';

/** Flags every build of generated code uses, on the host and on targets. */
export const COMMON_CFLAGS = ['-std=c11', '-ffp-contract=off', '-ffunction-sections', '-fdata-sections'];

/** -mcpu/-mthumb/float ABI flags of the target's core and FPU. */
export function targetArchFlags(t: McuTarget): string[] {
  const fpu = t.fpu ? ['-mfloat-abi=hard', `-mfpu=${t.fpu}`] : ['-mfloat-abi=soft'];
  return [`-mcpu=${t.core}`, '-mthumb', ...fpu, ...t.cflags];
}

/**
 * Preprocessor defines that make the C kernels compute as on the target, for its build and for a host build whose
 * results are compared with it bit for bit: EP_SEPARATE_MAC (templates/c/lib/ep_mac.h) is 1 on a core without an
 * FPU (a float32 multiply then add, the bias last) and 0 with one (fmaf, the bias first).
 */
export function kernelDefines(t: McuTarget): Record<string, string> {
  return { EP_SEPARATE_MAC: t.fpu ? '0' : '1' };
}

export function targetCFlags(t: McuTarget, optimize = 'O2'): string[] {
  return [...targetArchFlags(t), ...COMMON_CFLAGS, `-${optimize}`];
}
