// Layer builders shared by the `train --arch` architectures: seeded He-initialized Conv and Gemm, and the input standardization.

import { attr, type GraphBuilder } from '../ir/builder.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import type { Random } from '../util/random.js';

/** Per-channel mean and variance of the training inputs: an input BatchNormalization standardizes with them. */
export interface InputStatistics {
  mean: number[];
  variance: number[];
}

/** An input BatchNormalization with the data's statistics (scale 1, shift 0; both train). */
export function normalizeInput(b: GraphBuilder, x: string, stats: InputStatistics): string {
  const c = stats.mean.length;
  const t = (name: string, values: number[]) => b.initializer(`input_norm.${name}`, Tensor.fromNumbers('float32', [c], values));
  return b.op('BatchNormalization', [x, t('scale', new Array(c).fill(1)), t('bias', new Array(c).fill(0)), t('mean', stats.mean), t('var', stats.variance)], { epsilon: attr.float(1e-5) }, 'input_norm');
}

export function he(rng: Random, shape: number[], fanIn: number): Tensor {
  const std = Math.sqrt(2 / fanIn);
  return Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.normal() * std));
}

export const zeros = (n: number) => Tensor.fromNumbers('float32', [n], new Array(n).fill(0));

export function dense(b: GraphBuilder, rng: Random, x: string, name: string, inputs: number, outputs: number): string {
  const w = b.initializer(`${name}.weight`, he(rng, [outputs, inputs], inputs));
  return b.op('Gemm', [x, w, b.initializer(`${name}.bias`, zeros(outputs))], { transB: attr.int(1) }, name);
}

export interface ConvSpec {
  cin: number;
  cout: number;
  kernel: number;
  stride?: number;
  /** A depthwise convolution (group = cin = cout, one k x k filter per channel). */
  depthwise?: boolean;
}

/** Output size of a 'same' convolution: ceil(size / stride). */
export const sameSize = (size: [number, number], stride = 1): [number, number] => [Math.ceil(size[0] / stride), Math.ceil(size[1] / stride)];

/**
 * A square Conv with 'same' zero padding on an input of `size` (H, W), as ONNX SAME_UPPER and TF.js 'same' pad (the
 * odd padding pixel at the end), and a bias.
 */
export function conv(b: GraphBuilder, rng: Random, x: string, name: string, size: [number, number], s: ConvSpec): string {
  const k = s.kernel;
  const stride = s.stride ?? 1;
  const perGroup = s.depthwise ? 1 : s.cin;
  const w = b.initializer(`${name}.weight`, he(rng, [s.cout, perGroup, k, k], perGroup * k * k));
  const out = sameSize(size, stride);
  const total = [0, 1].map((d) => Math.max((out[d] - 1) * stride + k - size[d], 0));
  const begin = total.map((t) => Math.floor(t / 2));
  const attrs = {
    kernel_shape: attr.ints([k, k]),
    pads: attr.ints([begin[0], begin[1], total[0] - begin[0], total[1] - begin[1]]),
    strides: attr.ints([stride, stride]),
    ...(s.depthwise ? { group: attr.int(s.cin) } : {}),
  };
  return b.op('Conv', [x, w, b.initializer(`${name}.bias`, zeros(s.cout))], attrs, name);
}
