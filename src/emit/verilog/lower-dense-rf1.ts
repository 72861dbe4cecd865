// Int8Gemm (one input row) at reuse factor 1 → one ep_dense_rf1 instance: every product in parallel, a zero weight
// builds nothing, and inputs whose every weight is zero are not wired at all (dense-constants.ts gives the constants).

import { EDGEPRUNE_DOMAIN, LAYER_INPUTS } from '../../ops/util/int8-params.js';
import { denseConstants, denseParams, refuseDense } from './dense-constants.js';
import type { RtlLayer, RtlLowerContext, RtlLowering } from './rtl-layer.js';

export { foldedBias } from './dense-constants.js';

export const DENSE_RF1: RtlLowering = {
  ops: [{ domain: EDGEPRUNE_DOMAIN, opType: 'Int8Gemm' }],
  supports: 'Int8Gemm with one input row, at reuse factor 1 (ep_dense_rf1)',
  refuse(ctx) {
    if (ctx.reuseFactor !== 1) return `reuse factor ${ctx.reuseFactor} was asked; ep_dense_rf1 runs at reuse factor 1`;
    return refuseDense(ctx);
  },
  lower(ctx: RtlLowerContext): RtlLayer {
    const { node } = ctx;
    const c = denseConstants(ctx);
    const { nIn, nOut, weights } = c;
    // Inputs without any non-zero weight (pruned away) are not wired to the instance at all.
    const used = Array.from({ length: nIn }, (_, k) => k).filter((k) => Array.from({ length: nOut }, (_, m) => weights[m * nIn + k]).some((v) => v !== 0));
    const columns = used.length === nIn || used.length === 0 ? undefined : used;
    const kept = columns ? Int8Array.from({ length: nOut * columns.length }, (_, i) => weights[Math.floor(i / columns.length) * nIn + columns[i % columns.length]]) : weights;
    return {
      kind: 'dense-rf1',
      node: node.name,
      op: node.opType,
      input: node.inputs[LAYER_INPUTS.X],
      output: node.outputs[0],
      inFormat: ctx.input,
      outFormat: { kind: 'vector', elements: nOut },
      hardware: {
        module: 'ep_dense_rf1',
        libraryFiles: ['ep_dense_rf1.v', 'ep_requant.v'],
        // The accumulator and multiplier widths (ACC_BITS, MULT_BITS, from src/emit/verilog/accumulator-bits.ts on
        // the i10-quant branch) join these parameters when ep_dense_rf1 takes them; today's module is 32-bit wide.
        params: denseParams(c, columns ? columns.length : nIn, kept),
        inputBytes: columns,
        latencyCycles: 3,
        reuseFactor: 1,
        initiationInterval: 1,
        multipliers: { weights: c.nonZeroWeights, requantizers: c.liveRequantizers },
      },
    };
  },
};
