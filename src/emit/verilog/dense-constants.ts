// What every dense lowering (ep_dense_rf1, ep_dense_folded) takes from an Int8Gemm node: the checks that it can be
// built (one input row, a vector stream, every constant known) and its constants as the modules' parameters (weights,
// the bias folded with the input zero point, the requantization constants of channelMultipliers: never recomputed).

import { nodeError } from '../../errors.js';
import type { Int8GemmAttrs } from '../../ops/int8-gemm.js';
import { channelMultipliers, LAYER_INPUTS, multiplierBits } from '../../ops/util/int8-params.js';
import { layerAccumulatorBits } from './accumulator-bits.js';
import type { Tensor } from '../../ir/tensor.js';
import type { RtlLowerContext, RtlParam } from './rtl-layer.js';
import { packedLiteral } from './verilog-literals.js';

const { X, X_SCALE, X_ZERO, W, W_SCALE, Y_SCALE, Y_ZERO, BIAS } = LAYER_INPUTS;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The constant inputs the hardware bakes in: all but x (the bias may be absent). */
const CONSTANT_INPUTS: [number, string][] = [[X_SCALE, 'x_scale'], [X_ZERO, 'x_zero_point'], [W, 'weight w'], [W_SCALE, 'w_scale'], [Y_SCALE, 'y_scale'], [Y_ZERO, 'y_zero_point'], [BIAS, 'bias B']];

/**
 * B[m] − x_zero_point · Σ_k w[m][k]: the hardware sums x[k] · w[m][k] on the raw int8 inputs, so the zero point's share
 * moves into the bias (as test/verilog/dense-layers.ts and the C kernels do). It must stay an int32.
 */
export function foldedBias(weights: Int8Array, bias: Int32Array | undefined, xZero: number, nIn: number, nOut: number, node: { name: string; opType: string }): number[] {
  return Array.from({ length: nOut }, (_, m) => {
    let sum = 0;
    for (let k = 0; k < nIn; k++) sum += weights[m * nIn + k];
    const folded = (bias ? bias[m] : 0) - xZero * sum;
    if (folded < INT32_MIN || folded > INT32_MAX) throw nodeError(node, `output ${m}: the bias folded with the input zero point (${folded}) does not fit an int32`, 'quantize the model again (edgeprune quantize): its bias or input zero point is out of the usual range');
    return folded;
  });
}

/** Why an Int8Gemm cannot become a dense module whatever its reuse factor, or undefined (`serial`: it may take its input one element per beat). */
export function refuseDense(ctx: RtlLowerContext, serial = false): string | undefined {
  const kind = ctx.input.kind;
  if (kind === 'elements' && !serial) return 'its input arrives one element per beat; this module takes the whole vector in one beat';
  if (kind !== 'vector' && kind !== 'elements') return `its input arrives as ${kind}; a dense layer takes a vector (put a Flatten before it)`;
  const x = ctx.type(ctx.node.inputs[X]);
  if (x.shape.length !== 2 || x.shape[0] !== 1) return `its input has shape ${x.shape.join('x')}; the RTL takes one row (1 x K) per beat`;
  return refuseRuntimeConstants(ctx);
}

/** Why an int8 layer (Int8Gemm, Int8Conv) cannot be built because a constant the hardware bakes in is computed. */
export function refuseRuntimeConstants(ctx: RtlLowerContext): string | undefined {
  for (const [i, what] of CONSTANT_INPUTS) {
    const name = ctx.node.inputs[i];
    if (name && !ctx.constant(name)) return `its ${what} is computed at run time; the RTL bakes it in as a constant`;
  }
  return undefined;
}

export interface DenseConstants {
  /** Inputs per output (a conv's K·K·C_IN). */
  nIn: number;
  nOut: number;
  /**
   * Row-major [nOut][nIn] (a conv's weight as it is); a dense layer's columns in the order of its input's bytes
   * (the vector format's `order`: column i is the model's column order[i]).
   */
  weights: Int8Array;
  foldedBias: number[];
  /** The input zero point (folded into foldedBias; a conv's padded taps read it). */
  xZero: number;
  requant: { multiplier: number; shift: number }[];
  yZero: number;
  actMin: number;
  actMax: number;
  nonZeroWeights: number;
  /** Requantizers with a non-zero multiplier (an output whose multiplier is 0 is a constant). */
  liveRequantizers: number;
  /** The exact accumulator width of the layer and the multipliers' significant bits (multiplier_bits). */
  accBits: number;
  multBits: number;
}

export function denseConstants(ctx: RtlLowerContext): DenseConstants {
  const { node } = ctx;
  const value = (i: number): Tensor => ctx.constant(node.inputs[i])!;
  const w = value(W);
  const nOut = w.shape[0];
  const nIn = w.size / nOut;
  const order = ctx.input.kind === 'vector' || ctx.input.kind === 'elements' ? ctx.input.order : undefined;
  const raw = w.data as Int8Array;
  const weights = order ? Int8Array.from({ length: nOut * nIn }, (_, i) => raw[Math.floor(i / nIn) * nIn + order[i % nIn]]) : raw;
  const bias = node.inputs[BIAS] ? (value(BIAS).data as Int32Array) : undefined;
  const { actMin, actMax } = ctx.attrs as Int8GemmAttrs;
  const requant = channelMultipliers(value(X_SCALE), value(W_SCALE), value(Y_SCALE), nOut, node);
  const folded = foldedBias(weights, bias, value(X_ZERO).at(0) as number, nIn, nOut, node);
  return {
    nIn, nOut, weights,
    foldedBias: folded,
    xZero: value(X_ZERO).at(0) as number,
    requant,
    yZero: value(Y_ZERO).at(0) as number,
    actMin, actMax,
    nonZeroWeights: weights.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0),
    liveRequantizers: requant.filter((m) => m.multiplier !== 0).length,
    accBits: layerAccumulatorBits(weights, folded, nIn),
    multBits: multiplierBits(node),
  };
}

/** The parameters every dense module shares, with `weights` (nOut rows of `nIn` columns) as given. */
export function denseParams(c: DenseConstants, nIn: number, weights: Int8Array): RtlParam[] {
  return [
    { name: 'N_IN', value: String(nIn) },
    { name: 'N_OUT', value: String(c.nOut) },
    { name: 'WEIGHTS', value: packedLiteral(weights, 8) },
    { name: 'BIAS', value: packedLiteral(c.foldedBias, 32) },
    { name: 'MULT', value: packedLiteral(c.requant.map((m) => m.multiplier), 31) },
    { name: 'SHIFT', value: packedLiteral(c.requant.map((m) => m.shift), 6) },
    { name: 'Y_ZP', value: String(c.yZero) },
    { name: 'ACT_MIN', value: String(c.actMin) },
    { name: 'ACT_MAX', value: String(c.actMax) },
  ];
}
