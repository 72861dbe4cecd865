// The resources of an FPGA design that follow from its structure alone: DSP blocks (each multiply split into the
// family's tiles the way Yosys's mul2dsp splits it) and block RAMs (each ROM or RAM the Verilog forces into block RAM,
// in the family's block shapes). The LUT and flip-flop models (features.ts) also read the split: the pieces too small
// for a DSP block stay in logic.

import type { FpgaFamily } from '../../../hw-sim/yosys/synth.js';

export interface MultiplySplit {
  /** DSP blocks the multiply takes. */
  dsps: number;
  /** Σ a·b over the pieces left in logic (a LUT multiplier's size). */
  logicBits: number;
  /** Pieces in all (their partial products are summed in logic). */
  pieces: number;
}

interface DspShape {
  aMax: number;
  bMax: number;
  aMin: number;
  bMin: number;
  yMin: number;
}

/**
 * synth_ice40 -dsp: mul2dsp with DSP_A_MAXWIDTH = DSP_B_MAXWIDTH = 16, minimum widths 2 and 2, a product of at least
 * 11 bits; synth_xilinx: 25 × 18 signed (DSP48E1), minimum widths 2 and 2 and no minimum product.
 */
const DSP_SHAPES: Record<FpgaFamily, DspShape> = {
  ice40: { aMax: 16, bMax: 16, aMin: 2, bMin: 2, yMin: 11 },
  xc7: { aMax: 25, bMax: 18, aMin: 2, bMin: 2, yMin: 1 },
};

/**
 * The tiles of an a × b multiply with a y-bit product (yosys techlibs/common/mul2dsp.v): the wider operand first,
 * split into slices of max − 1 bits (one bit of sign headroom) and a last slice holding the sign, recursively; a
 * slice under the minimum widths stays in logic.
 */
export function splitMultiply(family: FpgaFamily, a: number, b: number, aSigned: boolean, bSigned: boolean, y: number): MultiplySplit {
  const s = DSP_SHAPES[family];
  // Only the original $mul is swapped (wider operand as A); the slices ($__mul) are split as they come.
  const go = (aw: number, bw: number, as: boolean, bs: boolean, yw: number, top = false): MultiplySplit => {
    if (aw < s.aMin || bw < s.bMin || yw < s.yMin) return { dsps: 0, logicBits: aw * bw, pieces: 1 };
    if (top && aw < bw) return go(bw, aw, bs, as, yw);
    const headroom = as || bs ? 1 : 0;
    const slice = (max: number, w: number, sgn: boolean, other: number, otherSigned: boolean, aSide: boolean): MultiplySplit => {
      const chunk = max - headroom;
      const n = Math.floor((w - headroom - 1) / chunk);
      const lastW = w - n * chunk;
      const partialY = Math.min(yw, other + max);
      const parts: MultiplySplit[] = [];
      for (let i = 0; i < n; i++) parts.push(aSide ? go(chunk, other, false, otherSigned, partialY) : go(other, chunk, otherSigned, false, partialY));
      parts.push(aSide ? go(lastW, other, sgn, otherSigned, other + lastW) : go(other, lastW, otherSigned, sgn, other + lastW));
      return parts.reduce((t, p) => ({ dsps: t.dsps + p.dsps, logicBits: t.logicBits + p.logicBits, pieces: t.pieces + p.pieces }), { dsps: 0, logicBits: 0, pieces: 0 });
    };
    if (aw > s.aMax) return slice(s.aMax, aw, as, bw, bs, true);
    if (bw > s.bMax) return slice(s.bMax, bw, bs, aw, as, false);
    return { dsps: 1, logicBits: 0, pieces: 1 };
  };
  return go(a, b, aSigned, bSigned, y, true);
}

/** Block shapes (depth × width) of the family's block RAM, and what one counts as (RAMB18E1 = half a RAMB36E1). */
const BRAM_SHAPES: Record<FpgaFamily, { depth: number; width: number; units: number }[]> = {
  // SB_RAM40_4K: 256 × 16, 512 × 8, 1024 × 4, 2048 × 2.
  ice40: [256, 512, 1024, 2048].map((depth) => ({ depth, width: 4096 / depth, units: 1 })),
  // RAMB18E1 (simple dual port up to 36 wide) and RAMB36E1 (up to 72 wide).
  xc7: [
    ...[[512, 36], [1024, 18], [2048, 9], [4096, 4], [8192, 2], [16384, 1]].map(([depth, width]) => ({ depth, width, units: 0.5 })),
    ...[[512, 72], [1024, 36], [2048, 18], [4096, 9], [8192, 4], [16384, 2], [32768, 1]].map(([depth, width]) => ({ depth, width, units: 1 })),
  ],
};

/** Block RAMs a depth × width memory takes: the cheapest tiling by one block shape. */
export function bramBlocks(family: FpgaFamily, depth: number, width: number): number {
  return Math.min(...BRAM_SHAPES[family].map((s) => Math.ceil(depth / s.depth) * Math.ceil(width / s.width) * s.units));
}
