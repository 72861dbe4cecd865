// The weight-sparse int8 kernel cases (templates/c/lib/ep_int8_sparse.h) with the interpreter's outputs: pruned int8
// convs and dense layers at 0%, 50%, 80%, 95% and 100% sparsity (and all-zero rows or channels among non-zero ones),
// with biases, input zero points at the extremes, clamps, padding, strides, dilations and groups. The weights are
// packed by the emitter's own packing (src/emit/c/sparse-choice-s8.ts), so a packing bug fails here too.
import type { AttrValue } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8Conv } from '../../src/ops/int8-conv.js';
import { Int8Gemm } from '../../src/ops/int8-gemm.js';
import { foldZeroPoint, packSparseConvS8, packSparseDenseS8 } from '../../src/emit/c/sparse-choice-s8.js';
import { accSpread, channelScales, multipliersOf, packS8, randomS8, s8Case, type ConvSpec } from './int8-cases.js';
import { attr, evalOp, type Arg, type KernelCase, Random } from './harness.js';

const s8In = (i: number) => `(const int8_t *)in${i}`;
const u8In = (i: number) => `(const uint8_t *)in${i}`;
const s32In = (i: number) => `(const int32_t *)in${i}`;
const f32t = (v: number[]) => Tensor.fromNumbers('float32', [v.length], v);
const s8t = (v: number) => Tensor.fromNumbers('int8', [1], [v]);

/**
 * Zero a share `sparsity` of the weights (exactly round(sparsity · n), chosen at random), and every weight of the
 * `zeroRows` first outputs (`per` weights each).
 */
export function prune(rng: Random, w: number[], sparsity: number, per: number, zeroRows = 0): number[] {
  const order = w.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const out = w.map((v) => (v === 0 ? 1 : v)); // no accidental zeros: the sparsity is the one asked for
  for (const i of order.slice(0, Math.round(sparsity * w.length))) out[i] = 0;
  for (let i = 0; i < zeroRows * per; i++) out[i] = 0;
  return out;
}

export interface SparseSpec {
  sparsity: number;
  /** Outputs (rows or channels) with every weight zero, the first ones. */
  zeroRows?: number;
}

export function sparseConvCase(name: string, s: ConvSpec & SparseSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const g = s.group ?? 1;
  const [KH, KW] = s.K;
  const Cg = s.C / g;
  const xZero = s.xZero ?? rng.int(256) - 128;
  const yZero = s.yZero ?? rng.int(256) - 128;
  const [xlo, xhi] = s.xRange ?? [-128, 127];
  const x = randomS8(rng, s.C * s.H * s.W, xlo, xhi);
  const per = Cg * KH * KW;
  const w = prune(rng, randomS8(rng, s.M * per, -127, 127), s.sparsity, per, s.zeroRows);
  const spread = accSpread(per, x, xZero, w.map((v) => v || 40));
  const wScale = channelScales(rng, s.M, s.multiplier ?? (s.gain ?? 1) * (60 / spread), s.multiplier !== undefined);
  const biasValues = s.bias === false ? undefined : Int32Array.from({ length: s.M }, () => Math.round(rng.uniform(-0.5, 0.5) * spread));
  const wt = Tensor.fromNumbers('int8', [s.M, Cg, KH, KW], w);
  const pads = s.pads ?? [0, 0, 0, 0];
  const [sh, sw] = s.strides ?? [1, 1];
  const [dh, dw] = s.dilations ?? [1, 1];
  const attrs: Record<string, AttrValue> = {
    kernel_shape: attr.ints([KH, KW]),
    strides: attr.ints([sh, sw]),
    dilations: attr.ints([dh, dw]),
    pads: attr.ints(pads),
    group: attr.int(g),
    act_min: attr.int(s.actMin ?? -128),
    act_max: attr.int(s.actMax ?? 127),
  };
  const bias = biasValues && new Tensor('int32', [s.M], biasValues);
  const y = evalOp(Int8Conv, [Tensor.fromNumbers('int8', [1, s.C, s.H, s.W], x), f32t([1]), s8t(xZero), wt, wScale, f32t([1]), s8t(yZero), bias], attrs);
  const [, , OH, OW] = y.shape;
  const packed = packSparseConvS8(wt.data as Int8Array, { C: s.C, H: s.H, W: s.W, M: s.M, KH, KW, OH, OW, sh, sw, dh, dw, pt: pads[0], pl: pads[1], groups: g });
  const acc0 = foldZeroPoint(wt.data as Int8Array, s.M, biasValues, xZero);
  const mult = multipliersOf(wScale, s.M);
  const inputs = [packS8(x), packS8(packed.cnt.data as Uint8Array), packS8(packed.ent.data as Uint8Array), acc0.data as Int32Array, Int32Array.from(mult.map((m) => m.multiplier)), packS8(mult.map((m) => m.shift))];
  const args: Arg[] = [s8In(0), u8In(1), u8In(2), s32In(3), s32In(4), s8In(5), '(int8_t *)out', s.C, s.H, s.W, s.M, KH, KW, OH, OW, sh, sw, dh, dw, pads[0], pads[1], g, xZero, yZero, s.actMin ?? -128, s.actMax ?? 127];
  return s8Case(`sparse conv ${name} at ${Math.round(s.sparsity * 100)}%${s.zeroRows ? `, ${s.zeroRows} all-zero channels` : ''}`, 'ep_sparse_conv2d_s8', args, inputs, y);
}

