// C kernels ep_conv2d_f32 (and ep_conv2d_ldw_f32, its filters in wider rows) and ep_conv_transpose2d_f32 against the interpreter's Conv / ConvTranspose (+ Relu / Clip).
import { Clip } from '../../src/ops/clip.js';
import { ConvTranspose } from '../../src/ops/conv-transpose.js';
import { Conv } from '../../src/ops/conv.js';
import { Relu } from '../../src/ops/relu.js';
import {
  attr, evalOp, f32, float, inp, type KernelCase, kernelSuite, leadingBlock, NULLPTR, OUT, Random, Tensor, uniform,
} from './harness.js';

interface ConvSpec {
  C: number;
  H: number;
  W: number;
  M: number;
  K: [number, number];
  strides?: [number, number];
  dilations?: [number, number];
  /** top, left, bottom, right */
  pads?: [number, number, number, number];
  groups?: number;
  bias?: boolean;
  act?: 'relu' | [number, number];
}

function convCase(name: string, s: ConvSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const groups = s.groups ?? 1;
  const [KH, KW] = s.K;
  const [sh, sw] = s.strides ?? [1, 1];
  const [dh, dw] = s.dilations ?? [1, 1];
  const [pt, pl, pb, pr] = s.pads ?? [0, 0, 0, 0];
  const fanIn = (s.C / groups) * KH * KW;
  const x = uniform(rng, [1, s.C, s.H, s.W]);
  const w = uniform(rng, [s.M, s.C / groups, KH, KW], -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
  const b = s.bias === false ? undefined : uniform(rng, [s.M], -0.2, 0.2);
  let y = evalOp(Conv, [x, w, b], {
    kernel_shape: attr.ints([KH, KW]),
    strides: attr.ints([sh, sw]),
    dilations: attr.ints([dh, dw]),
    pads: attr.ints([pt, pl, pb, pr]),
    group: attr.int(groups),
  });
  let lo = -Infinity;
  let hi = Infinity;
  if (s.act === 'relu') {
    y = evalOp(Relu, [y]);
    lo = 0;
  } else if (s.act) {
    [lo, hi] = s.act;
    y = evalOp(Clip, [y, Tensor.scalar('float32', lo), Tensor.scalar('float32', hi)]);
  }
  const [, , OH, OW] = y.shape;
  const inputs = b ? [f32(x), f32(w), f32(b)] : [f32(x), f32(w)];
  return {
    name,
    fn: 'ep_conv2d_f32',
    args: [inp(0), inp(1), b ? inp(2) : NULLPTR, OUT, s.C, s.H, s.W, s.M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups, float(lo), float(hi)],
    inputs,
    expected: f32(y),
  };
}

interface ConvTransposeSpec {
  C: number;
  H: number;
  W: number;
  M: number;
  K: [number, number];
  strides?: [number, number];
  dilations?: [number, number];
  pads?: [number, number, number, number];
  outputPadding?: [number, number];
  groups?: number;
  bias?: boolean;
}

function convTransposeCase(name: string, s: ConvTransposeSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const groups = s.groups ?? 1;
  const [KH, KW] = s.K;
  const [sh, sw] = s.strides ?? [1, 1];
  const [dh, dw] = s.dilations ?? [1, 1];
  const [pt, pl, pb, pr] = s.pads ?? [0, 0, 0, 0];
  const x = uniform(rng, [1, s.C, s.H, s.W]);
  const w = uniform(rng, [s.C, s.M / groups, KH, KW], -0.5, 0.5);
  const b = s.bias === false ? undefined : uniform(rng, [s.M], -0.2, 0.2);
  const y = evalOp(ConvTranspose, [x, w, b], {
    kernel_shape: attr.ints([KH, KW]),
    strides: attr.ints([sh, sw]),
    dilations: attr.ints([dh, dw]),
    pads: attr.ints([pt, pl, pb, pr]),
    output_padding: attr.ints(s.outputPadding ?? [0, 0]),
    group: attr.int(groups),
  });
  const [, , OH, OW] = y.shape;
  return {
    name,
    fn: 'ep_conv_transpose2d_f32',
    args: [inp(0), inp(1), b ? inp(2) : NULLPTR, OUT, s.C, s.H, s.W, s.M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups],
    inputs: b ? [f32(x), f32(w), f32(b)] : [f32(x), f32(w)],
    expected: f32(y),
  };
}

const CASES: KernelCase[] = [
  convCase('MNIST conv1: 1->8, 28x28, 5x5 pad 2, ReLU', { C: 1, H: 28, W: 28, M: 8, K: [5, 5], pads: [2, 2, 2, 2], act: 'relu' }, 1),
  convCase('MNIST conv2: 8->16, 14x14, 5x5 pad 2, ReLU', { C: 8, H: 14, W: 14, M: 16, K: [5, 5], pads: [2, 2, 2, 2], act: 'relu' }, 2),
  convCase('3x3 stride 2 pad 1, 3->6, odd sizes', { C: 3, H: 11, W: 13, M: 6, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 3),
  leadingBlock(convCase('ldw: 3x3 pad 1, 6->11, 8x8, ReLU', { C: 6, H: 8, W: 8, M: 11, K: [3, 3], pads: [1, 1, 1, 1], act: 'relu' }, 21), 'ep_conv2d_ldw_f32', 11, 18, 19),
  leadingBlock(convCase('ldw: 1x1, 5->9 (4-channel tiles)', { C: 5, H: 6, W: 7, M: 9, K: [1, 1] }, 22), 'ep_conv2d_ldw_f32', 9, 3, 19),
  leadingBlock(convCase('ldw: 3x3 groups 2, 4->6', { C: 4, H: 7, W: 7, M: 6, K: [3, 3], groups: 2 }, 23), 'ep_conv2d_ldw_f32', 6, 9, 19),
  convCase('3x3 dilation 2 pad 2, 2->4', { C: 2, H: 10, W: 12, M: 4, K: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2] }, 4),
  convCase('dilation 2 and stride 2 together, no bias', { C: 2, H: 15, W: 17, M: 4, K: [3, 3], strides: [2, 2], dilations: [2, 2], pads: [1, 2, 1, 2], bias: false }, 5),
  convCase('groups 2: 4->6, 3x3 pad 1', { C: 4, H: 9, W: 9, M: 6, K: [3, 3], pads: [1, 1, 1, 1], groups: 2 }, 6),
  convCase('depthwise 8 channels, 3x3 pad 1, ReLU', { C: 8, H: 12, W: 12, M: 8, K: [3, 3], pads: [1, 1, 1, 1], groups: 8, act: 'relu' }, 7),
  convCase('depthwise stride 2', { C: 4, H: 13, W: 13, M: 4, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], groups: 4 }, 8),
  convCase('depthwise with multiplier 2 (4 -> 8, groups 4)', { C: 4, H: 7, W: 10, M: 8, K: [3, 3], pads: [1, 1, 1, 1], groups: 4 }, 9),
  convCase('1-D conv as H = 1: 3->5, kernel 5 pad 2', { C: 3, H: 1, W: 50, M: 5, K: [1, 5], pads: [0, 2, 0, 2] }, 10),
  convCase('1-D conv stride 2, kernel 3, no padding', { C: 4, H: 1, W: 33, M: 6, K: [1, 3], strides: [1, 2] }, 11),
  convCase('kernel as large as the input (5x5 on 5x5, pad 2)', { C: 3, H: 5, W: 5, M: 4, K: [5, 5], pads: [2, 2, 2, 2] }, 12),
  convCase('kernel larger than the input (7x7 on 4x4, pad 3)', { C: 2, H: 4, W: 4, M: 3, K: [7, 7], pads: [3, 3, 3, 3] }, 13),
  convCase('asymmetric pads (top 1, left 0, bottom 2, right 3)', { C: 2, H: 8, W: 9, M: 4, K: [3, 4], pads: [1, 0, 2, 3] }, 14),
  convCase('1x1 conv 16->12 (4-channel tiles)', { C: 16, H: 7, W: 7, M: 12, K: [1, 1] }, 15),
  convCase('1x1 conv 8->6 (a 4-channel tile plus remainders), ReLU', { C: 8, H: 5, W: 9, M: 6, K: [1, 1], act: 'relu' }, 16),
  convCase('wide rows: W 37 with 3x3 (overlapping last tile)', { C: 2, H: 4, W: 37, M: 4, K: [3, 3], pads: [1, 1, 1, 1] }, 17),
  convCase('odd M with 3x3 (2-channel tiles plus one)', { C: 3, H: 6, W: 6, M: 5, K: [3, 3], pads: [1, 1, 1, 1] }, 18),
  convCase('fused clamp [-0.5, 0.5], no bias', { C: 3, H: 6, W: 8, M: 4, K: [3, 3], pads: [1, 1, 1, 1], bias: false, act: [-0.5, 0.5] }, 19),
  convCase('stride 3, 4x2 kernel, big pads', { C: 2, H: 10, W: 11, M: 3, K: [4, 2], strides: [3, 3], pads: [3, 1, 2, 1] }, 20),
  convCase('wide kernel 1x11 on 20 columns', { C: 1, H: 3, W: 20, M: 2, K: [1, 11], pads: [0, 5, 0, 5] }, 21),
  convCase('7x7 stride 2 pad 3 (stem)', { C: 3, H: 16, W: 16, M: 4, K: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3], act: 'relu' }, 22),
  convCase('stride 4, dilation 2, 1x5 kernel: a tile reads 69 columns', { C: 2, H: 2, W: 72, M: 1, K: [1, 5], strides: [1, 4], dilations: [1, 2], pads: [0, 3, 0, 3] }, 23),
  convCase('pads wider than the input: windows only on padding give the bias', { C: 2, H: 4, W: 4, M: 3, K: [3, 3], pads: [10, 10, 10, 10], act: 'relu' }, 24),
  convCase('more pad than a tile is wide (left tiles entirely masked), 1x1', { C: 5, H: 3, W: 6, M: 4, K: [1, 1], pads: [1, 9, 1, 9] }, 25),
  convCase('7-wide kernel 2->2 on 40 columns (3 one-channel tiles)', { C: 2, H: 3, W: 40, M: 2, K: [3, 7], pads: [1, 3, 1, 3] }, 26),
  convTransposeCase('ConvTranspose 3x3 stride 2 pad 1 output_padding 1', { C: 2, H: 5, W: 6, M: 3, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] }, 31),
  convTransposeCase('ConvTranspose groups 2, dilation 2, stride 3', { C: 4, H: 4, W: 3, M: 6, K: [2, 3], strides: [3, 3], dilations: [2, 2], pads: [1, 0, 0, 2], groups: 2 }, 32),
  convTransposeCase('ConvTranspose stride 1 no pads, no bias', { C: 3, H: 4, W: 4, M: 2, K: [3, 3], bias: false }, 33),
  convTransposeCase('ConvTranspose 4x4 stride 2 pad 1 (upsampling)', { C: 2, H: 6, W: 5, M: 2, K: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] }, 34),
];

await kernelSuite('test/c-kernels/conv.test.ts', 'C conv kernels vs the interpreter (tolerance 1e-5 + 1e-5·|expected|)', CASES, {
  labels: ['literal arguments (register tiles)', 'run-time arguments (generic loops)'],
  sameBits: 'gives the same bits with literal and run-time arguments (same summation order)',
});
