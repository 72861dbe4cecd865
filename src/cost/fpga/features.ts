// Per-layer features of an RTL design for the FPGA cost model: for each library module instance, the terms its LUT
// and flip-flop counts are linear in (fitted per module by calibrate.ts), and its DSP blocks and block RAMs from
// structure (structure.ts). The terms count what the module's Verilog builds at these parameters: products, adder
// bits, ROM bits left in logic, the requantizer's multiply pieces left in logic, registers.

import type { FpgaFamily } from '../../../hw-sim/yosys/synth.js';
import type { RtlHardware, RtlLayer } from '../../emit/verilog/rtl-layer.js';
import { bitLength, clog2, denseParamsOf, foldedRequantShape, intParam, popcount, rf1RequantShape, type RequantShape } from './params.js';
import { bramBlocks, splitMultiply, type MultiplySplit } from './structure.js';

/** Where the multipliers go (FpgaProject.multipliers): DSP blocks or logic. */
export type FpgaMapping = 'dsp' | 'lut';

export interface LayerFeatures {
  /** The module (the calibration's key). */
  module: string;
  lutTerms: Record<string, number>;
  ffTerms: Record<string, number>;
  dsps: number;
  brams: number;
}

/** The terms of each module's LUT and flip-flop formulas (the calibration file has a coefficient for each). */
export const MODULE_TERMS: Record<string, { lut: readonly string[]; ff: readonly string[] }> = {
  ep_dense_folded: {
    lut: ['one', 'vectorInBits', 'counterBits', 'shiftAddProducts', 'logicProducts', 'adderBits', 'romLogicBits', 'requantLogicBits', 'requantConstantBits', 'requantPieceBits', 'shifterBits', 'requantBits', 'serialIn'],
    ff: ['one', 'vectorInBits', 'chunkBits', 'productBits', 'accBits', 'constantBits', 'requantLogicProduct', 'requantDspProduct', 'counterBits', 'serialIn'],
  },
  ep_dense_rf1: {
    lut: ['one', 'weightOnes', 'productBits', 'treeBits', 'requantOnesBits', 'requantPieceBits', 'requantBits', 'outputs'],
    ff: ['one', 'accBits', 'requantLogicProduct', 'requantDspProduct', 'outputs', 'inputs'],
  },
  ep_collect: { lut: ['one', 'countBits', 'bits'], ff: ['one', 'countBits', 'bits'] },
  ep_argmax: { lut: ['one', 'compareBits', 'indexBits'], ff: ['one', 'indexBits'] },
  // The board top (board.ts), not a layer: the UART line protocol around the core.
  ep_uart_top: { lut: ['one', 'inBits', 'outBits', 'nameBytes', 'hexCount', 'divider'], ff: ['one', 'inBits', 'outBits', 'nameBytes', 'hexCount', 'divider'] },
};

/** The requantizer's multiply (acc × {0, M}) on the family with this mapping. */
function requantSplit(family: FpgaFamily, mapping: FpgaMapping, accBits: number, multBits: number): MultiplySplit {
  if (mapping === 'lut') return { dsps: 0, logicBits: accBits * (multBits + 1), pieces: 1 };
  return splitMultiply(family, accBits, multBits + 1, true, true, accBits + multBits);
}

/** ROM bits a LUT4 ROM of `depth` words spends per output bit (16 words per LUT, a mux tree above). */
const romLutsPerBit = (depth: number) => Math.max(1, 2 * Math.ceil(depth / 16) - 1);

function denseFolded(hw: RtlHardware, family: FpgaFamily, mapping: FpgaMapping): LayerFeatures {
  const d = denseParamsOf(hw);
  const rf = intParam(hw, 'RF');
  const lutProducts = intParam(hw, 'LUT_PRODUCTS') !== 0;
  const serialIn = intParam(hw, 'SERIAL_IN') !== 0;
  const k = rf / d.nOut;
  const p = d.nIn / k;
  const np = lutProducts ? 2 * p : p;
  const ab = intParam(hw, 'ACC_BITS');
  const q: RequantShape = foldedRequantShape(d);
  const mw = q.multBits;
  const constantWidth = q.shared ? 0 : q.equalShifts ? mw : mw + 6;
  const split = requantSplit(family, mapping, ab, q.effectiveMultBits);
  const productsOnDsp = !lutProducts && mapping === 'dsp';
  const productSplit = productsOnDsp ? splitMultiply(family, 8, 8, true, true, 16) : { dsps: 0, logicBits: 0, pieces: 0 };
  const counterBits = Math.max(1, clog2(rf)) + Math.max(1, clog2(k)) + Math.max(1, clog2(d.nOut));
  // Weight ROM RF × 8P bits, the serial input's buffer of two vectors (each padded to a power of two) × 8 bits.
  const brams = bramBlocks(family, rf, 8 * p) + (serialIn ? bramBlocks(family, 2 * 2 ** Math.max(1, clog2(k)), 8) : 0);
  return {
    module: hw.module,
    lutTerms: {
      one: 1,
      vectorInBits: serialIn ? 0 : 8 * d.nIn,
      counterBits,
      shiftAddProducts: lutProducts ? p : 0,
      logicProducts: !lutProducts && mapping === 'lut' ? p : 0,
      adderBits: ab * np,
      romLogicBits: (ab + constantWidth) * romLutsPerBit(d.nOut),
      // A multiplier shared by every output is a constant: in logic, one adder per set bit.
      requantLogicBits: q.shared && mapping === 'lut' ? 0 : split.logicBits,
      requantConstantBits: q.shared && mapping === 'lut' ? popcount(q.narrow[0]) * ab : 0,
      requantPieceBits: (split.pieces - 1) * (ab + mw),
      shifterBits: q.shared || q.equalShifts ? 0 : (ab + mw + 1) * 6,
      requantBits: ab + mw,
      serialIn: serialIn ? 1 : 0,
    },
    ffTerms: {
      one: 1,
      vectorInBits: serialIn ? 0 : 8 * d.nIn,
      chunkBits: serialIn ? 0 : 8 * p,
      productBits: productsOnDsp ? 0 : 16 * np,
      accBits: 2 * ab,
      constantBits: constantWidth,
      requantLogicProduct: mapping === 'lut' ? ab + mw : 0,
      requantDspProduct: mapping === 'dsp' ? ab + mw : 0,
      counterBits,
      serialIn: serialIn ? 1 : 0,
    },
    dsps: split.dsps + p * productSplit.dsps,
    brams,
  };
}

