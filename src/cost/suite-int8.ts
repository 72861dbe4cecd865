// The int8 cases of the calibration suite (included by suite.ts): one-layer int8 graphs with int8 inputs and outputs
// (no QuantizeLinear/DequantizeLinear around them, so that each case runs one kernel key): Int8Conv over the tile
// shapes of both paths (kernel widths, borders, strides, groups, channel-pair remainders, clamps, the generic loops),
// Int8Gemm over its tile widths and remainders, int8 MaxPool, byte Concat and Transpose, the float/int8 boundary
// kernels on their own, Int8Add, the int8 average pools, the weight-sparse int8 kernels (forced) and the float
// Softmax tail of a quantized model. Weights, scales and inputs are seeded.

import { attr, GraphBuilder } from '../ir/builder.js';
import type { AttrValue, Graph } from '../ir/graph.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { EDGEPRUNE_DOMAIN } from '../ops/util/int8-params.js';
import { Random } from '../util/random.js';
import type { SuiteCase } from './suite-common.js';

const rng = () => new Random(20261204);

/** Seeded int8 values in [lo, hi]. */
function int8Tensor(r: Random, shape: number[], lo = -128, hi = 127): Tensor {
  return Tensor.fromNumbers('int8', shape, Array.from({ length: shapeSize(shape) }, () => lo + r.int(hi - lo + 1)));
}

const scalar = (dtype: 'float32' | 'int8', v: number) => Tensor.fromNumbers(dtype, [1], [v]);

interface LayerSpec {
  /** Weight shape, output channels first. */
  weight: number[];
  /** Taps per output. */
  taps: number;
  act: 'relu' | 'clip' | 'none';
  bias?: boolean;
  /** One weight scale for the layer (w_scale [1]): a dense layer runs the _pt kernels. */
  perTensor?: boolean;
  /** The input zero point (default -5). */
  xZero?: number;
}

/**
 * One int8 layer on the graph input x: weights ~ N(0, 40) in [-127, 127], per-channel w_scale, y_scale spreading the
 * outputs over int8 (requantization shifts in the fast range of every usual layer), act_min/act_max of the clamp.
 */
function int8Layer(b: GraphBuilder, r: Random, x: string, opType: 'Int8Conv' | 'Int8Gemm', s: LayerSpec, attrs: Record<string, ReturnType<typeof attr.ints>> = {}): string {
  const M = s.weight[0];
  const w = Array.from({ length: shapeSize(s.weight) }, () => Math.max(-127, Math.min(127, Math.round(r.normal() * 40))));
  const xScale = 0.02;
  const wScale = Array.from({ length: s.perTensor ? 1 : M }, () => r.uniform(0.002, 0.01));
  const acc = Math.sqrt(s.taps) * 70 * 40;
  const yScale = (4 * acc * xScale * 0.006) / 255;
  const yZero = s.act === 'none' ? 3 : -128;
  const inputs = [
    x,
    b.initializer('x_scale', scalar('float32', xScale)),
    b.initializer('x_zero_point', scalar('int8', s.xZero ?? -5)),
    b.initializer('w', Tensor.fromNumbers('int8', s.weight, w)),
    b.initializer('w_scale', Tensor.fromNumbers('float32', [wScale.length], wScale)),
    b.initializer('y_scale', scalar('float32', yScale)),
    b.initializer('y_zero_point', scalar('int8', yZero)),
  ];
  if (s.bias !== false) inputs.push(b.initializer('bias', Tensor.fromNumbers('int32', [M], Array.from({ length: M }, () => Math.round(r.normal() * acc * 0.25)))));
  const clamp: Record<string, AttrValue> = s.act === 'relu' ? { act_min: attr.int(yZero) } : s.act === 'clip' ? { act_min: attr.int(yZero), act_max: attr.int(100) } : {};
  const [y] = b.node(opType, inputs, { ...attrs, ...clamp }, { name: 'layer', domain: EDGEPRUNE_DOMAIN });
  return y;
}

