// Int8Gemm (one input row) at reuse factor 1 → one ep_dense_rf1 instance: the weights as a packed parameter (a zero
// weight builds nothing), the bias folded with the input zero point, the requantization constants from
// channelMultipliers (the one definition the interpreter uses too; never recomputed here).

import { nodeError } from '../../errors.js';
import type { Int8GemmAttrs } from '../../ops/int8-gemm.js';
import { channelMultipliers, EDGEPRUNE_DOMAIN, LAYER_INPUTS } from '../../ops/util/int8-params.js';
import type { Tensor } from '../../ir/tensor.js';
import type { RtlLayer, RtlLowerContext, RtlLowering } from './rtl-layer.js';
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

export const DENSE_RF1: RtlLowering = {
  ops: [{ domain: EDGEPRUNE_DOMAIN, opType: 'Int8Gemm' }],
  supports: 'Int8Gemm with one input row, at reuse factor 1 (ep_dense_rf1)',
  refuse(ctx) {
    if (ctx.reuseFactor !== 1) return `reuse factor ${ctx.reuseFactor} was asked; ep_dense_rf1 runs at reuse factor 1`;
    if (ctx.input.kind !== 'vector') return `its input arrives as ${ctx.input.kind}; a dense layer takes the whole vector in one beat (put a Flatten before it)`;
    const x = ctx.type(ctx.node.inputs[X]);
    if (x.shape.length !== 2 || x.shape[0] !== 1) return `its input has shape ${x.shape.join('x')}; the RTL takes one row (1 x K) per beat`;
    for (const [i, what] of CONSTANT_INPUTS) {
      const name = ctx.node.inputs[i];
      if (name && !ctx.constant(name)) return `its ${what} is computed at run time; the RTL bakes it in as a constant`;
    }
    return undefined;
  },
  lower(ctx: RtlLowerContext): RtlLayer {
    const { node } = ctx;
    const value = (i: number): Tensor => ctx.constant(node.inputs[i])!;
    const w = value(W);
    const [nOut, nIn] = w.shape;
    // Columns in the order the input beat carries the elements (a permuted vector: see StreamFormat).
    const order = ctx.input.kind === 'vector' ? ctx.input.order : undefined;
    const raw = w.data as Int8Array;
    const weights = order ? Int8Array.from(raw, (_, i) => raw[Math.floor(i / nIn) * nIn + order[i % nIn]]) : raw;
    const bias = node.inputs[BIAS] ? (value(BIAS).data as Int32Array) : undefined;
    const xZero = value(X_ZERO).at(0) as number;
    const yZero = value(Y_ZERO).at(0) as number;
    const { actMin, actMax } = ctx.attrs as Int8GemmAttrs;
    const requant = channelMultipliers(value(X_SCALE), value(W_SCALE), value(Y_SCALE), nOut, node);
    const nonZero = weights.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
    // Inputs without any non-zero weight (pruned away) are not wired to the instance at all.
    const used = Array.from({ length: nIn }, (_, k) => k).filter((k) => Array.from({ length: nOut }, (_, m) => weights[m * nIn + k]).some((v) => v !== 0));
    const columns = used.length === nIn || used.length === 0 ? undefined : used;
    const kept = columns ? Int8Array.from({ length: nOut * columns.length }, (_, i) => weights[Math.floor(i / columns.length) * nIn + columns[i % columns.length]]) : weights;
    return {
      kind: 'dense-rf1',
      node: node.name,
      op: node.opType,
      input: node.inputs[X],
      output: node.outputs[0],
      inFormat: ctx.input,
      outFormat: { kind: 'vector', elements: nOut },
      hardware: {
        module: 'ep_dense_rf1',
        libraryFiles: ['ep_dense_rf1.v', 'ep_requant.v'],
        // The accumulator and multiplier widths (ACC_BITS, MULT_BITS, from src/emit/verilog/accumulator-bits.ts on
        // the i10-quant branch) join these parameters when ep_dense_rf1 takes them; today's module is 32-bit wide.
        params: [
          { name: 'N_IN', value: String(columns ? columns.length : nIn) },
          { name: 'N_OUT', value: String(nOut) },
          { name: 'WEIGHTS', value: packedLiteral(kept, 8) },
          { name: 'BIAS', value: packedLiteral(foldedBias(weights, bias, xZero, nIn, nOut, node), 32) },
          { name: 'MULT', value: packedLiteral(requant.map((m) => m.multiplier), 31) },
          { name: 'SHIFT', value: packedLiteral(requant.map((m) => m.shift), 6) },
          { name: 'Y_ZP', value: String(yZero) },
          { name: 'ACT_MIN', value: String(actMin) },
          { name: 'ACT_MAX', value: String(actMax) },
        ],
        inputBytes: columns,
        latencyCycles: 3,
        multipliers: { weights: nonZero, requantizers: requant.filter((m) => m.multiplier !== 0).length },
      },
    };
  },
};
