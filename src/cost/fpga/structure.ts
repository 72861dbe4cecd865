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
  /** Slice widths when splitting (DSP_A_MAXWIDTH_PARTIAL, DSP_B_MAXWIDTH_PARTIAL). */
  aPartial: number;
  bPartial: number;
  aMin: number;
  bMin: number;
  yMin: number;
  /** DSP_SIGNEDONLY: the block multiplies signed operands only (one bit of sign headroom per slice). */
  signedOnly: boolean;
}

/**
 * synth_ice40 -dsp: mul2dsp with DSP_A_MAXWIDTH = DSP_B_MAXWIDTH = 16 (SB_MAC16 takes either signedness), minimum
 * widths 2 and 2, a product of at least 11 bits. synth_xilinx: 25 × 18, slices of 18, signed only (DSP48E1); exact
 * on every case of the xc7 calibration suite (edgeprune calibrate --target xc7a35t). A constant operand is first
 * trimmed of its zero low bits by opt_expr (the caller passes its odd part's width: features.ts).
 */
const DSP_SHAPES: Record<FpgaFamily, DspShape> = {
  ice40: { aMax: 16, bMax: 16, aPartial: 16, bPartial: 16, aMin: 2, bMin: 2, yMin: 11, signedOnly: false },
  xc7: { aMax: 25, bMax: 18, aPartial: 18, bPartial: 18, aMin: 2, bMin: 2, yMin: 1, signedOnly: true },
};

const add = (parts: MultiplySplit[]): MultiplySplit => parts.reduce((t, p) => ({ dsps: t.dsps + p.dsps, logicBits: t.logicBits + p.logicBits, pieces: t.pieces + p.pieces }), { dsps: 0, logicBits: 0, pieces: 0 });

/**
 * The tiles of an a × b multiply with a y-bit product, as yosys techlibs/common/mul2dsp.v decomposes it: the original
 * $mul gets the wider operand as A; an operand over its maximum is cut into slices of the partial width (less one
 * bit of sign headroom on signed-only blocks) and a last slice with the sign, each slice mapped again; a multiply
 * under the minimum widths stays in logic.
 */
export function splitMultiply(family: FpgaFamily, a: number, b: number, aSigned: boolean, bSigned: boolean, y: number): MultiplySplit {
  const s = DSP_SHAPES[family];
  const headroom = s.signedOnly ? 1 : 0;
  const go = (aw: number, bw: number, as: boolean, bs: boolean, yw: number, top: boolean): MultiplySplit => {
    if (aw < s.aMin || bw < s.bMin || yw < s.yMin) return { dsps: 0, logicBits: aw * bw, pieces: 1 };
    if (top && s.signedOnly && !as && !bs) return go(aw + 1, bw + 1, true, true, yw, true);
    if (top && aw < bw) return go(bw, aw, bs, as, yw, false);
    if (aw > s.aMax) {
      const chunk = s.aPartial - headroom;
      const n = Math.floor((aw - s.aMax + s.aPartial - headroom - 1) / chunk);
      const lastW = aw - n * chunk;
      const partialY = Math.min(yw, bw + s.aPartial);
      return add([...Array.from({ length: n }, () => go(s.aPartial, bw, s.signedOnly, bs, partialY, false)), go(lastW, bw, as, bs, bw + lastW, false)]);
    }
    if (bw > s.bMax) {
      const chunk = s.bPartial - headroom;
      const n = Math.floor((bw - s.bMax + s.bPartial - headroom - 1) / chunk);
      const lastW = bw - n * chunk;
      const partialY = Math.min(yw, aw + s.bPartial);
      return add([...Array.from({ length: n }, () => go(aw, s.bPartial, as, s.signedOnly, partialY, false)), go(aw, lastW, as, bs, aw + lastW, false)]);
    }
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