interface ConvSpec {
  C: number; H: number; W: number; M: number; KH: number; KW: number;
  pad?: [number, number, number, number]; stride?: [number, number]; dil?: [number, number]; group?: number;
  act?: 'relu' | 'clip' | 'none'; bias?: boolean;
}

function convGraph(r: Random, s: ConvSpec): Graph {
  const b = new GraphBuilder('conv_s8');
  const x = b.input('x', 'int8', [1, s.C, s.H, s.W]);
  const group = s.group ?? 1;
  const y = int8Layer(b, r, x, 'Int8Conv', { weight: [s.M, s.C / group, s.KH, s.KW], taps: (s.C / group) * s.KH * s.KW, act: s.act ?? 'relu', bias: s.bias }, {
    kernel_shape: attr.ints([s.KH, s.KW]),
    pads: attr.ints(s.pad ?? [0, 0, 0, 0]),
    strides: attr.ints(s.stride ?? [1, 1]),
    dilations: attr.ints(s.dil ?? [1, 1]),
    group: attr.int(group),
  });
  b.output(y);
  return b.build();
}

const p = (n: number): [number, number, number, number] => [n, n, n, n];

/** Int8Conv: kernel widths 1-8 (tile widths of the DSP path), borders, strides, groups, odd channel counts (pairs). */
const CONVS: [string, ConvSpec][] = [
  ['c1x28k5p2m8', { C: 1, H: 28, W: 28, M: 8, KH: 5, KW: 5, pad: p(2) }],
  ['c8x14k5p2m16', { C: 8, H: 14, W: 14, M: 16, KH: 5, KW: 5, pad: p(2), act: 'clip' }],
  ['c5x14k5p2m11', { C: 5, H: 14, W: 14, M: 11, KH: 5, KW: 5, pad: p(2) }],
  ['c3x12k5m4', { C: 3, H: 12, W: 12, M: 4, KH: 5, KW: 5, act: 'none' }],
  ['c1x8k3p1m8', { C: 1, H: 8, W: 8, M: 8, KH: 3, KW: 3, pad: p(1) }],
  ['c8x8k3p1m16', { C: 8, H: 8, W: 8, M: 16, KH: 3, KW: 3, pad: p(1) }],
  ['c8x8k3p1m16n', { C: 8, H: 8, W: 8, M: 16, KH: 3, KW: 3, pad: p(1), act: 'none', bias: false }],
  ['c5x8k3p1m11', { C: 5, H: 8, W: 8, M: 11, KH: 3, KW: 3, pad: p(1) }],
  ['c3x8k3p1m5', { C: 3, H: 8, W: 8, M: 5, KH: 3, KW: 3, pad: p(1) }],
  ['c4x16k3p1m8', { C: 4, H: 16, W: 16, M: 8, KH: 3, KW: 3, pad: p(1) }],
  ['c4x16k3m8', { C: 4, H: 16, W: 16, M: 8, KH: 3, KW: 3 }],
  ['c2x24k3p1m6clip', { C: 2, H: 24, W: 24, M: 6, KH: 3, KW: 3, pad: p(1), act: 'clip' }],
  ['c3x32k3p1s2m8', { C: 3, H: 32, W: 32, M: 8, KH: 3, KW: 3, pad: p(1), stride: [2, 2] }],
  ['c4x17k3s2m4', { C: 4, H: 17, W: 17, M: 4, KH: 3, KW: 3, stride: [2, 2] }],
  ['c8x16k1m8', { C: 8, H: 16, W: 16, M: 8, KH: 1, KW: 1 }],
  ['c16x8k1m32', { C: 16, H: 8, W: 8, M: 32, KH: 1, KW: 1 }],
  ['c16x8k1m6nb', { C: 16, H: 8, W: 8, M: 6, KH: 1, KW: 1, bias: false, act: 'none' }],
  ['c6x10k1m3', { C: 6, H: 10, W: 10, M: 3, KH: 1, KW: 1 }],
  ['c2x20k2s2m4', { C: 2, H: 20, W: 20, M: 4, KH: 2, KW: 2, stride: [2, 2] }],
  ['c3x12k7p3m4', { C: 3, H: 12, W: 12, M: 4, KH: 7, KW: 7, pad: p(3) }],
  ['c1x20k7m2', { C: 1, H: 20, W: 20, M: 2, KH: 7, KW: 7 }],
  ['c2x16k6p2m3', { C: 2, H: 16, W: 16, M: 3, KH: 6, KW: 6, pad: [2, 2, 3, 3] }],
  ['c2x18k8m2', { C: 2, H: 18, W: 18, M: 2, KH: 8, KW: 8 }],
  ['c4x12k3p2d2m4', { C: 4, H: 12, W: 12, M: 4, KH: 3, KW: 3, pad: p(2), dil: [2, 1] }],
  ['dw8x16k3p1', { C: 8, H: 16, W: 16, M: 8, KH: 3, KW: 3, pad: p(1), group: 8 }],
  ['dw16x8k3p1s2', { C: 16, H: 8, W: 8, M: 16, KH: 3, KW: 3, pad: p(1), stride: [2, 2], group: 16 }],
  ['dw4x12k5p2m8', { C: 4, H: 12, W: 12, M: 8, KH: 5, KW: 5, pad: p(2), group: 4 }],
  ['g8x8k3p1m8g2', { C: 8, H: 8, W: 8, M: 8, KH: 3, KW: 3, pad: p(1), group: 2 }],
  ['c4x1x64k5p2m8', { C: 4, H: 1, W: 64, M: 8, KH: 1, KW: 5, pad: [0, 2, 0, 2] }],
  ['c8x1x32k3m8', { C: 8, H: 1, W: 32, M: 8, KH: 1, KW: 3 }],
  ['c2x6k3p1m4', { C: 2, H: 6, W: 6, M: 4, KH: 3, KW: 3, pad: p(1) }],
  ['c1x40k3p1m2', { C: 1, H: 40, W: 40, M: 2, KH: 3, KW: 3, pad: p(1) }],
  ['c2x10k5p2m7', { C: 2, H: 10, W: 10, M: 7, KH: 5, KW: 5, pad: p(2) }],
  ['c6x9k3p1m9', { C: 6, H: 9, W: 9, M: 9, KH: 3, KW: 3, pad: p(1) }],
  ['c3x30k3p1m3', { C: 3, H: 30, W: 30, M: 3, KH: 3, KW: 3, pad: p(1) }],
  ['c2x12k4p1m4', { C: 2, H: 12, W: 12, M: 4, KH: 4, KW: 4, pad: [1, 1, 2, 2] }],
  ['c12x6k3m12', { C: 12, H: 6, W: 6, M: 12, KH: 3, KW: 3 }],
  ['c32x6k5p2m4', { C: 32, H: 6, W: 6, M: 4, KH: 5, KW: 5, pad: p(2) }],
  ['c64x4k3p1m6', { C: 64, H: 4, W: 4, M: 6, KH: 3, KW: 3, pad: p(1) }],
  ['c16x14k5p2m8', { C: 16, H: 14, W: 14, M: 8, KH: 5, KW: 5, pad: p(2) }],
  // The generic loops: kernels wider than 8 columns, column dilation.
  ['gen2x1x48k9m2', { C: 2, H: 1, W: 48, M: 2, KH: 1, KW: 9, pad: [0, 4, 0, 4] }],
  ['gen1x1x64k12m3', { C: 1, H: 1, W: 64, M: 3, KH: 1, KW: 12 }],
  ['gen3x12k3d2m4', { C: 3, H: 12, W: 12, M: 4, KH: 3, KW: 3, pad: p(2), dil: [2, 2] }],
  ['gen2x10k9p4m2', { C: 2, H: 10, W: 10, M: 2, KH: 9, KW: 9, pad: p(4) }],
  ['gen4x8k3d2m3', { C: 4, H: 8, W: 8, M: 3, KH: 3, KW: 3, dil: [1, 2], act: 'none' }],
];

