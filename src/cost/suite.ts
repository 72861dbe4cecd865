// The calibration suite: tiny one-layer models that span the shapes of each kernel (tile shapes,
// borders, strides, remainders, ops and modes). Each case lowers to calls of one calibration key only
// (plus views), so that its measurement, less the fixed cost of a model library, is explained by that
// key's terms alone. Weights and inputs are seeded: the suite is the same on every run.

import { attr, GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import type { SparseMode } from '../emit/c/sparse-choice.js';
import { rng, tensor, uniform, type SuiteCase } from './suite-common.js';
import { affineCases, binaryCases, concatCases, padCases, poolCases, reduceCases, softmaxCases, transposeCases, unaryCases, viewCases } from './suite-elementwise.js';
import { int8CalibrationCases } from './suite-int8.js';
import { argMaxCalibrationCases } from './suite-argmax.js';

export interface ConvSpec {
  C: number; H: number; W: number; M: number; KH: number; KW: number;
  pad?: [number, number, number, number]; stride?: [number, number]; dil?: [number, number]; group?: number;
  act?: 'relu' | 'clip' | 'none'; bias?: boolean;
  /** Weights and bias uniform in [−weightScale, weightScale] (default 0.5). */
  weightScale?: number;
}

/** Zero weights at random, the density of each output row (first axis) spread around 1 - sparsity, some rows empty. */
function sparsify(r: Random, t: Tensor, sparsity: number): Tensor {
  const rows = t.shape[0];
  const per = t.size / rows;
  const data = Float32Array.from(t.data as Float32Array);
  for (let n = 0; n < rows; n++) {
    const keep = Math.min(1, Math.max(0, (1 - sparsity) * (rows > 1 ? (2 * n) / (rows - 1) : 1)));
    for (let k = 0; k < per; k++) if (r.next() >= keep) data[n * per + k] = 0;
  }
  return new Tensor('float32', t.shape, data);
}

export function convGraph(r: Random, s: ConvSpec, sparsity = 0): Graph {
  const b = new GraphBuilder('conv');
  let x = b.input('x', 'float32', [1, s.C, s.H, s.W]);
  const group = s.group ?? 1;
  const dense = uniform(r, [s.M, s.C / group, s.KH, s.KW], s.weightScale);
  const w = b.initializer('w', sparsity > 0 ? sparsify(r, dense, sparsity) : dense);
  const ins = [x, w];
  if (s.bias !== false) ins.push(b.initializer('b', uniform(r, [s.M], s.weightScale)));
  x = b.op('Conv', ins, {
    kernel_shape: attr.ints([s.KH, s.KW]),
    pads: attr.ints(s.pad ?? [0, 0, 0, 0]),
    strides: attr.ints(s.stride ?? [1, 1]),
    dilations: attr.ints(s.dil ?? [1, 1]),
    group: attr.int(group),
  });
  if (s.act === 'relu' || s.act === undefined) x = b.op('Relu', [x]);
  if (s.act === 'clip') x = b.op('Clip', [x, b.initializer('lo', Tensor.fromNumbers('float32', [], [0])), b.initializer('hi', Tensor.fromNumbers('float32', [], [6]))]);
  b.output(x);
  return b.build();
}

const p = (n: number): [number, number, number, number] => [n, n, n, n];

/** Convolutions: channel blocks and remainders, 1x1/3x3/5x5/7x7 and wide kernels, borders, strides, dilations, groups. */
const CONVS: [string, ConvSpec][] = [
  ['c1x28k5p2m8', { C: 1, H: 28, W: 28, M: 8, KH: 5, KW: 5, pad: p(2) }],
  ['c8x14k5p2m16', { C: 8, H: 14, W: 14, M: 16, KH: 5, KW: 5, pad: p(2) }],
  ['c5x14k5p2m11', { C: 5, H: 14, W: 14, M: 11, KH: 5, KW: 5, pad: p(2) }],
  ['c1x28k5p2m3', { C: 1, H: 28, W: 28, M: 3, KH: 5, KW: 5, pad: p(2) }],
  ['c3x12k5m4', { C: 3, H: 12, W: 12, M: 4, KH: 5, KW: 5 }],
  ['c1x8k3p1m8', { C: 1, H: 8, W: 8, M: 8, KH: 3, KW: 3, pad: p(1) }],
  ['c8x8k3p1m16', { C: 8, H: 8, W: 8, M: 16, KH: 3, KW: 3, pad: p(1) }],
  ['c8x8k3p1m16n', { C: 8, H: 8, W: 8, M: 16, KH: 3, KW: 3, pad: p(1), act: 'none' }],
  ['c5x8k3p1m11', { C: 5, H: 8, W: 8, M: 11, KH: 3, KW: 3, pad: p(1) }],
  ['c3x8k3p1m5', { C: 3, H: 8, W: 8, M: 5, KH: 3, KW: 3, pad: p(1) }],
  ['c1x8k3p1m1', { C: 1, H: 8, W: 8, M: 1, KH: 3, KW: 3, pad: p(1) }],
  ['c4x16k3p1m8', { C: 4, H: 16, W: 16, M: 8, KH: 3, KW: 3, pad: p(1) }],
  ['c4x16k3m8', { C: 4, H: 16, W: 16, M: 8, KH: 3, KW: 3 }],
  ['c2x24k3p1m6clip', { C: 2, H: 24, W: 24, M: 6, KH: 3, KW: 3, pad: p(1), act: 'clip' }],
  ['c3x32k3p1s2m8', { C: 3, H: 32, W: 32, M: 8, KH: 3, KW: 3, pad: p(1), stride: [2, 2] }],
  ['c4x17k3s2m4', { C: 4, H: 17, W: 17, M: 4, KH: 3, KW: 3, stride: [2, 2] }],
  ['c8x16k1m8', { C: 8, H: 16, W: 16, M: 8, KH: 1, KW: 1 }],
  ['c16x8k1m32', { C: 16, H: 8, W: 8, M: 32, KH: 1, KW: 1 }],
  ['c16x8k1m6nb', { C: 16, H: 8, W: 8, M: 6, KH: 1, KW: 1, bias: false }],
  ['c6x10k1m3', { C: 6, H: 10, W: 10, M: 3, KH: 1, KW: 1 }],
  ['c2x20k2s2m4', { C: 2, H: 20, W: 20, M: 4, KH: 2, KW: 2, stride: [2, 2] }],
  ['c3x12k7p3m4', { C: 3, H: 12, W: 12, M: 4, KH: 7, KW: 7, pad: p(3) }],
  ['c1x20k7m2', { C: 1, H: 20, W: 20, M: 2, KH: 7, KW: 7 }],
  ['c4x12k3p2d2m4', { C: 4, H: 12, W: 12, M: 4, KH: 3, KW: 3, pad: p(2), dil: [2, 2] }],
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
  ['c8x4k3p1m4', { C: 8, H: 4, W: 4, M: 4, KH: 3, KW: 3, pad: p(1) }],
  ['c12x6k3m12', { C: 12, H: 6, W: 6, M: 12, KH: 3, KW: 3 }],
  ['gen2x1x48k17m2', { C: 2, H: 1, W: 48, M: 2, KH: 1, KW: 17, pad: [0, 8, 0, 8] }],
  ['gen1x1x64k20m3', { C: 1, H: 1, W: 64, M: 3, KH: 1, KW: 20 }],
];

function convCases(): SuiteCase[] {
  const r = rng();
  return CONVS.map(([name, s]) => ({ name: `conv.${name}`, graph: convGraph(r, s) }));
}

function convTransposeCases(): SuiteCase[] {
  const r = rng();
  const specs: [string, number, number, number, number, number, number[]][] = [
    // name, C, H, M, K, stride, pads
    ['ct8x8k4s2m4', 8, 8, 4, 4, 2, [1, 1, 1, 1]],
    ['ct4x6k3s1m4', 4, 6, 4, 3, 1, [0, 0, 0, 0]],
    ['ct2x8k3s2m3', 2, 8, 3, 3, 2, [1, 1, 0, 0]],
    ['ct6x5k2s2m6', 6, 5, 6, 2, 2, [0, 0, 0, 0]],
    ['ct1x12k5s1m2', 1, 12, 2, 5, 1, [2, 2, 2, 2]],
    ['ct4x4k4s4m2', 4, 4, 2, 4, 4, [0, 0, 0, 0]],
    ['ct3x10k3s1m3', 3, 10, 3, 3, 1, [1, 1, 1, 1]],
    ['ct8x3k3s3m8', 8, 3, 8, 3, 3, [0, 0, 0, 0]],
    ['ct2x16k2s2m2', 2, 16, 2, 2, 2, [0, 0, 0, 0]],
    ['ct5x7k5s2m3', 5, 7, 3, 5, 2, [2, 2, 1, 1]],
  ];
  return specs.map(([name, C, H, M, K, s, pads]) => ({ name: `convt.${name}`, graph: convTransposeGraph(r, C, H, M, K, s, pads) }));
}

function convTransposeGraph(r: Random, C: number, H: number, M: number, K: number, s: number, pads: number[]): Graph {
  const b = new GraphBuilder('convt');
  const x = b.input('x', 'float32', [1, C, H, H]);
  const y = b.op('ConvTranspose', [x, b.initializer('w', uniform(r, [C, M, K, K])), b.initializer('b', uniform(r, [M]))], {
    kernel_shape: attr.ints([K, K]), strides: attr.ints([s, s]), pads: attr.ints(pads),
  });
  b.output(y);
  return b.build();
}

function denseCases(): SuiteCase[] {
  const r = rng();
  const specs: [number, number, number, 'relu' | 'clip' | 'none', boolean][] = [
    // rows, K, N, activation, bias
    [1, 64, 64, 'relu', true],
    [1, 64, 32, 'relu', true],
    [1, 32, 10, 'none', true],
    [1, 256, 10, 'none', true],
    [1, 256, 32, 'relu', true],
    [1, 8, 4, 'none', true],
    [1, 16, 100, 'relu', true],
    [1, 29, 13, 'none', true],
    [1, 30, 7, 'clip', true],
    [1, 300, 5, 'none', false],
    [1, 100, 1, 'none', true],
    [1, 57, 24, 'relu', false],
    [1, 128, 48, 'relu', true],
    [2, 64, 16, 'relu', true],
    [4, 32, 10, 'none', true],
    [3, 16, 12, 'relu', true],
    [6, 20, 9, 'none', false],
  ];
  return specs.map(([rows, K, N, act, bias]) => ({ name: `dense.r${rows}k${K}n${N}${act === 'none' ? '' : act}${bias ? '' : 'nb'}`, graph: denseGraph(r, rows, K, N, act, bias) }));
}

/** A Gemm layer (weights and bias uniform in [−weightScale, weightScale]) and its activation. */
export function denseGraph(r: Random, rows: number, K: number, N: number, act: 'relu' | 'clip' | 'none', bias: boolean, sparsity = 0, weightScale?: number): Graph {
  const b = new GraphBuilder('dense');
  let x = b.input('x', 'float32', [rows, K]);
  const w = uniform(r, [N, K], weightScale);
  const ins = [x, b.initializer('w', sparsity > 0 ? sparsify(r, w, sparsity) : w)];
  if (bias) ins.push(b.initializer('b', uniform(r, [N], weightScale)));
  x = b.op('Gemm', ins, { transB: attr.int(1) });
  if (act === 'relu') x = b.op('Relu', [x]);
  if (act === 'clip') x = b.op('Clip', [x, b.initializer('lo', Tensor.fromNumbers('float32', [], [0])), b.initializer('hi', Tensor.fromNumbers('float32', [], [6]))]);
  b.output(x);
  return b.build();
}

function matmulCases(): SuiteCase[] {
  const specs: [number[], number[]][] = [
    [[4, 8], [8, 4]],
    [[5, 16], [16, 6]],
    [[8, 8], [8, 8]],
    [[3, 5], [5, 7]],
    [[1, 16], [16, 16]],
    [[2, 4, 8], [2, 8, 4]],
    [[12, 12], [12, 12]],
  ];
  return specs.map(([as, bs]) => ({ name: `matmul.${as.join('x')}_${bs.join('x')}`, graph: matmulGraph(as, bs) }));
}

function matmulGraph(as: number[], bs: number[]): Graph {
  const b = new GraphBuilder('matmul');
  const a = b.input('a', 'float32', as);
  const c = b.input('b', 'float32', bs);
  b.output(b.op('MatMul', [a, c]));
  return b.build();
}

/** Weight-sparse kernels (forced, so that every case runs them). */
function sparseCases(): SuiteCase[] {
  const r = rng();
  const out: SuiteCase[] = [];
  const dense: [number, number, number, number, boolean][] = [
    // rows, K, N, sparsity, relu
    [1, 64, 64, 0.5, true], [1, 64, 64, 0.8, true], [1, 64, 64, 0.95, false], [1, 256, 10, 0.8, false], [1, 256, 32, 0.9, true],
    [1, 32, 10, 0.7, false], [1, 128, 48, 0.6, true], [2, 64, 16, 0.8, true], [1, 300, 5, 0.9, false], [3, 40, 24, 0.75, false],
  ];
  for (const [rows, K, N, sp, relu] of dense) {
    const b = new GraphBuilder('sparse_dense');
    let x = b.input('x', 'float32', [rows, K]);
    x = b.op('Gemm', [x, b.initializer('w', sparsify(r, uniform(r, [N, K]), sp)), b.initializer('b', uniform(r, [N]))], { transB: attr.int(1) });
    if (relu) x = b.op('Relu', [x]);
    b.output(x);
    out.push({ name: `sparse_dense.r${rows}k${K}n${N}s${Math.round(sp * 100)}`, graph: b.build(), sparse: 'always' });
  }
  const convs: [string, ConvSpec, number][] = [
    ['c1x28k5p2m8', { C: 1, H: 28, W: 28, M: 8, KH: 5, KW: 5, pad: p(2) }, 0.6],
    ['c8x14k5p2m16', { C: 8, H: 14, W: 14, M: 16, KH: 5, KW: 5, pad: p(2) }, 0.7],
    ['c8x14k5p2m16', { C: 8, H: 14, W: 14, M: 16, KH: 5, KW: 5, pad: p(2) }, 0.9],
    ['c8x8k3p1m16', { C: 8, H: 8, W: 8, M: 16, KH: 3, KW: 3, pad: p(1) }, 0.5],
    ['c8x8k3p1m16', { C: 8, H: 8, W: 8, M: 16, KH: 3, KW: 3, pad: p(1) }, 0.9],
    ['c1x8k3p1m8', { C: 1, H: 8, W: 8, M: 8, KH: 3, KW: 3, pad: p(1) }, 0.3],
    ['c4x16k3m8', { C: 4, H: 16, W: 16, M: 8, KH: 3, KW: 3, act: 'none' }, 0.7],
    ['c3x32k3p1s2m8', { C: 3, H: 32, W: 32, M: 8, KH: 3, KW: 3, pad: p(1), stride: [2, 2] }, 0.8],
    ['dw8x16k3p1', { C: 8, H: 16, W: 16, M: 8, KH: 3, KW: 3, pad: p(1), group: 8 }, 0.5],
    ['c16x8k1m32', { C: 16, H: 8, W: 8, M: 32, KH: 1, KW: 1 }, 0.8],
    ['c5x8k3p1m11', { C: 5, H: 8, W: 8, M: 11, KH: 3, KW: 3, pad: p(1) }, 0.8],
    ['c2x12k4p1m4', { C: 2, H: 12, W: 12, M: 4, KH: 4, KW: 4, pad: [1, 1, 2, 2] }, 0.6],
    ['c4x12k3p2d2m4', { C: 4, H: 12, W: 12, M: 4, KH: 3, KW: 3, pad: p(2), dil: [2, 2] }, 0.7],
    ['c2x40k3p1m4', { C: 2, H: 40, W: 40, M: 4, KH: 3, KW: 3, pad: p(1), act: 'clip' }, 0.5],
  ];
  for (const [name, spec, sp] of convs) out.push({ name: `sparse_conv.${name}s${Math.round(sp * 100)}`, graph: convGraph(r, spec, sp), sparse: 'always' });
  return out;
}

/** A uniform [-1, 1] tensor with each element zero with probability `fraction` (as activations after a ReLU). */
function withZeros(r: Random, shape: number[], fraction: number): Tensor {
  return tensor(r, shape, () => (r.next() < fraction ? 0 : r.uniform(-1, 1)));
}

const CONV_SPEC = new Map(CONVS);
const conv = (name: string) => CONV_SPEC.get(name)!;

/**
 * Multiply-accumulate kernels on inputs with zeros and dense kernels on weights with zeros: the zero-product term
 * (kernels.ts ZERO_AWARE), which soft-float targets need (a zero product is cheaper there).
 */
function zeroProductCases(): SuiteCase[] {
  const r = rng();
  const out: SuiteCase[] = [];
  const convInput = (s: ConvSpec, z: number) => [[withZeros(r, [1, s.C, s.H, s.W], z)]];
  const convs: [string, number, number, SparseMode][] = [
    // spec, input zeros, weight sparsity, kernel choice
    ['c8x14k5p2m16', 0.5, 0, 'never'], ['c8x8k3p1m16', 0.3, 0, 'never'], ['c8x8k3p1m16', 0.7, 0, 'never'], ['c1x28k5p2m8', 0.6, 0, 'never'],
    ['c16x8k1m32', 0.5, 0, 'never'], ['dw8x16k3p1', 0.5, 0, 'never'], ['c3x32k3p1s2m8', 0.5, 0, 'never'], ['c4x16k3m8', 0.9, 0, 'never'],
    ['gen2x1x48k17m2', 0.5, 0, 'never'], ['c8x8k3p1m16', 0, 0.5, 'never'], ['c8x14k5p2m16', 0.4, 0.7, 'never'],
    ['c8x14k5p2m16', 0.5, 0.7, 'always'], ['c8x8k3p1m16', 0.6, 0.5, 'always'], ['c1x28k5p2m8', 0.5, 0.6, 'always'], ['dw8x16k3p1', 0.5, 0.5, 'always'],
  ];
  for (const [name, z, sp, mode] of convs) {
    const s = conv(name);
    const kind = mode === 'always' ? 'sparse_conv' : 'conv';
    out.push({ name: `${kind}.${name}.x${Math.round(z * 100)}w${Math.round(sp * 100)}`, graph: convGraph(r, s, sp), sparse: mode, inputs: convInput(s, z) });
  }
  const denses: [number, number, number, number, number, SparseMode][] = [
    // rows, K, N, input zeros, weight sparsity, kernel choice
    [1, 256, 32, 0.5, 0, 'never'], [1, 64, 64, 0.3, 0, 'never'], [1, 64, 64, 0.8, 0, 'never'], [2, 64, 16, 0.5, 0, 'never'], [1, 128, 48, 0.6, 0, 'never'],
    [1, 256, 32, 0, 0.5, 'never'], [1, 64, 64, 0, 0.8, 'never'], [1, 128, 48, 0.5, 0.3, 'never'],
    [1, 256, 32, 0.5, 0.9, 'always'], [1, 64, 64, 0.7, 0.5, 'always'], [1, 128, 48, 0.3, 0.6, 'always'], [2, 64, 16, 0.5, 0.8, 'always'],
  ];
  for (const [rows, K, N, z, sp, mode] of denses) {
    const kind = mode === 'always' ? 'sparse_dense' : 'dense';
    out.push({ name: `${kind}.r${rows}k${K}n${N}.x${Math.round(z * 100)}w${Math.round(sp * 100)}`, graph: denseGraph(r, rows, K, N, 'relu', true, sp), sparse: mode, inputs: [[withZeros(r, [rows, K], z)]] });
  }
  const matmuls: [number[], number[], number, number][] = [[[5, 16], [16, 6], 0.5, 0], [[8, 8], [8, 8], 0.3, 0.5], [[12, 12], [12, 12], 0.7, 0]];
  for (const [as, bs, za, zb] of matmuls) {
    out.push({ name: `matmul.${as.join('x')}_${bs.join('x')}.x${Math.round(za * 100)}w${Math.round(zb * 100)}`, graph: matmulGraph(as, bs), inputs: [[withZeros(r, as, za), withZeros(r, bs, zb)]] });
  }
  const cts: [string, number, number, number, number, number, number[], number][] = [['ct8x8k4s2m4', 8, 8, 4, 4, 2, [1, 1, 1, 1], 0.5], ['ct4x6k3s1m4', 4, 6, 4, 3, 1, [0, 0, 0, 0], 0.7]];
  for (const [name, C, H, M, K, st, pads, z] of cts) {
    out.push({ name: `convt.${name}.x${Math.round(z * 100)}`, graph: convTransposeGraph(r, C, H, M, K, st, pads), inputs: [[withZeros(r, [1, C, H, H], z)]] });
  }
  return out;
}

export type { SuiteCase } from './suite-common.js';

/** Every calibration case. */
export function calibrationSuite(): SuiteCase[] {
  return [
    ...viewCases(), ...convCases(), ...convTransposeCases(), ...denseCases(), ...matmulCases(), ...poolCases(), ...unaryCases(),
    ...binaryCases(), ...affineCases(), ...softmaxCases(), ...reduceCases(), ...transposeCases(), ...padCases(), ...concatCases(), ...sparseCases(), ...zeroProductCases(),
    ...int8CalibrationCases(), ...argMaxCalibrationCases(),
  ];
}
