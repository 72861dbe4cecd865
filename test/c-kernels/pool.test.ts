// C pooling kernels against the interpreter's MaxPool / AveragePool / GlobalMaxPool / GlobalAveragePool (bit-exact).
import { AveragePool } from '../../src/ops/average-pool.js';
import { GlobalAveragePool } from '../../src/ops/global-average-pool.js';
import { GlobalMaxPool } from '../../src/ops/global-max-pool.js';
import { MaxPool } from '../../src/ops/max-pool.js';
import { attr, evalOp, f32, inp, type KernelCase, kernelSuite, OUT, Random, uniform } from './harness.js';
import type { Tensor } from '../../src/ir/tensor.js';

interface PoolSpec {
  C: number;
  H: number;
  W: number;
  K: [number, number];
  strides?: [number, number];
  dilations?: [number, number];
  /** top, left, bottom, right */
  pads?: [number, number, number, number];
  ceil?: boolean;
  countIncludePad?: boolean;
  /** Put NaN at these flat input indices. */
  nans?: number[];
}

function input(s: PoolSpec, seed: number): Tensor {
  const x = uniform(new Random(seed), [1, s.C, s.H, s.W], -2, 2);
  for (const i of s.nans ?? []) (x.data as Float32Array)[i] = NaN;
  return x;
}

function windowAttrs(s: PoolSpec) {
  return {
    kernel_shape: attr.ints(s.K),
    strides: attr.ints(s.strides ?? [1, 1]),
    dilations: attr.ints(s.dilations ?? [1, 1]),
    pads: attr.ints(s.pads ?? [0, 0, 0, 0]),
    ceil_mode: attr.int(s.ceil ? 1 : 0),
  };
}

function windowArgs(s: PoolSpec, y: Tensor) {
  const [sh, sw] = s.strides ?? [1, 1];
  const [dh, dw] = s.dilations ?? [1, 1];
  const [pt, pl] = s.pads ?? [0, 0, 0, 0];
  const [, , OH, OW] = y.shape;
  return [s.C, s.H, s.W, OH, OW, s.K[0], s.K[1], sh, sw, dh, dw, pt, pl];
}

function maxPoolCase(name: string, s: PoolSpec, seed: number): KernelCase {
  const x = input(s, seed);
  const y = evalOp(MaxPool, [x], windowAttrs(s));
  return { name: `MaxPool ${name}`, fn: 'ep_maxpool2d_f32', args: [inp(0), OUT, ...windowArgs(s, y)], inputs: [f32(x)], expected: f32(y), exact: true };
}

function avgPoolCase(name: string, s: PoolSpec, seed: number): KernelCase {
  const x = input(s, seed);
  const include = s.countIncludePad ?? false;
  const y = evalOp(AveragePool, [x], { ...windowAttrs(s), count_include_pad: attr.int(include ? 1 : 0) });
  const [, , pb, pr] = s.pads ?? [0, 0, 0, 0];
  return {
    name: `AveragePool ${name}`,
    fn: 'ep_avgpool2d_f32',
    args: [inp(0), OUT, ...windowArgs(s, y), pb, pr, include ? 1 : 0],
    inputs: [f32(x)],
    expected: f32(y),
    exact: true,
  };
}

function globalCase(kind: 'max' | 'avg', C: number, H: number, W: number, seed: number, nans: number[] = []): KernelCase {
  const x = input({ C, H, W, K: [1, 1], nans }, seed);
  const y = evalOp(kind === 'max' ? GlobalMaxPool : GlobalAveragePool, [x]);
  return {
    name: `Global${kind === 'max' ? 'Max' : 'Average'}Pool ${C}x${H}x${W}${nans.length ? ' with NaN' : ''}`,
    fn: kind === 'max' ? 'ep_global_maxpool_f32' : 'ep_global_avgpool_f32',
    args: [inp(0), OUT, C, H * W],
    inputs: [f32(x)],
    expected: f32(y),
    exact: true,
  };
}

const CASES: KernelCase[] = [
  maxPoolCase('MNIST pool1: 8x28x28, 2x2 stride 2', { C: 8, H: 28, W: 28, K: [2, 2], strides: [2, 2] }, 1),
  maxPoolCase('MNIST pool2: 16x14x14, 3x3 stride 3 (floor drops the last row and column)', { C: 16, H: 14, W: 14, K: [3, 3], strides: [3, 3] }, 2),
  maxPoolCase('3x3 stride 2 pad 1', { C: 3, H: 9, W: 10, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 3),
  maxPoolCase('ceil_mode overhang (8x8, 3x3 stride 2)', { C: 2, H: 8, W: 8, K: [3, 3], strides: [2, 2], ceil: true }, 4),
  maxPoolCase('dilation 2, pad 2, asymmetric', { C: 2, H: 9, W: 11, K: [3, 2], dilations: [2, 2], pads: [2, 1, 1, 2] }, 5),
  maxPoolCase('kernel larger than the input (5x5 on 3x3, pad 2)', { C: 2, H: 3, W: 3, K: [5, 5], pads: [2, 2, 2, 2] }, 6),
  maxPoolCase('NaN: first tap, inside, and an all-NaN window', { C: 1, H: 4, W: 4, K: [2, 2], strides: [2, 2], nans: [0, 6, 10, 11, 14, 15] }, 7),
  maxPoolCase('1-D as H = 1 (kernel 1x3, stride 2, pad 1, ceil)', { C: 3, H: 1, W: 12, K: [1, 3], strides: [1, 2], pads: [0, 1, 0, 1], ceil: true }, 8),
  avgPoolCase('2x2 stride 2', { C: 4, H: 8, W: 6, K: [2, 2], strides: [2, 2] }, 11),
  avgPoolCase('3x3 stride 2 pad 1, count_include_pad 0', { C: 3, H: 9, W: 10, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 12),
  avgPoolCase('3x3 stride 2 pad 1, count_include_pad 1', { C: 3, H: 9, W: 10, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true }, 13),
  avgPoolCase('ceil_mode overhang with pads, count_include_pad 1 (overhang not counted)', { C: 2, H: 8, W: 8, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil: true, countIncludePad: true }, 14),
  avgPoolCase('ceil_mode overhang, asymmetric pads, count_include_pad 0', { C: 2, H: 7, W: 9, K: [3, 3], strides: [2, 3], pads: [0, 1, 1, 0], ceil: true }, 15),
  avgPoolCase('dilation 2 with pads, count_include_pad 1', { C: 2, H: 10, W: 9, K: [3, 3], dilations: [2, 2], pads: [2, 2, 1, 2], countIncludePad: true }, 16),
  avgPoolCase('kernel larger than the input, count_include_pad 1', { C: 1, H: 3, W: 4, K: [5, 5], pads: [2, 2, 2, 2], countIncludePad: true }, 17),
  globalCase('avg', 5, 7, 7, 21),
  globalCase('max', 5, 7, 7, 22),
  globalCase('avg', 3, 1, 1, 23),
  globalCase('max', 3, 2, 3, 24, [0, 7, 12, 13, 14, 15, 16, 17]),
];

await kernelSuite('test/c-kernels/pool.test.ts', 'C pooling kernels vs the interpreter (bit-exact)', CASES);
