// The constants of one RTL layer instance read back from its parameters (the packed literals of
// src/emit/verilog/verilog-literals.ts), and the widths ep_dense_folded derives from them at elaboration (its
// accumulator AB, the narrow multiplier MW, one shift for all outputs EQ, shared constants): the cost model sizes the
// hardware from what the Verilog builds, not from what the lowering assumed.

import type { RtlHardware } from '../../emit/verilog/rtl-layer.js';

/** A parameter's value (a decimal integer or a packed literal `<bits>'h<hex>`) as a BigInt. */
function paramBigInt(hw: RtlHardware, name: string): bigint {
  const p = hw.params.find((q) => q.name === name);
  if (!p) throw new Error(`${hw.module}: no parameter ${name}`);
  const m = /^(\d+)'h([0-9a-fA-F]+)$/.exec(p.value);
  return m ? BigInt(`0x${m[2]}`) : BigInt(p.value);
}

/** An integer parameter. */
export function intParam(hw: RtlHardware, name: string): number {
  return Number(paramBigInt(hw, name));
}

/** `count` fields of `bits` bits of a packed parameter, two's complement when `signed`. */
export function packedParam(hw: RtlHardware, name: string, bits: number, count: number, signed: boolean): number[] {
  const packed = paramBigInt(hw, name);
  const mask = (1n << BigInt(bits)) - 1n;
  return Array.from({ length: count }, (_, i) => {
    const v = (packed >> BigInt(bits * i)) & mask;
    return Number(signed && v >> BigInt(bits - 1) === 1n ? v - (1n << BigInt(bits)) : v);
  });
}

export const clog2 = (n: number): number => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** Set bits of a non-negative integer. */
export function popcount(v: number): number {
  let n = 0;
  for (let x = BigInt(v); x > 0n; x >>= 1n) n += Number(x & 1n);
  return n;
}

/** Bits of a non-negative integer (0 for 0). */
export const bitLength = (v: number): number => (v <= 0 ? 0 : Math.floor(Math.log2(v)) + 1);

/** The requantization constants of a dense module as its Verilog narrows them. */
export interface RequantShape {
  /** Every output shares one multiplier and shift (ep_dense_folded keeps them as constants). */
  shared: boolean;
  /** One shift for every output after rescaling (ep_dense_folded's EQ: its barrel shifter folds away). */
  equalShifts: boolean;
  /** The multiplier's significant bits as multiplied (ep_requant's MULT_BITS). */
  multBits: number;
  /**
   * The bits synthesis multiplies by: the widest multiplier actually stored (a ROM bit that is zero in every word is
   * a constant zero, which Yosys trims from the multiply).
   */
  effectiveMultBits: number;
  /** Per output: the multiplier as multiplied (0 for a dead output). */
  narrow: number[];
}

/** A dense module's layer: sizes, weights, biases and requantization constants from its parameters. */
export interface DenseParams {
  nIn: number;
  nOut: number;
  weights: number[];
  bias: number[];
  mult: number[];
  shift: number[];
}

export function denseParamsOf(hw: RtlHardware): DenseParams {
  const nIn = intParam(hw, 'N_IN');
  const nOut = intParam(hw, 'N_OUT');
  return {
    nIn, nOut,
    weights: packedParam(hw, 'WEIGHTS', 8, nIn * nOut, true),
    bias: packedParam(hw, 'BIAS', 32, nOut, true),
    mult: packedParam(hw, 'MULT', 31, nOut, false),
    shift: packedParam(hw, 'SHIFT', 6, nOut, false),
  };
}

const trailingZeros = (m: number): number => {
  if (m === 0) return 31;
  let z = 0;
  while (((m >>> z) & 1) === 0) z++;
  return z;
};

/** ep_dense_folded's narrowing (shared_requant, min_shift, equal_shifts, rescale_of, common_zeros, narrow_mult). */
export function foldedRequantShape(d: DenseParams): RequantShape {
  const shared = d.mult.every((m, o) => m === d.mult[0] && d.shift[o] === d.shift[0]);
  const live = d.mult.map((m) => m !== 0);
  const sMin = Math.min(63, ...d.shift.filter((_, o) => live[o]));
  const equalShifts = sMin < 63 && d.mult.every((m, o) => !live[o] || d.shift[o] - sMin <= trailingZeros(m));
  const rescale = (o: number) => (equalShifts && live[o] ? d.shift[o] - sMin : 0);
  let z = 30;
  d.mult.forEach((m, o) => {
    if (!live[o]) return;
    z = Math.min(z, trailingZeros(m) - rescale(o), d.shift[o] - rescale(o) - 1);
  });
  z = Math.max(0, z);
  const narrow = d.mult.map((m, o) => Math.floor(m / 2 ** (rescale(o) + z)));
  return { shared, equalShifts, multBits: 31 - z, effectiveMultBits: Math.max(1, ...narrow.map(bitLength)), narrow };
}

/** ep_requant at MULT_BITS = b (ep_dense_rf1: the quantizer's multiplier_bits): M >> (31 - b). */
export function rf1RequantShape(d: DenseParams, multBits: number): RequantShape {
  const narrow = d.mult.map((m) => Math.floor(m / 2 ** (31 - multBits)));
  return { shared: false, equalShifts: false, multBits, effectiveMultBits: Math.max(1, ...narrow.map(bitLength)), narrow };
}
