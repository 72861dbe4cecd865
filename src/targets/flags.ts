// Compiler flags for a target: core and FPU, and the numerics contract (-std=c11 -ffp-contract=off).

import type { McuTarget } from './schema.js';

/** Flags every build of generated code uses, on the host and on targets. */
export const COMMON_CFLAGS = ['-std=c11', '-ffp-contract=off', '-ffunction-sections', '-fdata-sections'];

/** -mcpu/-mthumb/float ABI flags of the target's core and FPU. */
export function targetArchFlags(t: McuTarget): string[] {
  const fpu = t.fpu ? ['-mfloat-abi=hard', `-mfpu=${t.fpu}`] : ['-mfloat-abi=soft'];
  return [`-mcpu=${t.core}`, '-mthumb', ...fpu, ...t.cflags];
}

export function targetCFlags(t: McuTarget, optimize = 'O2'): string[] {
  return [...targetArchFlags(t), ...COMMON_CFLAGS, `-${optimize}`];
}
