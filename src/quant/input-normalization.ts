// A normalization on a graph input merged into the input's QuantizeLinear: the int8 input then stands for the normalized value.
//
// When a BatchNormalization on an input is the same affine map y = a·x + b for every channel (one channel,
// as in an image model's input standardization) and cannot be folded into the layer after it (a padded
// Conv), QuantizeLinear(x, s / a, z + n) computes the int8 y directly: round(x·a/s) + z + n = round((a·x + b)/s) + z
// exactly when b = n·s for an integer n. So y's scale s is chosen so that b is a whole number of steps
// (s = b / trunc(b / s0), at least the calibrated s0, so the range still fits; when |b| < s0, n = round(b / s0)
// and the shift is off by at most half a step), and y's range is widened to hold b (x = 0), so that the
// input's zero point z + n is an int8.

import type { Graph, Node } from '../ir/graph.js';
import { batchNormConstants } from '../passes/fold-batchnorm.js';
import type { ValueRange } from './observers.js';
import type { QuantParams } from './qparams.js';

/** y = scale · x + shift, the same for every channel. */
export interface Normalization {
  scale: number;
  shift: number;
}

export type NormalizationCheck = { ok: true; value: Normalization } | { ok: false; why: string };

/** The BatchNormalization as one affine map with a positive scale, or why it is not one. */
export function uniformNormalization(g: Graph, bn: Node): NormalizationCheck {
  const k = batchNormConstants(g, bn);
  if (!k) return { ok: false, why: 'with parameters that are not constants' };
  const [scale, shift] = [k.scale[0], k.shift[0]];
  if (k.scale.some((s) => s !== scale) || k.shift.some((s) => s !== shift)) return { ok: false, why: `with a different scale or shift for each of its ${k.scale.length} channels` };
  if (!(scale > 0) || !Number.isFinite(shift)) return { ok: false, why: `with scale ${scale} (a merged normalization needs a positive scale)` };
  return { ok: true, value: { scale, shift } };
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** The parameters of the normalized value y, and those of the QuantizeLinear that computes it from the raw input. */
export function mergedInputParams(clip: ValueRange, n: Normalization): { value: QuantParams; input: QuantParams } {
  const lo = Math.min(clip.min, 0, n.shift);
  const hi = Math.max(clip.max, 0, n.shift);
  const s0 = hi > lo ? (hi - lo) / 255 : 1;
  let steps = Math.trunc(n.shift / s0);
  let scale = s0;
  if (steps !== 0) scale = n.shift / steps;
  else steps = Math.round(n.shift / s0);
  scale = Math.fround(scale);
  const zeroPoint = clamp(Math.round(-128 - lo / scale), -128, 127);
  return {
    value: { scale, zeroPoint },
    input: { scale: Math.fround(scale / n.scale), zeroPoint: clamp(zeroPoint + steps, -128, 127) },
  };
}
