// iCE40 logic cells of a design from its LUTs and flip-flops: a cell holds one LUT4 and one flip-flop, and nextpnr packs
// a flip-flop into its driving LUT's cell when it can; the rest take a cell each. Fitted to placed digits-MLP designs
// (board top, ice40-up5k, nextpnr-ice40 0.4): LUT 2,840 + FF 2,071 → 3,832 cells; LUT 3,242 + FF 2,175 → 4,286;
// LUT 5,266 + FF 3,953 → 7,236 (did not fit): about half the flip-flops (0.48-0.50) take a cell of their own. The
// build checks the placed count (nextpnr) against the device.

import type { FpgaResources } from './predict.js';

/** Flip-flops that do not pack into their LUT's cell, per flip-flop (see above). */
export const UNPACKED_FF_FRACTION = 0.49;

export function predictLogicCells(r: Pick<FpgaResources, 'luts' | 'ffs'>): number {
  return Math.round(r.luts + UNPACKED_FF_FRACTION * r.ffs);
}
