// Quantization parameters: asymmetric int8 activations (real 0 exact), symmetric int8 weights (per channel, or per tensor), int32 biases, fused clamps.

import { shapeSize, Tensor } from '../ir/tensor.js';
import { roundHalfToEven } from '../ops/util/quant-round.js';

/** One tensor's int8 quantization: real = scale · (q − zeroPoint). scale is a float32 value. */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/**
 * Per-tensor asymmetric int8 parameters for a clip range, widened to hold 0: scale = fl32((max − min) / 255),
 * zero point = round(−128 − min / scale) in [−128, 127], so real 0 is exactly the zero point. A range of a
 * single point (an all-zero tensor) gets scale 1 and zero point 0.
 */
export function activationParams(min: number, max: number): QuantParams {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (!(hi > lo)) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / 255);
  return { scale, zeroPoint: clamp(Math.round(-128 - lo / scale), -128, 127) };
}

/** A real value as QuantizeLinear stores it (rule 3 of src/ops/util/quant-round.ts): saturate(round_half_even(fl32(x / scale)) + zero point). */
export function quantizeValue(real: number, p: QuantParams): number {
  return clamp(roundHalfToEven(Math.fround(real / p.scale)) + p.zeroPoint, -128, 127);
}

/** Real bounds of a fused activation (ReLU: [0, ∞); ReLU6: [0, 6]; Clip: [min, max]). */
export interface ActivationBounds {
  min: number;
  max: number;
}

/** The fused activation as the output clamp [act_min, act_max]: its bounds quantized with the output's parameters, within [−128, 127]. */
export function activationClamp(bounds: ActivationBounds | undefined, p: QuantParams): { actMin: number; actMax: number } {
  if (!bounds) return { actMin: -128, actMax: 127 };
  const actMin = bounds.min === -Infinity ? -128 : quantizeValue(bounds.min, p);
  const actMax = bounds.max === Infinity ? 127 : quantizeValue(bounds.max, p);
  return { actMin, actMax: Math.max(actMin, actMax) };
}

export interface QuantizedWeights {
  /** int8, same shape, values in [−127, 127]. */
  weights: Tensor;
  /** float32 [M], one per output channel; [1] when quantized per tensor. */
  scales: Tensor;
}

/** How a layer's weights are scaled: one scale per output channel, or one for the whole tensor (TFLite's FULLY_CONNECTED). */
export type WeightGranularity = 'per-channel' | 'per-tensor';

export const WEIGHT_GRANULARITIES: readonly WeightGranularity[] = ['per-channel', 'per-tensor'];

/**
 * Symmetric int8 weights, per output channel (channel = first axis) or per tensor: scale = fl32(max|w| / 127) over
 * the channel (or the tensor), 1 when it is all zeros (a pruned filter); q = clamp(round_half_even(fl32(w / scale)), −127, 127).
 */
export function quantizeWeights(w: Tensor, granularity: WeightGranularity = 'per-channel'): QuantizedWeights {
  const M = granularity === 'per-tensor' ? 1 : w.shape[0];
  const per = shapeSize(w.shape) / M;
  const src = w.data as Float32Array;
  const scales = new Tensor('float32', [M]);
  const q = new Tensor('int8', w.shape);
  const dst = q.data as Int8Array;
  for (let m = 0; m < M; m++) {
    let maxAbs = 0;
    for (let i = m * per; i < (m + 1) * per; i++) maxAbs = Math.max(maxAbs, Math.abs(src[i]));
    const s = maxAbs > 0 ? Math.fround(maxAbs / 127) : 1;
    (scales.data as Float32Array)[m] = s;
    for (let i = m * per; i < (m + 1) * per; i++) dst[i] = clamp(roundHalfToEven(Math.fround(src[i] / s)), -127, 127);
  }
  return { weights: q, scales };
}

/** A bias as one value per output: shape [M], [1, M], [1] or a scalar; undefined otherwise. */
export function biasPerOutput(c: Tensor, M: number): number[] | undefined {
  if (c.shape.slice(0, -1).some((d) => d !== 1)) return undefined;
  const n = shapeSize(c.shape);
  if (n === M) return c.toNumbers();
  if (n === 1) return new Array<number>(M).fill(c.at(0));
  return undefined;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** int32 bias [M]: round_half_even(b[m] / (x_scale · w_scale[m])) in float64 from the float32 scales (w_scale [M], or [1] for all), saturated to int32. */
export function quantizeBias(bias: ArrayLike<number> | undefined, xScale: number, wScales: Tensor, M = wScales.size): Tensor {
  const out = new Tensor('int32', [M]);
  const dst = out.data as Int32Array;
  for (let m = 0; m < M; m++) {
    const b = bias ? bias[m] : 0;
    dst[m] = clamp(roundHalfToEven(b / (xScale * wScales.at(wScales.size === 1 ? 0 : m))), INT32_MIN, INT32_MAX);
  }
  return out;
}

/** Largest |x − x_zero_point| · |w| of one int8 product: 255 · 127. */
export const MAX_PRODUCT = 255 * 127;

/** The largest |accumulator| an output can reach: every tap at the largest product, plus the bias. */
export function worstCaseAccumulator(taps: number, bias: Tensor): number {
  let maxBias = 0;
  for (let m = 0; m < bias.size; m++) maxBias = Math.max(maxBias, Math.abs(bias.at(m)));
  return taps * MAX_PRODUCT + maxBias;
}

export { INT32_MAX };
