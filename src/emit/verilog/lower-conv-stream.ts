// Int8Conv on a pixel stream at reuse factor 1 → one ep_conv_stream instance: every product of a pixel in one cycle
// (a zero weight builds nothing), one requantizer per output channel, output (r, c) 4 cycles after its window's step.

import { EDGEPRUNE_DOMAIN } from '../../ops/util/int8-params.js';
import { convConstants, convLayer, convParams, MAX_CONV_TAPS } from './conv-layer.js';
import type { RtlLayer, RtlLowerContext, RtlLowering } from './rtl-layer.js';
import { windowLayer } from './spatial-geometry.js';

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
    const l = convLayer(ctx);
    if (typeof l === 'string') throw new Error(l);
    const c = convConstants(ctx);
    return windowLayer(ctx, 'conv-stream', l.geometry, l.cOut, {
      delay: 4,
      module: 'ep_conv_stream',
      libraryFiles: ['ep_conv_stream.v', 'ep_window_stream.v', 'ep_requant.v'],
      params: convParams(l, c),
      reuseFactor: 1,
      multipliers: { weights: c.nonZeroWeights, requantizers: c.liveRequantizers },
    });
  },
};