export interface SparseDenseSpec extends SparseSpec {
  rows: number;
  K: number;
  N: number;
  xZero?: number;
  yZero?: number;
  actMin?: number;
  actMax?: number;
  bias?: boolean;
  /** One weight scale for the layer (w_scale [1]): ep_sparse_dense_s8_pt with one multiplier and shift. */
  perTensor?: boolean;
}

export function sparseDenseCase(name: string, s: SparseDenseSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const xZero = s.xZero ?? rng.int(256) - 128;
  const yZero = s.yZero ?? rng.int(256) - 128;
  const x = randomS8(rng, s.rows * s.K);
  const w = prune(rng, randomS8(rng, s.N * s.K, -127, 127), s.sparsity, s.K, s.zeroRows);
  const spread = accSpread(s.K, x, xZero, w.map((v) => v || 40));
  const wScale = channelScales(rng, s.perTensor ? 1 : s.N, 60 / spread, false);
  const biasValues = s.bias === false ? undefined : Int32Array.from({ length: s.N }, () => Math.round(rng.uniform(-0.5, 0.5) * spread));
  const wt = Tensor.fromNumbers('int8', [s.N, s.K], w);
  const attrs = { act_min: attr.int(s.actMin ?? -128), act_max: attr.int(s.actMax ?? 127) };
  const bias = biasValues && new Tensor('int32', [s.N], biasValues);
  const y = evalOp(Int8Gemm, [Tensor.fromNumbers('int8', [s.rows, s.K], x), f32t([1]), s8t(xZero), wt, wScale, f32t([1]), s8t(yZero), bias], attrs);
  const packed = packSparseDenseS8(wt.data as Int8Array, s.N, s.K);
  const acc0 = foldZeroPoint(wt.data as Int8Array, s.N, biasValues, xZero);
  const mult = multipliersOf(wScale, wScale.size);
  const inputs = [packS8(x), packS8(packed.cnt.data as Uint8Array), packS8(packed.idx.data as Uint8Array), packS8(packed.val.data as Int8Array), acc0.data as Int32Array, Int32Array.from(mult.map((m) => m.multiplier)), packS8(mult.map((m) => m.shift))];
  const args: Arg[] = [s8In(0), u8In(1), u8In(2), s8In(3), s32In(4), s32In(5), s8In(6), '(int8_t *)out', s.rows, s.K, s.N, yZero, s.actMin ?? -128, s.actMax ?? 127];
  const what = `sparse dense ${name} at ${Math.round(s.sparsity * 100)}%${s.zeroRows ? `, ${s.zeroRows} all-zero rows` : ''}${s.perTensor ? ' (per tensor)' : ''}`;
  return s8Case(what, s.perTensor ? 'ep_sparse_dense_s8_pt' : 'ep_sparse_dense_s8', args, inputs, y);
}

export const SPARSITIES = [0, 0.5, 0.8, 0.95, 1];

/** The dense-layer cases. */
export function sparseDenseCases(): KernelCase[] {
  return [
    ...SPARSITIES.map((sparsity, i) => sparseDenseCase('MNIST fc 256→10', { rows: 1, K: 256, N: 10, sparsity, zeroRows: sparsity === 0.5 ? 2 : 0 }, 200 + i)),
    sparseDenseCase('K 300 (3 segments, the last partial), N 13, 3 rows', { rows: 3, K: 300, N: 13, sparsity: 0.8, zeroRows: 1 }, 210),
    sparseDenseCase('K 128 exactly, dense rows (count 128)', { rows: 1, K: 128, N: 3, sparsity: 0 }, 211),
    sparseDenseCase('K 7, N 5, 2 rows', { rows: 2, K: 7, N: 5, sparsity: 0.5 }, 212),
    sparseDenseCase('zero points -128 / 127, clamp [0, 127], no bias', { rows: 2, K: 64, N: 6, xZero: -128, yZero: 127, actMin: 0, bias: false, sparsity: 0.8 }, 213),
    sparseDenseCase('zero points 127 / -128, narrow clamp [-10, 20]', { rows: 1, K: 40, N: 7, xZero: 127, yZero: -128, actMin: -10, actMax: 20, sparsity: 0.95 }, 214),
    sparseDenseCase('K 300 (3 segments), N 13, 3 rows', { rows: 3, K: 300, N: 13, sparsity: 0.8, zeroRows: 1, perTensor: true }, 215),
    sparseDenseCase('zero points -128 / 127, clamp [0, 127], no bias', { rows: 2, K: 64, N: 6, xZero: -128, yZero: 127, actMin: 0, bias: false, sparsity: 0.8, perTensor: true }, 216),
  ];
}

