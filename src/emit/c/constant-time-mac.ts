// --constant-time-mac: the soft-float MAC kernels built with templates/c/lib/ep_mac_ct.h (a multiply then add whose
// instruction count does not depend on the operands), and who may ask for it.

import { UserError } from '../../errors.js';
import type { McuTarget } from '../../targets/schema.js';

export const CONSTANT_TIME_MAC_FLAG = '--constant-time-mac';
export const CONSTANT_TIME_MAC_HELP = 'Cortex-M3-class targets without an FPU, float32: a constant-time soft-float multiply-accumulate (no zero shortcut, subnormals and specials in line; slower per MAC, the same bits), so that the MAC kernels\' instruction count does not depend on the data (an exact worst case for them)';

/**
 * Refuse --constant-time-mac where it has no meaning: a target with an FPU (its VFMA already takes the same time on every
 * operand), an int8 model (integer MACs, already data-independent), a Cortex-M0 (not built for it: its multiply and
 * count-leading-zeros are library calls).
 */
export function checkConstantTimeMac(target: McuTarget, precision: 'float32' | 'int8'): void {
  if (target.fpu) {
    throw new UserError(`${CONSTANT_TIME_MAC_FLAG}: ${target.name} has an FPU (${target.fpu}), whose fused multiply-add takes the same instructions on every operand: the float MAC kernels are already data-independent there; drop the flag`);
  }
  if (precision === 'int8') {
    throw new UserError(`${CONSTANT_TIME_MAC_FLAG}: the model is int8, whose integer multiply-accumulates are already data-independent; drop the flag, or add --precision float32 (int8 is the default on a target without an FPU when the model can be quantized)`);
  }
  if (target.core === 'cortex-m0' || target.core === 'cortex-m0plus') {
    throw new UserError(`${CONSTANT_TIME_MAC_FLAG}: not available on ${target.name} (${target.core}): the constant-time MAC is built and checked for Thumb-2 cores without an FPU (Cortex-M3, or M4/M7/M33 without one)`);
  }
}
