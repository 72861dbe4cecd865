// What both conv lowerings (ep_conv_stream at reuse factor 1, ep_conv_folded above it) take from an Int8Conv node:
// the checks that it can stream (group 1, one input row, a square window the modules take, every constant known) and
// its parameters (the weight as it is, the bias folded with X_ZP and the requantization constants from
// dense-constants.ts: never recomputed here).

import type { Int8ConvAttrs } from '../../ops/int8-conv.js';
import { LAYER_INPUTS } from '../../ops/util/int8-params.js';
import { denseConstants, refuseRuntimeConstants, type DenseConstants } from './dense-constants.js';
import type { WindowGeometry } from './design-schedule.js';
import type { RtlLowerContext, RtlParam } from './rtl-layer.js';
import { spatialGeometry } from './spatial-geometry.js';
import { packedLiteral } from './verilog-literals.js';

/** ep_conv_stream's bound on the products of one output channel (templates/verilog/lib/README.md). */
export const MAX_CONV_TAPS = 16384;

export interface ConvLayer {
  geometry: WindowGeometry;
  cIn: number;
  cOut: number;
  /** K·K·C_IN. */
  taps: number;
}

/** The conv's geometry and sizes, or why the streaming modules cannot build it. */
export function convLayer(ctx: RtlLowerContext): ConvLayer | string {
  const attrs = ctx.attrs as Int8ConvAttrs;
  if (attrs.group !== 1) return `group ${attrs.group}; the streaming conv takes group 1 (no grouped or depthwise conv)`;
  const w = ctx.type(ctx.node.inputs[LAYER_INPUTS.W]).shape;
  if (w.length !== 4) return `its weight has shape ${w.join('x')}; the streaming conv is 2-D`;
  const geometry = spatialGeometry(ctx, w.slice(2), attrs);
  if (typeof geometry === 'string') return geometry;
  const refused = refuseRuntimeConstants(ctx);
  if (refused) return refused;
  const taps = w[1] * w[2] * w[3];
  return { geometry, cIn: w[1], cOut: w[0], taps };
}

/** ep_conv_stream's parameters, with `extra` (ep_conv_folded's P) after STRIDE. */
export function convParams(l: ConvLayer, c: DenseConstants, extra: RtlParam[] = []): RtlParam[] {
  const g = l.geometry;
  return [
    { name: 'H', value: String(g.height) },
    { name: 'W', value: String(g.width) },
    { name: 'C_IN', value: String(l.cIn) },
    { name: 'C_OUT', value: String(l.cOut) },
    { name: 'K', value: String(g.kernel) },
    { name: 'PAD', value: String(g.pad) },
    { name: 'STRIDE', value: String(g.stride) },
    ...extra,
    { name: 'X_ZP', value: String(c.xZero) },
    { name: 'WEIGHTS', value: packedLiteral(c.weights, 8) },
    { name: 'BIAS', value: packedLiteral(c.foldedBias, 32) },
    { name: 'MULT', value: packedLiteral(c.requant.map((m) => m.multiplier), 31) },
    { name: 'SHIFT', value: packedLiteral(c.requant.map((m) => m.shift), 6) },
    { name: 'Y_ZP', value: String(c.yZero) },
    { name: 'ACT_MIN', value: String(c.actMin) },
    { name: 'ACT_MAX', value: String(c.actMax) },
  ];
}

export { denseConstants as convConstants };