/** The conv cases. */
export function sparseConvCases(): KernelCase[] {
  const rng = new Random(300);
  const cases = [
    // (the big conv at the ends and at 80% with empty channels; 50% and 95% are the smaller convs' below)
    ...SPARSITIES.flatMap((sparsity, i) => ([0, 0.8, 1].includes(sparsity) ? [sparseConvCase('MNIST conv2 8→16 5x5 pad 2 + ReLU', { C: 8, H: 14, W: 14, M: 16, K: [5, 5], pads: [2, 2, 2, 2], xZero: -128, yZero: -128, actMin: -128, sparsity, zeroRows: sparsity === 0.8 ? 2 : 0 }, 220 + i)] : [])),
    sparseConvCase('MNIST conv1 1→8 5x5 28x28 pad 2 + ReLU', { C: 1, H: 28, W: 28, M: 8, K: [5, 5], pads: [2, 2, 2, 2], yZero: -20, actMin: -20, sparsity: 0.8 }, 230),
    sparseConvCase('3x3 stride 2 pad 1, 11x13', { C: 3, H: 11, W: 13, M: 4, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], sparsity: 0.5 }, 231),
    sparseConvCase('depthwise 3x3 pad 1', { C: 4, H: 9, W: 9, M: 4, K: [3, 3], pads: [1, 1, 1, 1], group: 4, sparsity: 0.5, zeroRows: 1 }, 232),
    sparseConvCase('depthwise multiplier 2 (groups 4, M 8)', { C: 4, H: 7, W: 10, M: 8, K: [3, 3], pads: [1, 1, 1, 1], group: 4, sparsity: 0.8 }, 233),
    sparseConvCase('groups 2, odd M', { C: 4, H: 6, W: 8, M: 6, K: [3, 3], group: 2, pads: [0, 1, 0, 1], sparsity: 0.5 }, 234),
    sparseConvCase('dilation 2, pad 2', { C: 2, H: 9, W: 11, M: 3, K: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2], sparsity: 0.8 }, 235),
    sparseConvCase('1-D (H = 1) stride 2 pad 3', { C: 2, H: 1, W: 17, M: 3, K: [1, 5], strides: [1, 2], pads: [0, 3, 0, 3], sparsity: 0.5 }, 236),
    sparseConvCase('1x1 pointwise', { C: 6, H: 5, W: 5, M: 7, K: [1, 1], sparsity: 0.8 }, 237),
    sparseConvCase('7x7 pad 3 (49 taps)', { C: 2, H: 12, W: 12, M: 3, K: [7, 7], pads: [3, 3, 3, 3], sparsity: 0.8 }, 238),
    sparseConvCase('row dilation 3, column dilation 2, pad 1', { C: 2, H: 13, W: 11, M: 2, K: [3, 3], dilations: [3, 2], pads: [1, 1, 1, 1], sparsity: 0.5 }, 243),
    sparseConvCase('pads beyond the kernel (windows all padding)', { C: 2, H: 3, W: 4, M: 3, K: [2, 2], pads: [3, 3, 3, 3], sparsity: 0.5 }, 239),
    sparseConvCase('asymmetric pads, zero points 127 / -128, clamp [-10, 20]', { C: 3, H: 7, W: 8, M: 4, K: [3, 3], pads: [0, 2, 2, 0], xZero: 127, yZero: -128, actMin: -10, actMax: 20, sparsity: 0.8 }, 240),
    sparseConvCase('zero points -128 / 127, clamp [0, 127], no bias', { C: 3, H: 8, W: 9, M: 4, K: [3, 3], pads: [1, 1, 1, 1], xZero: -128, yZero: 127, actMin: 0, bias: false, sparsity: 0.95 }, 241),
    sparseConvCase('wide row (30 columns: several tiles) stride 1x3', { C: 2, H: 6, W: 30, M: 2, K: [3, 3], strides: [1, 3], pads: [1, 1, 1, 1], sparsity: 0.5 }, 242),
  ];
  for (let k = 0; k < 3; k++) {
    const K: [number, number] = [1 + rng.int(5), 1 + rng.int(6)];
    const group = rng.next() < 0.3 ? 2 : 1;
    const C = group * (1 + rng.int(4));
    const M = group * (1 + rng.int(5));
    const strides: [number, number] = [1 + rng.int(2), 1 + rng.int(3)];
    const pads: [number, number, number, number] = [rng.int(K[0]), rng.int(K[1]), rng.int(K[0]), rng.int(K[1])];
    const sparsity = SPARSITIES[rng.int(SPARSITIES.length)];
    cases.push(sparseConvCase(`random ${k}: ${C}→${M} ${K.join('x')} stride ${strides.join('x')} pads ${pads.join(',')} groups ${group} on ${K[0] + 3}x${K[1] + 9}`, { C, H: K[0] + 3, W: K[1] + 9, M, K, strides, pads, group, sparsity }, 250 + k));
  }
  return cases;
}
