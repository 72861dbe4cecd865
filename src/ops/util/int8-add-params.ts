// Int8Add's rescaling constants: both inputs brought to a common fixed-point scale, then requantized to the output's.
//
// With s = 2·max(a_scale, b_scale) (float64 from the float32 scales) and a left shift of 20 bits:
//   a_multiplier = a_scale / s, b_multiplier = b_scale / s  (both in (0, 1/2]),
//   y_multiplier = s / (2^20 · y_scale).
// The one place every backend takes these constants from (docs/numerics.md, "int8", Add).

import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { quantizeMultiplier, type FixedPointMultiplier } from '../../quant/fixed-point.js';
import { scaleValue } from './int8-params.js';

/** Bits the zero-point-free inputs are shifted left by before rescaling: |x − zero_point| ≤ 255 then needs 28 bits. */
export const ADD_LEFT_SHIFT = 20;

export interface AddMultipliers {
  a: FixedPointMultiplier;
  b: FixedPointMultiplier;
  y: FixedPointMultiplier;
}

export function addMultipliers(aScale: Tensor, bScale: Tensor, yScale: Tensor, node: Node): AddMultipliers {
  const sa = scaleValue(aScale, 0, node, 'a_scale');
  const sb = scaleValue(bScale, 0, node, 'b_scale');
  const sy = scaleValue(yScale, 0, node, 'y_scale');
  const twiceMax = 2 * Math.max(sa, sb);
  const what = (x: string) => `${x} multiplier of node '${node.name}'`;
  return {
    a: quantizeMultiplier(sa / twiceMax, what('input A')),
    b: quantizeMultiplier(sb / twiceMax, what('input B')),
    y: quantizeMultiplier(twiceMax / (2 ** ADD_LEFT_SHIFT * sy), what('output')),
  };
}
