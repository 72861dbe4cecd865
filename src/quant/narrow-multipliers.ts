// Narrow multipliers for FPGA (docs/numerics.md, "int8"): the weight scale of each output channel nudged so that its
// requantization multiplier, rounded to N significant bits by the layer's multiplier_bits, stands for the same real value.
//
// The layer's multipliers become narrow through the attribute multiplier_bits (channelMultipliers rounds the mantissa
// of x_scale · w_scale / y_scale to N bits: bit-exact by construction in the interpreter, C and Verilog). A float32
// weight scale alone cannot do it: x_scale / y_scale is an arbitrary ratio, and the 24-bit w_scale can put the
// 31-bit multiplier on a 2^(31-N) grid only by chance (about 1 channel in 100). What the nudge adds is accuracy:
// the weights are quantized with w_scale' = fl32(M_N · 2^-s · y_scale / x_scale), so that the real values the int8
// layer computes keep their gain (relative change of the scale ≤ 2^-N + 2^-24). For the same reason a QDQ file
// (float scales only) cannot carry narrow multipliers: such a graph is written with edgeprune's int8 ops.

import type { Graph, Node } from '../ir/graph.js';
import { MAX_MULTIPLIER_BITS, multiplierValue, quantizeMultiplier } from './fixed-point.js';

/** Beyond float32's 24-bit mantissa a nudge of w_scale cannot follow the multiplier's grid: the scale is kept. */
const FLOAT32_BITS = 24;

/** The weight scale of one channel for a layer with `bits`-bit multipliers (float32). */
export function narrowWeightScale(xScale: number, wScale: number, yScale: number, bits: number, node: Node, channel: number): number {
  if (bits >= FLOAT32_BITS || bits === MAX_MULTIPLIER_BITS) return wScale;
  const what = `requantization multiplier of node '${node.name}' channel ${channel}`;
  const target = quantizeMultiplier((xScale * wScale) / yScale, what, bits);
  // A multiplier below 2^-63 is 0 at any width: nothing to follow.
  if (target.multiplier === 0) return wScale;
  const nudged = Math.fround((multiplierValue(target) * yScale) / xScale);
  const got = quantizeMultiplier((xScale * nudged) / yScale, what, bits);
  // The nudged real is within 2^-24 of the target, far inside the half step (2^-bits) of its grid.
  if (got.multiplier !== target.multiplier || got.shift !== target.shift) {
    throw new Error(`narrowing ${what}: w_scale ${nudged} gives ${got.multiplier}·2^-${got.shift}, not ${target.multiplier}·2^-${target.shift}`);
  }
  return nudged;
}

/** Whether a node of the graph has narrow multipliers (the attribute multiplier_bits). */
export function holdsNarrowMultipliers(g: Graph): boolean {
  return g.nodes.some((n) => n.attrs.multiplier_bits !== undefined);
}