function convCases(): SuiteCase[] {
  const r = rng();
  return CONVS.map(([name, s]) => ({ name: `conv_s8.${name}`, graph: convGraph(r, s), inputs: [[int8Tensor(r, [1, s.C, s.H, s.W])]] }));
}

function denseCases(): SuiteCase[] {
  const r = rng();
  const specs: [number, number, number, 'relu' | 'clip' | 'none', boolean][] = [
    // rows, K, N, activation, bias
    [1, 64, 64, 'relu', true], [1, 64, 32, 'relu', true], [1, 32, 10, 'none', true], [1, 256, 10, 'none', true], [1, 256, 32, 'relu', true],
    [1, 8, 4, 'none', true], [1, 16, 100, 'relu', true], [1, 29, 13, 'none', true], [1, 30, 7, 'clip', true], [1, 300, 5, 'none', false],
    [1, 100, 1, 'none', true], [1, 57, 24, 'relu', false], [1, 128, 48, 'relu', true], [2, 64, 16, 'relu', true], [4, 32, 10, 'none', true],
    [3, 16, 12, 'relu', true], [6, 20, 9, 'none', false], [1, 784, 16, 'relu', true], [1, 3, 6, 'none', true], [1, 143, 18, 'none', true],
  ];
  return specs.map(([rows, K, N, act, bias]) => {
    const b = new GraphBuilder('dense_s8');
    const x = b.input('x', 'int8', [rows, K]);
    b.output(int8Layer(b, r, x, 'Int8Gemm', { weight: [N, K], taps: K, act, bias }));
    return { name: `dense_s8.r${rows}k${K}n${N}${act === 'none' ? '' : act}${bias ? '' : 'nb'}`, graph: b.build(), inputs: [[int8Tensor(r, [rows, K])]] };
  });
}

