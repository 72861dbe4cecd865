// Fake quantization for quantization-aware training: int8-grid values forward, straight-through gradients backward.
//
// The forward rules are those of the int8 quantizer (docs/numerics.md "int8", src/quant/qparams.ts):
//   weights, per output channel (symmetric): s = fl32(max|w| / 127) (1 for an all-zero channel),
//     w_fq = s · clamp(round_half_even(fl32(w / s)), −127, 127); the scale follows the current weights.
//   activations, per tensor (asymmetric, fixed scale s and zero point z from calibration):
//     x_fq = s · (clamp(round_half_even(fl32(x / s)) + z, −128, 127) − z).
// TF.js rounds half to even (tf.round), as the quantizer does. Backward (straight-through estimator):
// weights pass the gradient unchanged (every weight lies within its channel's grid, the scale is not
// differentiated); activations pass it where x lies within the grid's range [s·(−128 − z), s·(127 − z)]
// and block it where the value saturates. A zero weight quantizes to zero, so pruned weights stay zero.

import * as tf from './tf.js';

type CustomGradient = Parameters<typeof tf.customGrad>[0];

/** Per-tensor int8 activation parameters: real = scale · (q − zeroPoint). */
export interface ActivationGrid {
  scale: number;
  zeroPoint: number;
}

/** The real range an activation grid represents: [s·(−128 − z), s·(127 − z)] (float32 products). */
export function gridRange(p: ActivationGrid): { min: number; max: number } {
  return { min: Math.fround(p.scale * (-128 - p.zeroPoint)), max: Math.fround(p.scale * (127 - p.zeroPoint)) };
}

/**
 * Fake-quantize a TF.js weight per output channel. `channelAxes` are the axes that index the output
 * channel (the last axis of Conv2D and Dense kernels, the last two of a DepthwiseConv2D kernel); the
 * maximum is taken over the others (over the whole tensor when there are none: per-tensor weights).
 */
export function fakeQuantWeights(w: tf.Tensor, channelAxes: readonly number[]): tf.Tensor {
  const reduce = w.shape.map((_, i) => i).filter((i) => !channelAxes.includes(i));
  const op = tf.customGrad(((x: tf.Tensor) => {
    const value = tf.tidy(() => {
      const maxAbs = reduce.length ? tf.max(tf.abs(x), reduce, true) : tf.abs(x);
      const scale = tf.where(tf.greater(maxAbs, 0), tf.div(maxAbs, 127), tf.onesLike(maxAbs));
      return tf.mul(tf.clipByValue(tf.round(tf.div(x, scale)), -127, 127), scale);
    });
    return { value, gradFunc: (dy: tf.Tensor) => [dy] };
  }) as CustomGradient);
  return op(w);
}

/** Fake-quantize an activation with fixed per-tensor parameters; the gradient passes only within the grid's range. */
export function fakeQuantActivation(x: tf.Tensor, p: ActivationGrid): tf.Tensor {
  const { min, max } = gridRange(p);
  const op = tf.customGrad(((v: tf.Tensor, save: tf.GradSaveFunc) => {
    save([v]);
    const value = tf.tidy(() => {
      const q = tf.clipByValue(tf.add(tf.round(tf.div(v, p.scale)), p.zeroPoint), -128, 127);
      return tf.mul(tf.sub(q, p.zeroPoint), p.scale);
    });
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const inside = tf.logicalAnd(tf.greaterEqual(saved[0], min), tf.lessEqual(saved[0], max));
      return [tf.where(inside, dy, tf.zerosLike(dy))];
    };
    return { value, gradFunc };
  }) as CustomGradient);
  return op(x);
}
