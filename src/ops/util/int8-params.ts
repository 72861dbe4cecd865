// Shared by the int8 ops (domain ai.edgeprune): scale and zero-point checks, the fused clamp, per-channel multipliers.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { shapeSize, shapeToString, type Tensor } from '../../ir/tensor.js';
import { MAX_MULTIPLIER_BITS, MIN_MULTIPLIER_BITS, quantizeMultiplier, type FixedPointMultiplier } from '../../quant/fixed-point.js';
import type { AttrReader } from '../attrs.js';
import type { ValueType } from '../op-def.js';
import { required, requireType } from './check.js';

/** The domain of edgeprune's own ops. */
export const EDGEPRUNE_DOMAIN = 'ai.edgeprune';

/** The fused activation as an int8 clamp: [act_min, act_max] within [-128, 127]. */
export interface Int8Clamp {
  actMin: number;
  actMax: number;
}

export function readClamp(a: AttrReader, node: Node): Int8Clamp {
  const actMin = a.int('act_min', -128);
  const actMax = a.int('act_max', 127);
  if (!(actMin >= -128 && actMax <= 127 && actMin <= actMax)) {
    throw nodeError(node, `act_min ${actMin} and act_max ${actMax} must satisfy -128 <= act_min <= act_max <= 127`);
  }
  return { actMin, actMax };
}

/** The clamp of Int8Gemm and Int8Conv, which also read multiplier_bits (checked here, applied by channelMultipliers). */
export function readLayerClamp(a: AttrReader, node: Node): Int8Clamp {
  a.int('multiplier_bits');
  multiplierBits(node);
  return readClamp(a, node);
}

/** An int8 tensor input. */
export function requireInt8(v: ValueType, node: Node, what: string): void {
  requireType(v, ['int8'], node, what);
}

/** A float32 scale: one element (per tensor) or `channels` elements (per channel, 1-D). */
export function checkScale(v: ValueType, node: Node, what: string, channels?: number): void {
  requireType(v, ['float32'], node, what);
  const n = shapeSize(v.shape);
  if (n === 1) return;
  if (channels === undefined || v.shape.length !== 1 || n !== channels) {
    const expected = channels === undefined ? 'one element (per tensor)' : `one element or ${channels} (one per output channel)`;
    throw nodeError(node, `${what} has shape ${shapeToString(v.shape)}; it must have ${expected}`);
  }
}

/** An int8 zero point with one element. */
export function checkZeroPoint(v: ValueType, node: Node, what: string): void {
  requireInt8(v, node, what);
  if (shapeSize(v.shape) !== 1) throw nodeError(node, `${what} has shape ${shapeToString(v.shape)}; it must have one element (per-tensor)`);
}

/** Positive finite scale values, checked when they are evaluated. */
export function scaleValue(t: Tensor, i: number, node: Node, what: string): number {
  const v = t.at(i) as number;
  if (!(Number.isFinite(v) && v > 0)) throw nodeError(node, `${what} holds ${v}; scales must be positive and finite`);
  return v;
}

/** The node's attribute multiplier_bits (Int8Gemm, Int8Conv): significant bits of its multipliers, 31 when absent (docs/numerics.md). */
export function multiplierBits(node: Node): number {
  const a = node.attrs.multiplier_bits;
  if (a === undefined) return MAX_MULTIPLIER_BITS;
  if (a.kind !== 'int' || !(a.value >= MIN_MULTIPLIER_BITS && a.value <= MAX_MULTIPLIER_BITS)) {
    throw nodeError(node, `attribute multiplier_bits must be an integer in [${MIN_MULTIPLIER_BITS}, ${MAX_MULTIPLIER_BITS}], got ${JSON.stringify(a.value)}`);
  }
  return a.value;
}

/**
 * The fixed-point multiplier of each output channel: x_scale × w_scale[m] / y_scale, in float64 from the
 * float32 scales, its mantissa rounded to the node's multiplier_bits. The one place the C, HLS and Verilog
 * emitters take these constants from.
 */
export function channelMultipliers(xScale: Tensor, wScale: Tensor, yScale: Tensor, channels: number, node: Node): FixedPointMultiplier[] {
  const sx = scaleValue(xScale, 0, node, 'x_scale');
  const sy = scaleValue(yScale, 0, node, 'y_scale');
  const bits = multiplierBits(node);
  return Array.from({ length: channels }, (_, m) => {
    const sw = scaleValue(wScale, shapeSize(wScale.shape) === 1 ? 0 : m, node, 'w_scale');
    return quantizeMultiplier((sx * sw) / sy, `requantization multiplier of node '${node.name}' channel ${m}`, bits);
  });
}

/** Check that every int8 weight is in [-127, 127] (symmetric quantization), naming the first one outside. */
export function checkSymmetricWeights(w: Tensor, node: Node): void {
  const data = w.data as Int8Array;
  const i = data.indexOf(-128);
  if (i >= 0) throw nodeError(node, `weight element ${i} is -128; symmetric int8 weights are in [-127, 127]`);
}

/** Input positions shared by Int8Conv and Int8Gemm. */
export const LAYER_INPUTS = { X: 0, X_SCALE: 1, X_ZERO: 2, W: 3, W_SCALE: 4, Y_SCALE: 5, Y_ZERO: 6, BIAS: 7 } as const;

/** Types of x and w, and the scales, zero points and bias of an int8 layer with M output channels. */
export function checkLayerParams(inputs: readonly (ValueType | undefined)[], node: Node): void {
  const { X, X_SCALE, X_ZERO, W, W_SCALE, Y_SCALE, Y_ZERO, BIAS } = LAYER_INPUTS;
  requireInt8(required(inputs, X, node), node, 'input x');
  const w = required(inputs, W, node);
  requireInt8(w, node, 'weight w');
  const M = w.shape[0];
  checkScale(required(inputs, X_SCALE, node), node, 'x_scale');
  checkZeroPoint(required(inputs, X_ZERO, node), node, 'x_zero_point');
  checkScale(required(inputs, W_SCALE, node), node, 'w_scale', M);
  checkScale(required(inputs, Y_SCALE, node), node, 'y_scale');
  checkZeroPoint(required(inputs, Y_ZERO, node), node, 'y_zero_point');
  const bias = inputs[BIAS];
  if (bias) {
    requireType(bias, ['int32'], node, 'bias B');
    if (bias.shape.length !== 1 || bias.shape[0] !== M) throw nodeError(node, `bias B has shape ${shapeToString(bias.shape)}, expected ${M}`);
  }
}
