// MaxPool of an int8 pixel stream → one ep_maxpool_stream instance: no requantization (MaxPool keeps the scale),
// floor mode, padded taps never win; output (r, c) 2 cycles after its window's step, one pixel per cycle.

import type { MaxPoolAttrs } from '../../ops/max-pool.js';
import type { RtlLayer, RtlLowerContext, RtlLowering } from './rtl-layer.js';
import { poolWindowParams, spatialGeometry, windowLayer } from './spatial-geometry.js';

function geometry(ctx: RtlLowerContext) {
  const attrs = ctx.attrs as MaxPoolAttrs;
  if (ctx.node.outputs.length > 1 && ctx.node.outputs[1]) return 'its Indices output is used; ep_maxpool_stream gives the values only';
  if (attrs.ceilMode) return 'ceil_mode 1; ep_maxpool_stream pools in floor mode';
  const x = ctx.type(ctx.node.inputs[0]);
  if (x.dtype !== 'int8') return `its input is ${x.dtype}; the RTL pools int8 values`;
  return spatialGeometry(ctx, attrs.kernelShape, attrs);
}

export const MAXPOOL_STREAM: RtlLowering = {
  ops: [{ domain: '', opType: 'MaxPool' }],
  supports: 'MaxPool of int8 (square kernel, floor mode, symmetric padding) on a pixel stream (ep_maxpool_stream)',
  refuse(ctx) {
    const g = geometry(ctx);
    return typeof g === 'string' ? g : undefined;
  },
  lower(ctx: RtlLowerContext): RtlLayer {
    const g = geometry(ctx);
    if (typeof g === 'string') throw new Error(g);
    const { channels } = ctx.input as { kind: 'pixels'; channels: number };
    return windowLayer(ctx, 'maxpool-stream', g, channels, {
      delay: 2,
      module: 'ep_maxpool_stream',
      libraryFiles: ['ep_maxpool_stream.v', 'ep_window_stream.v'],
      params: poolWindowParams(g, channels),
      reuseFactor: 1,
      multipliers: { weights: 0, requantizers: 0 },
    });
  },
};