/** A constant's odd part (v / 2^trailing zeros): Yosys multiplies by it and shifts (opt_expr trims the zero bits). */
const oddPart = (v: number): number => {
  let x = v;
  while (x !== 0 && x % 2 === 0) x /= 2;
  return x;
};

function denseRf1(hw: RtlHardware, family: FpgaFamily, mapping: FpgaMapping): LayerFeatures {
  const d = denseParamsOf(hw);
  const ab = intParam(hw, 'ACC_BITS');
  const q = rf1RequantShape(d, intParam(hw, 'MULT_BITS'));
  const live = q.narrow.filter((m) => m !== 0);
  // Each requantizer multiplies acc by its constant's odd part ({0, M} signed: one bit more than M's significant bits).
  const trimmed = live.map((m) => bitLength(oddPart(m)));
  const splits = trimmed.map((b) => requantSplit(family, mapping, ab, b));
  const nonZero = d.weights.filter((w) => w !== 0);
  const perOutput = Array.from({ length: d.nOut }, (_, o) => d.weights.slice(o * d.nIn, (o + 1) * d.nIn).filter((w) => w !== 0).length);
  const productSplit = mapping === 'dsp' ? splitMultiply(family, 8, 8, true, true, 16) : { dsps: 0, logicBits: 0, pieces: 0 };
  // Products on DSP blocks: a weight of ±2^n is a shift (and a negation), no block; equal products x[i]·w of two
  // outputs are one cell (opt_merge; x[i]·w and x[i]·2w are not: the zero bits are trimmed after merging).
  const dspProducts = new Set(d.weights.flatMap((w, j) => (w !== 0 && Math.abs(oddPart(w)) !== 1 ? [`${j % d.nIn}:${w}`] : []))).size;
  const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
  return {
    module: hw.module,
    lutTerms: {
      one: 1,
      // A constant product in logic: one adder per set bit of the 16-bit two's complement weight.
      weightOnes: mapping === 'lut' ? nonZero.reduce((s, w) => s + popcount(w & 0xffff), 0) : 0,
      // The products in logic: every one, or on DSP blocks those of the weights ±2^n (shifts and negations).
      productBits: 16 * (mapping === 'lut' ? nonZero.length : nonZero.filter((w) => Math.abs(oddPart(w)) === 1).length),
      treeBits: ab * perOutput.reduce((s, n) => s + n, 0),
      requantOnesBits: mapping === 'lut' ? live.reduce((s, m) => s + popcount(m), 0) * ab : 0,
      requantPieceBits: mapping === 'dsp' ? sum(splits.map((p, o) => p.logicBits + (p.pieces - 1) * (ab + trimmed[o]))) : 0,
      requantBits: sum(trimmed.map((b) => ab + b)),
      outputs: d.nOut,
    },
    ffTerms: {
      one: 1,
      accBits: ab * d.nOut,
      requantLogicProduct: mapping === 'lut' ? sum(trimmed.map((b) => ab + b)) : 0,
      requantDspProduct: mapping === 'dsp' ? sum(trimmed.map((b) => ab + b)) : 0,
      outputs: d.nOut,
      inputs: d.nIn,
    },
    dsps: sum(splits.map((p) => p.dsps)) + dspProducts * productSplit.dsps,
    brams: 0,
  };
}

function collect(hw: RtlHardware): LayerFeatures {
  const n = intParam(hw, 'N');
  const c = intParam(hw, 'C');
  const terms = { one: 1, countBits: clog2(n + 1), bits: 8 * n * c };
  return { module: hw.module, lutTerms: terms, ffTerms: { ...terms }, dsps: 0, brams: 0 };
}

function argmax(hw: RtlHardware): LayerFeatures {
  const n = intParam(hw, 'N');
  const idx = 8 * intParam(hw, 'IDX_BYTES');
  return { module: hw.module, lutTerms: { one: 1, compareBits: 8 * Math.max(0, n - 1), indexBits: idx * Math.max(0, n - 1) }, ffTerms: { one: 1, indexBits: idx }, dsps: 0, brams: 0 };
}

/** The features of one layer, or undefined for a module the cost model has no formula for (named by the caller). */
export function layerFeatures(layer: RtlLayer, family: FpgaFamily, mapping: FpgaMapping): LayerFeatures | undefined {
  const hw = layer.hardware;
  if (!hw) return undefined;
  switch (hw.module) {
    case 'ep_dense_folded':
      return denseFolded(hw, family, mapping);
    case 'ep_dense_rf1':
      return denseRf1(hw, family, mapping);
    case 'ep_collect':
      return collect(hw);
    case 'ep_argmax':
      return argmax(hw);
    default:
      return undefined;
  }
}
