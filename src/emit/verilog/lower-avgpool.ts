// Int8AveragePool of an int8 pixel stream → one ep_avgpool_stream instance: the window's sum of (x − x_zero_point)
// over its taps inside the image, requantized by the multiplier of its count (count_include_pad 0: the taps inside,
// so border windows take their own multiplier; 1: K·K), plus the output zero point, clamped; floor mode; output (r, c)
// 4 cycles after its window's step, one pixel per cycle.

import type { Int8AveragePoolAttrs } from '../../ops/int8-average-pool.js';
import { averageMultipliers, X, X_SCALE, X_ZERO, Y_SCALE, Y_ZERO } from '../../ops/util/int8-average.js';
import { EDGEPRUNE_DOMAIN } from '../../ops/util/int8-params.js';
import type { FixedPointMultiplier } from '../../quant/fixed-point.js';
import type { WindowGeometry } from './design-schedule.js';
import type { RtlLayer, RtlLowerContext, RtlLowering } from './rtl-layer.js';
import { signedBits } from './accumulator-bits.js';
import { poolWindowParams, spatialGeometry, windowLayer } from './spatial-geometry.js';
import { packedLiteral } from './verilog-literals.js';

const CONSTANTS: [number, string][] = [[X_SCALE, 'x_scale'], [X_ZERO, 'x_zero_point'], [Y_SCALE, 'y_scale'], [Y_ZERO, 'y_zero_point']];

function geometry(ctx: RtlLowerContext) {
  const attrs = ctx.attrs as Int8AveragePoolAttrs;
  if (attrs.ceilMode) return 'ceil_mode 1; ep_avgpool_stream pools in floor mode';
  for (const [i, what] of CONSTANTS) if (!ctx.constant(ctx.node.inputs[i])) return `its ${what} is computed at run time; the RTL bakes it in as a constant`;
  return spatialGeometry(ctx, attrs.kernelShape, attrs);
}

/** What an average pool bakes in: its window, whether padding counts, zero points, clamp and one multiplier per count 1..K·K. */
export interface AvgPoolConstants {
  geometry: WindowGeometry;
  countPad: boolean;
  xZero: number;
  perCount: FixedPointMultiplier[];
  yZero: number;
  actMin: number;
  actMax: number;
}

/** The constants of an Int8AveragePool node the lowering accepted (ep_avgpool_stream's parameters; the HLS emitter's). */
export function avgPoolConstants(ctx: RtlLowerContext): AvgPoolConstants {
  const { node } = ctx;
  const attrs = ctx.attrs as Int8AveragePoolAttrs;
  const g = geometry(ctx);
  if (typeof g === 'string') throw new Error(g);
  const constant = (i: number) => ctx.constant(node.inputs[i])!;
  const multiplier = averageMultipliers(constant(X_SCALE), constant(Y_SCALE), node);
  return {
    geometry: g,
    countPad: attrs.countIncludePad,
    xZero: constant(X_ZERO).at(0) as number,
    perCount: Array.from({ length: g.kernel * g.kernel }, (_, n) => multiplier(n + 1)),
    yZero: constant(Y_ZERO).at(0) as number,
    actMin: attrs.actMin,
    actMax: attrs.actMax,
  };
}

export const AVGPOOL_STREAM: RtlLowering = {
  ops: [{ domain: EDGEPRUNE_DOMAIN, opType: 'Int8AveragePool' }],
  supports: 'Int8AveragePool (square kernel, floor mode, symmetric padding counted in or out) on a pixel stream (ep_avgpool_stream)',
  refuse(ctx) {
    const g = geometry(ctx);
    return typeof g === 'string' ? g : undefined;
  },
  lower(ctx: RtlLowerContext): RtlLayer {
    const c = avgPoolConstants(ctx);
    const g = c.geometry;
    const { channels } = ctx.input as { kind: 'pixels'; channels: number };
    return windowLayer(ctx, 'avgpool-stream', g, channels, {
      delay: 4,
      module: 'ep_avgpool_stream',
      libraryFiles: ['ep_avgpool_stream.v', 'ep_window_stream.v', 'ep_requant.v'],
      params: [
        ...poolWindowParams(g, channels),
        { name: 'COUNT_PAD', value: c.countPad ? '1' : '0' },
        { name: 'X_ZP', value: String(c.xZero) },
        { name: 'MULT', value: packedLiteral(c.perCount.map((m) => m.multiplier), 31) },
        { name: 'SHIFT', value: packedLiteral(c.perCount.map((m) => m.shift), 6) },
        { name: 'Y_ZP', value: String(c.yZero) },
        { name: 'ACT_MIN', value: String(c.actMin) },
        { name: 'ACT_MAX', value: String(c.actMax) },
      ],
      reuseFactor: 1,
      // One requantizer per channel, as wide as the window's sum; the sums need no multiplier.
      requantWidths: { accBits: signedBits(-255 * g.kernel * g.kernel, 255 * g.kernel * g.kernel), multBits: 31 },
      multipliers: { weights: 0, requantizers: channels },
    });
  },
};