function maxPoolCases(): SuiteCase[] {
  const r = rng();
  const specs: [string, number[], number[], number[], number[], number[]?][] = [
    // name, input shape, kernel, strides, pads, dilations
    ['k2s2x28', [1, 8, 28, 28], [2, 2], [2, 2], [0, 0, 0, 0]],
    ['k3s3x14', [1, 16, 14, 14], [3, 3], [3, 3], [0, 0, 0, 0]],
    ['k2s2x8', [1, 16, 8, 8], [2, 2], [2, 2], [0, 0, 0, 0]],
    ['k2s2x11', [1, 6, 11, 11], [2, 2], [2, 2], [0, 0, 1, 1]],
    ['k2s2p1x10', [1, 4, 10, 10], [2, 2], [2, 2], [1, 1, 1, 1]],
    ['k3s2p1x16', [1, 8, 16, 16], [3, 3], [2, 2], [1, 1, 1, 1]],
    ['k3s1p1x12', [1, 4, 12, 12], [3, 3], [1, 1], [1, 1, 1, 1]],
    ['k2s1x10', [1, 6, 10, 10], [2, 2], [1, 1], [0, 0, 0, 0]],
    ['k5s1p2x10', [1, 3, 10, 10], [5, 5], [1, 1], [2, 2, 2, 2]],
    ['k1x4s2x1x64', [1, 4, 1, 64], [1, 4], [1, 2], [0, 0, 0, 0]],
    ['k1x2s2x1x64', [1, 8, 1, 64], [1, 2], [1, 2], [0, 0, 0, 0]],
    ['k9s1x12', [1, 2, 12, 12], [9, 9], [1, 1], [0, 0, 0, 0]],
    ['k3s2d2x15', [1, 4, 15, 15], [3, 3], [2, 2], [0, 0, 0, 0], [2, 2]],
    ['k4s2x20', [1, 4, 20, 20], [4, 2], [2, 2], [0, 0, 0, 0]],
  ];
  return specs.map(([name, shape, k, s, pads, dil]) => {
    const b = new GraphBuilder('maxpool_s8');
    const x = b.input('x', 'int8', shape);
    const attrs: Record<string, ReturnType<typeof attr.ints>> = { kernel_shape: attr.ints(k), strides: attr.ints(s), pads: attr.ints(pads) };
    if (dil) attrs.dilations = attr.ints(dil);
    b.output(b.op('MaxPool', [x], attrs));
    return { name: `maxpool_s8.${name}`, graph: b.build(), inputs: [[int8Tensor(r, shape)]] };
  });
}

