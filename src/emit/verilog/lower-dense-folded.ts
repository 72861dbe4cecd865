// Int8Gemm (one input row) at reuse factor RF > 1 → one ep_dense_folded instance: P = N_IN·N_OUT/RF multipliers
// working through the weights in a block-RAM ROM, one shared requantizer; a new vector every RF cycles. Legal RF:
// N_OUT·K where K divides N_IN (templates/verilog/lib/ep_dense_folded.v). Its outputs leave one element per beat
// (SERIAL_OUT: they are computed one after the other anyway), and at P = 1 it takes a serial input too (SERIAL_IN:
// the vector in block RAM, not in flip-flops); lower-rtl.ts collects the elements where a whole vector is needed.

import { EDGEPRUNE_DOMAIN, LAYER_INPUTS } from '../../ops/util/int8-params.js';
import { foldedAccumulatorBits } from './accumulator-bits.js';
import { denseConstants, denseParams, refuseDense } from './dense-constants.js';
import { isolatedLatency } from './design-schedule.js';
import { beatsPerVector, type RtlLayer, type RtlLowerContext, type RtlLowering } from './rtl-layer.js';

/** The legal reuse factors of a folded nIn → nOut layer, ascending (RF = nOut·K, K a divisor of nIn, K > 1 or nOut > 1). */
export function foldedReuseFactors(nIn: number, nOut: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= nIn; k++) if (nIn % k === 0 && nOut * k > 1) out.push(nOut * k);
  return out;
}

function describeLegal(rfs: number[]): string {
  return rfs.length <= 8 ? rfs.join(', ') : `${rfs.slice(0, 4).join(', ')}, …, ${rfs.slice(-2).join(', ')}`;
}

export const DENSE_FOLDED: RtlLowering = {
  ops: [{ domain: EDGEPRUNE_DOMAIN, opType: 'Int8Gemm' }],
  supports: 'Int8Gemm with one input row, folded at reuse factor N_OUT·K for K dividing N_IN (ep_dense_folded, weights in block RAM, serial input at reuse factor N_IN·N_OUT)',
  refuse(ctx) {
    if (ctx.reuseFactor === 1) return 'reuse factor 1 is ep_dense_rf1\'s';
    const refused = refuseDense(ctx, true);
    if (refused) return refused;
    const w = ctx.type(ctx.node.inputs[LAYER_INPUTS.W]).shape;
    const legal = foldedReuseFactors(w[1], w[0]);
    if (!legal.includes(ctx.reuseFactor)) return `reuse factor ${ctx.reuseFactor} cannot fold a ${w[1]}→${w[0]} layer; its reuse factors: 1, ${describeLegal(legal)}`;
    if (ctx.input.kind === 'elements' && ctx.reuseFactor !== w[0] * w[1]) {
      return `its input arrives one element per beat, which ep_dense_folded reads from block RAM at reuse factor N_IN·N_OUT = ${w[0] * w[1]} only`;
    }
    return undefined;
  },
  lower(ctx: RtlLowerContext): RtlLayer {
    const { node } = ctx;
    const c = denseConstants(ctx);
    const rf = ctx.reuseFactor;
    const parallel = (c.nIn * c.nOut) / rf;
    const perOutput = rf / c.nOut;
    const serialIn = ctx.input.kind === 'elements';
    // An idle layer reads a vector's first word with its input beat, or the cycle after its last element; y[o] is
    // offered (o + 1)·K + 6 cycles after that first read (ep_dense_folded.v, "Cycles").
    const beatTimes = (offered: readonly number[]): number[] => {
      const firstRead = serialIn ? offered[offered.length - 1] + 1 : offered[0];
      return Array.from({ length: c.nOut }, (_, o) => firstRead + (o + 1) * perOutput + 6);
    };
    return {
      kind: 'dense-folded',
      node: node.name,
      op: node.opType,
      input: node.inputs[LAYER_INPUTS.X],
      output: node.outputs[0],
      inFormat: ctx.input,
      outFormat: { kind: 'elements', elements: c.nOut },
      hardware: {
        module: 'ep_dense_folded',
        libraryFiles: ['ep_dense_folded.v', 'ep_requant.v'],
        params: [
          { name: 'RF', value: String(rf) },
          ...denseParams(c, c.nIn, c.weights),
          { name: 'ACC_BITS', value: String(foldedAccumulatorBits(c.weights, c.foldedBias, c.nIn)) },
          { name: 'LUT_PRODUCTS', value: ctx.productsInLogic ? '1' : '0' },
          { name: 'SERIAL_IN', value: serialIn ? '1' : '0' },
          { name: 'SERIAL_OUT', value: '1' },
        ],
        latencyCycles: isolatedLatency(beatsPerVector(ctx.input), beatTimes),
        beatTimes,
        reuseFactor: rf,
        initiationInterval: rf,
        // The quick DSP count's widths (fpga-project.ts): the exact accumulator width; ep_dense_folded's ACC_BITS is its
        // bound above, at least 17 bits and otherwise at most one bit wider.
        requantWidths: { accBits: c.accBits, multBits: c.multBits },
        multipliers: { weights: parallel, requantizers: c.liveRequantizers > 0 ? 1 : 0 },
      },
    };
  },
};
