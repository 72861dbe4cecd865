// Flags that only one kind of target reads (--reuse-factor on FPGA targets, --trace on MCU targets...): refused by
// name when given for the other kind, in one line.

import { UserError } from '../errors.js';

/** Throw for the first of `flags` that was given: it is for `kind` targets, and `target` is not one. */
export function refuseOtherKindFlags(flags: readonly (readonly [string, unknown])[], kind: 'FPGA' | 'MCU', target: string, hint?: (flag: string) => string): void {
  const targetKind = kind === 'FPGA' ? 'an MCU' : 'an FPGA target';
  for (const [flag, given] of flags) {
    if (given) throw new UserError(`${flag} is for ${kind} targets; ${target} is ${targetKind}`, hint?.(flag));
  }
}