/** QuantizeLinear on float inputs over (and beyond) the int8 range, DequantizeLinear on random int8. */
function boundaryCases(): SuiteCase[] {
  const r = rng();
  const out: SuiteCase[] = [];
  for (const n of [16, 64, 200, 784, 1500]) {
    const b = new GraphBuilder('quantize_s8');
    const x = b.input('x', 'float32', [1, n]);
    b.output(b.op('QuantizeLinear', [x, b.initializer('scale', scalar('float32', 0.02)), b.initializer('zero_point', scalar('int8', -7))]));
    const data = Tensor.fromNumbers('float32', [1, n], Array.from({ length: n }, () => r.normal() * 1.2));
    out.push({ name: `quantize_s8.${n}`, graph: b.build(), inputs: [[data]] });
  }
  for (const n of [10, 64, 200, 784, 1500]) {
    const b = new GraphBuilder('dequantize_s8');
    const x = b.input('x', 'int8', [1, n]);
    b.output(b.op('DequantizeLinear', [x, b.initializer('scale', scalar('float32', 0.05)), b.initializer('zero_point', scalar('int8', 12))]));
    out.push({ name: `dequantize_s8.${n}`, graph: b.build(), inputs: [[int8Tensor(r, [1, n])]] });
  }
  return out;
}

/** Byte Concat (block copies) and Transpose. */
function dataCases(): SuiteCase[] {
  const r = rng();
  const out: SuiteCase[] = [];
  const concats: [number[][], number][] = [
    [[[1, 8, 6, 6], [1, 4, 6, 6]], 1], [[[1, 4, 8, 8], [1, 4, 8, 8]], 3], [[[1, 16, 3], [1, 16, 5], [1, 16, 1]], 2], [[[1, 64], [1, 200]], 1], [[[2, 4, 4, 4], [3, 4, 4, 4]], 0],
  ];
  for (const [shapes, axis] of concats) {
    const b = new GraphBuilder('concat_s8');
    const xs = shapes.map((s, i) => b.input(`x${i}`, 'int8', s));
    b.output(b.op('Concat', xs, { axis: attr.int(axis) }));
    out.push({ name: `concat_s8.${shapes.map((s) => s.join('x')).join('_')}a${axis}`, graph: b.build(), inputs: [shapes.map((s) => int8Tensor(r, s))] });
  }
  const transposes: [number[], number[]][] = [[[1, 8, 6, 6], [0, 2, 3, 1]], [[1, 6, 6, 8], [0, 3, 1, 2]], [[16, 24], [1, 0]], [[4, 5, 6], [1, 0, 2]], [[2, 3, 4, 5], [3, 2, 1, 0]]];
  for (const [shape, perm] of transposes) {
    const b = new GraphBuilder('transpose_s8');
    const x = b.input('x', 'int8', shape);
    b.output(b.op('Transpose', [x], { perm: attr.ints(perm) }));
    out.push({ name: `transpose_s8.${shape.join('x')}p${perm.join('')}`, graph: b.build(), inputs: [[int8Tensor(r, shape)]] });
  }
  return out;
}

/** Int8Add: same shapes, a broadcast scalar or channel vector, strided broadcasts. */
function addCases(): SuiteCase[] {
  const r = rng();
  const specs: [number[], number[], 'relu' | 'none'][] = [
    [[1, 8, 8, 8], [1, 8, 8, 8], 'relu'], [[1, 16, 4, 4], [1, 16, 4, 4], 'none'], [[1, 200], [1, 200], 'none'], [[1, 8, 14, 14], [1, 8, 14, 14], 'relu'],
    [[1, 8, 6, 6], [1], 'none'], [[1, 64], [1, 1], 'relu'], [[1, 8, 6, 6], [1, 8, 1, 1], 'none'], [[1, 4, 5, 5], [1, 1, 5, 5], 'relu'], [[1, 6, 4, 5], [1, 6, 4, 1], 'none'],
  ];
  return specs.map(([as, bs, act]) => {
    const b = new GraphBuilder('add_s8');
    const a = b.input('a', 'int8', as);
    const c = b.input('b', 'int8', bs);
    const ins = [a, b.initializer('a_scale', scalar('float32', 0.03)), b.initializer('a_zero_point', scalar('int8', -4)), c, b.initializer('b_scale', scalar('float32', 0.05)), b.initializer('b_zero_point', scalar('int8', 9)), b.initializer('y_scale', scalar('float32', 0.07)), b.initializer('y_zero_point', scalar('int8', act === 'relu' ? -128 : 2))];
    const [y] = b.node('Int8Add', ins, act === 'relu' ? { act_min: attr.int(-128) } : {}, { name: 'add', domain: EDGEPRUNE_DOMAIN });
    b.output(y);
    return { name: `add_s8.${as.join('x')}_${bs.join('x')}${act === 'none' ? '' : act}`, graph: b.build(), inputs: [[int8Tensor(r, as), int8Tensor(r, bs)]] };
  });
}

