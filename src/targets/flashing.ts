// Whether a target's real board can be flashed (targets/<name>.json "flashing"), and what with.

import { UserError } from '../errors.js';
import type { McuTarget } from './schema.js';

/** A target that edgeprune flash can program: its name and its flashing block. */
export interface FlashableBoard {
  target: string;
  openocdTarget: string;
  base: string;
  stflash: boolean;
  serial: string;
}

/** The target's flashing block, or the refusal (exit 2) that says why it cannot be flashed. */
export function flashableBoard(target: McuTarget): FlashableBoard {
  const f = target.flashing;
  if (!f) {
    throw new UserError(
      `target ${target.name} cannot be flashed: targets/${target.name}.json has no "flashing" block (openocd's target script and the flash base)`,
      'add one (see README.md, "Real boards"), or run the model in QEMU (verify without --port)',
    );
  }
  if ('unsupported' in f) throw new UserError(`target ${target.name} cannot be flashed: ${f.unsupported}`);
  return { target: target.name, ...f };
}
