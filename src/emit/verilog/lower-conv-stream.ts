// Int8Conv on a pixel stream at reuse factor 1 → one ep_conv_stream instance: every product of a pixel in one cycle
// (a zero weight builds nothing), one requantizer per output channel, output (r, c) 4 cycles after its window's step.

import { EDGEPRUNE_DOMAIN, LAYER_INPUTS } from '../../ops/util/int8-params.js';
import { convConstants, convLayer, convParams, MAX_CONV_TAPS } from './conv-layer.js';
import { isolatedLatency, windowBeatTimes } from './design-schedule.js';
import { windowOutputSize } from './design-schedule.js';
import type { RtlLayer, RtlLowerContext, RtlLowering } from './rtl-layer.js';

export const CONV_STREAM: RtlLowering = {
  ops: [{ domain: EDGEPRUNE_DOMAIN, opType: 'Int8Conv' }],
  supports: 'Int8Conv (group 1, square kernel, symmetric padding up to \'same\') on a pixel stream at reuse factor 1 (ep_conv_stream)',
  refuse(ctx) {
    if (ctx.reuseFactor !== 1) return `reuse factor ${ctx.reuseFactor} was asked; ep_conv_stream runs at reuse factor 1`;
    const l = convLayer(ctx);
    if (typeof l === 'string') return l;
    if (l.taps > MAX_CONV_TAPS) return `K·K·C_IN = ${l.taps} products per output channel, more than ep_conv_stream's ${MAX_CONV_TAPS}`;
    return undefined;
  },
  lower(ctx: RtlLowerContext): RtlLayer {
    const { node } = ctx;
    const l = convLayer(ctx);
    if (typeof l === 'string') throw new Error(l);
    const c = convConstants(ctx);
    const out = windowOutputSize(l.geometry);
    const beatTimes = (offered: readonly number[]) => windowBeatTimes(l.geometry, offered, 4);
    return {
      kind: 'conv-stream',
      node: node.name,
      op: node.opType,
      input: node.inputs[LAYER_INPUTS.X],
      output: node.outputs[0],
      inFormat: ctx.input,
      outFormat: { kind: 'pixels', height: out.height, width: out.width, channels: l.cOut },
      hardware: {
        module: 'ep_conv_stream',
        libraryFiles: ['ep_conv_stream.v', 'ep_window_stream.v', 'ep_requant.v'],
        params: convParams(l, c),
        latencyCycles: isolatedLatency(l.geometry.height * l.geometry.width, beatTimes),
        initiationInterval: l.geometry.height * l.geometry.width,
        reuseFactor: 1,
        beatTimes,
        multipliers: { weights: c.nonZeroWeights, requantizers: c.liveRequantizers },
      },
    };
  },
};