/** Int8AveragePool and Int8GlobalAveragePool. */
function avgPoolCases(): SuiteCase[] {
  const r = rng();
  const out: SuiteCase[] = [];
  const specs: [string, number[], number[], number[], number[], number?][] = [
    // name, input shape, kernel, strides, pads, count_include_pad
    ['k2s2x8', [1, 8, 8, 8], [2, 2], [2, 2], [0, 0, 0, 0]], ['k2s2x28', [1, 4, 28, 28], [2, 2], [2, 2], [0, 0, 0, 0]], ['k3s3x14', [1, 8, 14, 14], [3, 3], [3, 3], [0, 0, 0, 0]],
    ['k3s2p1x16', [1, 4, 16, 16], [3, 3], [2, 2], [1, 1, 1, 1]], ['k3s1p1x12', [1, 4, 12, 12], [3, 3], [1, 1], [1, 1, 1, 1]], ['k3s1p1x12cip', [1, 4, 12, 12], [3, 3], [1, 1], [1, 1, 1, 1], 1],
    ['k2s1x10', [1, 6, 10, 10], [2, 2], [1, 1], [0, 0, 0, 0]], ['k5s1p2x10', [1, 3, 10, 10], [5, 5], [1, 1], [2, 2, 2, 2]], ['k1x4s2x1x64', [1, 4, 1, 64], [1, 4], [1, 2], [0, 0, 0, 0]],
  ];
  const quant = (b: GraphBuilder) => [b.initializer('x_scale', scalar('float32', 0.04)), b.initializer('x_zero_point', scalar('int8', -3)), b.initializer('y_scale', scalar('float32', 0.03)), b.initializer('y_zero_point', scalar('int8', 5))];
  for (const [name, shape, k, s, pads, cip] of specs) {
    const b = new GraphBuilder('avgpool_s8');
    const x = b.input('x', 'int8', shape);
    const attrs: Record<string, AttrValue> = { kernel_shape: attr.ints(k), strides: attr.ints(s), pads: attr.ints(pads) };
    if (cip) attrs.count_include_pad = attr.int(1);
    const [y] = b.node('Int8AveragePool', [x, ...quant(b)], attrs, { name: 'pool', domain: EDGEPRUNE_DOMAIN });
    b.output(y);
    out.push({ name: `avgpool_s8.${name}`, graph: b.build(), inputs: [[int8Tensor(r, shape)]] });
  }
  for (const [C, H, W] of [[8, 8, 8], [16, 4, 4], [4, 16, 16], [32, 2, 2], [16, 3, 3], [3, 28, 28]]) {
    const b = new GraphBuilder('gavgpool_s8');
    const x = b.input('x', 'int8', [1, C, H, W]);
    const [y] = b.node('Int8GlobalAveragePool', [x, ...quant(b)], {}, { name: 'pool', domain: EDGEPRUNE_DOMAIN });
    b.output(y);
    out.push({ name: `gavgpool_s8.${C}x${H}x${W}`, graph: b.build(), inputs: [[int8Tensor(r, [1, C, H, W])]] });
  }
  return out;
}

