// Shared by Int8AveragePool and Int8GlobalAveragePool: the per-window-size multipliers and the accumulator bound.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { quantizeMultiplier, type FixedPointMultiplier } from '../../quant/fixed-point.js';
import type { ValueType } from '../op-def.js';
import { required } from './check.js';
import { checkScale, checkZeroPoint, requireInt8, scaleValue } from './int8-params.js';

/** Inputs of both int8 average pools. */
export const X = 0, X_SCALE = 1, X_ZERO = 2, Y_SCALE = 3, Y_ZERO = 4;

/**
 * Largest window an int32 accumulator holds in every case: each tap adds x − x_zero_point, at most 255
 * in magnitude, so a window of n taps sums to at most 255·n ≤ 2^31 − 1.
 */
export const MAX_AVERAGE_TAPS = Math.floor((2 ** 31 - 1) / 255);

export function checkAverageInputs(inputs: readonly (ValueType | undefined)[], node: Node): ValueType {
  const x = required(inputs, X, node);
  requireInt8(x, node, 'input x');
  checkScale(required(inputs, X_SCALE, node), node, 'x_scale');
  checkZeroPoint(required(inputs, X_ZERO, node), node, 'x_zero_point');
  checkScale(required(inputs, Y_SCALE, node), node, 'y_scale');
  checkZeroPoint(required(inputs, Y_ZERO, node), node, 'y_zero_point');
  return x;
}

export function checkWindowTaps(taps: number, node: Node): void {
  if (taps > MAX_AVERAGE_TAPS) {
    throw nodeError(node, `its window holds ${taps} taps; an int8 average sums at most ${MAX_AVERAGE_TAPS} taps in an int32 accumulator`);
  }
}

/**
 * The fixed-point multiplier of a window of `count` taps: x_scale / (y_scale · count), in float64 from the
 * float32 scales. The one place every backend takes the average pools' constants from.
 */
export function averageMultiplier(xScale: Tensor, yScale: Tensor, count: number, node: Node): FixedPointMultiplier {
  const sx = scaleValue(xScale, 0, node, 'x_scale');
  const sy = scaleValue(yScale, 0, node, 'y_scale');
  return quantizeMultiplier(sx / (sy * count), `averaging multiplier of node '${node.name}' (window of ${count} taps)`);
}

/** Multipliers by window size, made once per distinct count. */
export function averageMultipliers(xScale: Tensor, yScale: Tensor, node: Node): (count: number) => FixedPointMultiplier {
  const cache = new Map<number, FixedPointMultiplier>();
  return (count) => {
    let m = cache.get(count);
    if (!m) {
      m = averageMultiplier(xScale, yScale, count, node);
      cache.set(count, m);
    }
    return m;
  };
}
