// Int8Conv on a pixel stream at reuse factor R > 1 → one ep_conv_folded instance on P multipliers, weights in a ROM:
// R = C_OUT·K·K·C_IN/P issue cycles per output pixel (as the reuse factor of a dense layer: products / multipliers),
// so --reuse-factor R asks for P = C_OUT·K·K·C_IN/R, legal when P divides K·K·C_IN.

import { EDGEPRUNE_DOMAIN } from '../../ops/util/int8-params.js';
import { convConstants, convLayer, convParams } from './conv-layer.js';
import { windowOutputSize } from './design-schedule.js';
import type { RtlLayer, RtlLowerContext, RtlLowering } from './rtl-layer.js';
import { windowLayer } from './spatial-geometry.js';

/** The legal reuse factors of a folded conv, ascending: C_OUT·TAPS/P for every P dividing TAPS, above 1. */
export function convReuseFactors(taps: number, cOut: number): number[] {
  const out: number[] = [];
  for (let p = taps; p >= 1; p--) if (taps % p === 0 && (cOut * taps) / p > 1) out.push((cOut * taps) / p);
  return out;
}

function describeLegal(rfs: number[]): string {
  return rfs.length <= 10 ? rfs.join(', ') : `${rfs.slice(0, 6).join(', ')}, …, ${rfs.slice(-2).join(', ')}`;
}

export const CONV_FOLDED: RtlLowering = {
  ops: [{ domain: EDGEPRUNE_DOMAIN, opType: 'Int8Conv' }],
  supports: 'Int8Conv on a pixel stream folded at reuse factor C_OUT·K·K·C_IN/P for P dividing K·K·C_IN (ep_conv_folded, weights in block RAM)',
  refuse(ctx) {
    if (ctx.reuseFactor === 1) return 'reuse factor 1 is ep_conv_stream\'s';
    const l = convLayer(ctx);
    if (typeof l === 'string') return l;
    const legal = convReuseFactors(l.taps, l.cOut);
    if (!legal.includes(ctx.reuseFactor)) {
      return `reuse factor ${ctx.reuseFactor} cannot fold a conv of ${l.cOut}·${l.taps} products per pixel (R = C_OUT·K·K·C_IN/P, P dividing K·K·C_IN = ${l.taps}); its reuse factors: 1, ${describeLegal(legal)}`;
    }
    return undefined;
  },
  lower(ctx: RtlLowerContext): RtlLayer {
    const l = convLayer(ctx);
    if (typeof l === 'string') throw new Error(l);
    const c = convConstants(ctx);
    const rf = ctx.reuseFactor;
    const p = (l.cOut * l.taps) / rf;
    const out = windowOutputSize(l.geometry);
    return windowLayer(ctx, 'conv-folded', l.geometry, l.cOut, {
      delay: 0,
      issue: rf,
      module: 'ep_conv_folded',
      libraryFiles: ['ep_conv_folded.v', 'ep_window_stream.v', 'ep_requant.v'],
      params: convParams(l, c, [{ name: 'P', value: String(p) }]),
      // A frame's H·W steps, each output window's R − 1 issue cycles more (README: 9,216 for the digits conv2 at P = 8).
      initiationInterval: l.geometry.height * l.geometry.width + out.height * out.width * (rf - 1),
      reuseFactor: rf,
      multipliers: { weights: p, requantizers: c.liveRequantizers > 0 ? 1 : 0 },
    });
  },
};