/** Zero weights at random, the density of each output row spread around 1 - sparsity (some rows empty). */
function sparsifyS8(r: Random, g: Graph, sparsity: number): Graph {
  const w = g.initializers.get('w')!;
  const rows = w.shape[0];
  const per = w.size / rows;
  const data = Int8Array.from(w.data as Int8Array);
  for (let n = 0; n < rows; n++) {
    const keep = Math.min(1, Math.max(0, (1 - sparsity) * (rows > 1 ? (2 * n) / (rows - 1) : 1)));
    for (let k = 0; k < per; k++) if (r.next() >= keep) data[n * per + k] = 0;
  }
  g.initializers.set('w', new Tensor('int8', w.shape, data));
  return g;
}

/** The weight-sparse int8 kernels (forced, so that every case runs them). */
function sparseCases(): SuiteCase[] {
  const r = rng();
  const out: SuiteCase[] = [];
  const denses: [number, number, number, number][] = [
    // rows, K, N, sparsity
    [1, 64, 64, 0.5], [1, 64, 64, 0.8], [1, 64, 64, 0.95], [1, 256, 10, 0.8], [1, 256, 32, 0.9], [1, 32, 10, 0.7], [1, 128, 48, 0.6], [2, 64, 16, 0.8], [1, 300, 5, 0.9], [3, 40, 24, 0.75],
  ];
  for (const [rows, K, N, sp] of denses) {
    const b = new GraphBuilder('sparse_dense_s8');
    const x = b.input('x', 'int8', [rows, K]);
    b.output(int8Layer(b, r, x, 'Int8Gemm', { weight: [N, K], taps: K, act: 'relu' }));
    out.push({ name: `sparse_dense_s8.r${rows}k${K}n${N}s${Math.round(sp * 100)}`, graph: sparsifyS8(r, b.build(), sp), sparse: 'always', inputs: [[int8Tensor(r, [rows, K])]] });
  }
  const convs: [string, number][] = [
    ['c1x28k5p2m8', 0.6], ['c8x14k5p2m16', 0.7], ['c8x14k5p2m16', 0.9], ['c8x8k3p1m16', 0.5], ['c8x8k3p1m16', 0.9], ['c1x8k3p1m8', 0.3], ['c4x16k3m8', 0.7],
    ['c3x32k3p1s2m8', 0.8], ['dw8x16k3p1', 0.5], ['c16x8k1m32', 0.8], ['c5x8k3p1m11', 0.8], ['c2x12k4p1m4', 0.6], ['c2x40k3p1m4', 0.5],
  ];
  const spec = new Map(CONVS);
  spec.set('c2x40k3p1m4', { C: 2, H: 40, W: 40, M: 4, KH: 3, KW: 3, pad: p(1), act: 'clip' });
  for (const [name, sp] of convs) {
    const s = spec.get(name)!;
    out.push({ name: `sparse_conv_s8.${name}s${Math.round(sp * 100)}`, graph: sparsifyS8(r, convGraph(r, s), sp), sparse: 'always', inputs: [[int8Tensor(r, [1, s.C, s.H, s.W])]] });
  }
  return out;
}

/**
 * The float Softmax tail of a quantized model (ep_softmax_tail_f32): a float Softmax in a graph that also passes an int8
 * input through (a view, no code), which makes the model int8 (modelPrecision) and the Softmax its exact tail.
 */
function softmaxTailCases(): SuiteCase[] {
  const r = rng();
  const specs: [number[], number][] = [[[1, 10], 1], [[1, 100], 1], [[4, 16], 1], [[1, 6, 8], 1], [[2, 5, 3], 1], [[1, 1000], 1]];
  return specs.map(([shape, axis]) => {
    const b = new GraphBuilder('softmax_tail');
    const x = b.input('x', 'float32', shape);
    const q = b.input('q', 'int8', [1, 4]);
    b.output(b.op('Softmax', [x], { axis: attr.int(axis) }));
    b.output(b.op('Reshape', [q, b.initializer('s', Tensor.fromNumbers('int64', [1], [4]))]));
    const data = Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => r.normal() * 3));
    return { name: `softmax_tail.${shape.join('x')}a${axis}`, graph: b.build(), inputs: [[data, int8Tensor(r, [1, 4])]] };
  });
}

/** Every int8 calibration case. */
/**
 * Dense layers with per-tensor weights (the _pt entries of ep_int8_dense.h and ep_int8_sparse.h: one multiplier and
 * shift held in registers), calibrated as the variants ep_dense_s8:pt and ep_sparse_dense_s8:pt. Their own random
 * stream: the other cases are unchanged.
 */
function perTensorDenseCases(): SuiteCase[] {
  const r = new Random(20261205);
  const out: SuiteCase[] = [];
  const denses: [number, number, number, 'relu' | 'clip' | 'none', boolean][] = [
    [1, 64, 64, 'relu', true], [1, 64, 32, 'relu', true], [1, 32, 10, 'none', true], [1, 256, 10, 'none', true], [1, 16, 100, 'relu', true],
    [1, 29, 13, 'none', true], [1, 57, 24, 'relu', false], [2, 64, 16, 'relu', true], [4, 32, 10, 'clip', true], [1, 143, 18, 'none', true],
  ];
  for (const [rows, K, N, act, bias] of denses) {
    const b = new GraphBuilder('dense_s8_pt');
    const x = b.input('x', 'int8', [rows, K]);
    b.output(int8Layer(b, r, x, 'Int8Gemm', { weight: [N, K], taps: K, act, bias, perTensor: true }));
    out.push({ name: `dense_s8_pt.r${rows}k${K}n${N}${act === 'none' ? '' : act}${bias ? '' : 'nb'}`, graph: b.build(), sparse: 'never', inputs: [[int8Tensor(r, [rows, K])]] });
  }
  const sparse: [number, number, number, number][] = [[1, 64, 64, 0.8], [1, 256, 10, 0.8], [1, 64, 32, 0.9], [1, 128, 48, 0.6], [2, 64, 16, 0.8], [1, 300, 5, 0.9], [3, 40, 24, 0.75]];
  for (const [rows, K, N, sp] of sparse) {
    const b = new GraphBuilder('sparse_dense_s8_pt');
    const x = b.input('x', 'int8', [rows, K]);
    b.output(int8Layer(b, r, x, 'Int8Gemm', { weight: [N, K], taps: K, act: 'relu', perTensor: true }));
    out.push({ name: `sparse_dense_s8_pt.r${rows}k${K}n${N}s${Math.round(sp * 100)}`, graph: sparsifyS8(r, b.build(), sp), sparse: 'always', inputs: [[int8Tensor(r, [rows, K])]] });
  }
  return out;
}

/**
 * Dense layers whose input zero point is 1 or -1 (a quantized input in [0, 1] gets -1, for one): the zero points with
 * which gcc would rewrite (x - x_zp) * w as x * w -+ w, one more instruction per MAC, had ep_int8_dense.h not hidden
 * the subtraction (EP__OPAQUE in ep_int8_dense.h); here so that the fit sees such a layer. Their own random stream.
 */
function unitZeroPointDenseCases(): SuiteCase[] {
  const r = new Random(20261207);
  const specs: [number, number, number, boolean][] = [[1, 64, 64, false], [1, 48, 20, false], [1, 64, 32, true], [1, 40, 10, true]];
  return specs.map(([rows, K, N, perTensor], i) => {
    const xZero = i % 2 === 0 ? -1 : 1;
    const kind = perTensor ? 'dense_s8_pt' : 'dense_s8';
    const b = new GraphBuilder(kind);
    const x = b.input('x', 'int8', [rows, K]);
    b.output(int8Layer(b, r, x, 'Int8Gemm', { weight: [N, K], taps: K, act: 'relu', perTensor, xZero }));
    return { name: `${kind}.r${rows}k${K}n${N}relu.zp${xZero}`, graph: b.build(), sparse: 'never', inputs: [[int8Tensor(r, [rows, K])]] };
  });
}

export function int8CalibrationCases(): SuiteCase[] {
  return [...convCases(), ...denseCases(), ...maxPoolCases(), ...boundaryCases(), ...dataCases(), ...addCases(), ...avgPoolCases(), ...sparseCases(), ...softmaxTailCases(), ...perTensorDenseCases(), ...unitZeroPointDenseCases()];
}
