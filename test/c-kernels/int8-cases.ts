// The int8 kernel cases (templates/c/lib/ep_int8_*.h) with the interpreter's outputs: conv (random shapes, strides,
// dilations, padding, groups, depthwise, 1-D, zero points and clamps at the extremes, weights ±127, large and tiny
// multipliers), dense, QuantizeLinear, DequantizeLinear, int8 MaxPool and Int8Add (equal and unequal scales, rounding
// ties, saturation, zero points and clamps at the extremes, broadcasting, every rescaling shift form) and the int8
// average pools (padding with count_include_pad 0 and 1, strides, dilations, ceil mode, saturation, clamps, zero points
// at the extremes), the float Softmax tail of an int8 model (bit-exact: the interpreter's double exp), and the ldw
// variants of the dense and conv kernels (a nested level's weights read through a row stride). int8 tensors
// travel packed four to a
// 32-bit word (the harness's data unit); outputs are compared byte for byte, padding bytes included.
import type { AttrValue } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { DequantizeLinear } from '../../src/ops/dequantize-linear.js';
import { Int8Add } from '../../src/ops/int8-add.js';
import { Int8AveragePool } from '../../src/ops/int8-average-pool.js';
import { Int8GlobalAveragePool } from '../../src/ops/int8-global-average-pool.js';
import { Int8Conv } from '../../src/ops/int8-conv.js';
import { Int8Gemm } from '../../src/ops/int8-gemm.js';
import { MaxPool } from '../../src/ops/max-pool.js';
import { QuantizeLinear } from '../../src/ops/quantize-linear.js';
import { Softmax } from '../../src/ops/softmax.js';
import { addMultipliers } from '../../src/ops/util/int8-add-params.js';
import { averageMultiplier } from '../../src/ops/util/int8-average.js';
import { channelMultipliers } from '../../src/ops/util/int8-params.js';
import { broadcastStrides, collapseAxes } from '../../src/emit/c/weight-transforms.js';
import { attr, evalOp, float, ints, type Arg, type KernelCase, Random } from './harness.js';

/** The byte every output buffer starts filled with (and the padding bytes of packed outputs keep). */
const FILL = 0x5a;

/** int8 values packed into 32-bit words (little-endian), the tail padded with FILL. */
export function packS8(values: ArrayLike<number>): Int32Array {
  const bytes = new Uint8Array(Math.ceil(values.length / 4) * 4).fill(FILL);
  for (let i = 0; i < values.length; i++) bytes[i] = values[i] & 0xff;
  return new Int32Array(bytes.buffer);
}

/** Unpack n int8 values from words. */
export function unpackS8(words: Int32Array, n: number): number[] {
  return Array.from(new Int8Array(words.buffer, words.byteOffset, n));
}

/** An int8 output case: expected bytes packed, the buffer starts as FILL bytes (so unwritten elements show). */
export function s8Case(name: string, fn: string, args: Arg[], inputs: (Float32Array | Int32Array)[], y: Tensor): KernelCase {
  const expected = packS8(y.data as Int8Array);
  return { name, fn, args, inputs, expected, init: new Int32Array(expected.length).fill(FILL * 0x01010101), exact: true };
}

const s8In = (i: number) => `(const int8_t *)in${i}`;
const s32In = (i: number) => `(const int32_t *)in${i}`;
const S8_OUT = '(int8_t *)out';

const f32t = (v: number[]) => Tensor.fromNumbers('float32', [v.length], v);
const s8t = (v: number) => Tensor.fromNumbers('int8', [1], [v]);

/** Random int8 values in [lo, hi]. */
export function randomS8(rng: Random, n: number, lo = -128, hi = 127): number[] {
  return Array.from({ length: n }, () => lo + rng.int(hi - lo + 1));
}

export interface ConvSpec {
  C: number;
  H: number;
  W: number;
  M: number;
  K: [number, number];
  strides?: [number, number];
  dilations?: [number, number];
  /** top, left, bottom, right */
  pads?: [number, number, number, number];
  group?: number;
  xZero?: number;
  yZero?: number;
  actMin?: number;
  actMax?: number;
  bias?: boolean;
  /** Every weight ±127 (alternating signs by channel). */
  extremeWeights?: boolean;
  /** Input values range. */
  xRange?: [number, number];
  /** The real multiplier x_scale·w_scale/y_scale relative to 1/(the accumulators' spread): 1 spreads the outputs over int8. */
  gain?: number;
  /** A fixed real multiplier for every channel instead (e.g. 0.75: shift 31; 3: shift 29; 1e-12: shift 62). */
  multiplier?: number;
}

/** The accumulators' typical size: sqrt(taps) × the input's spread around its zero point × the weights' spread. */
export function accSpread(taps: number, x: number[], xZero: number, w: number[]): number {
  const xs = Math.sqrt(x.reduce((s, v) => s + (v - xZero) ** 2, 0) / x.length) || 1;
  const ws = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length) || 1;
  return Math.sqrt(taps) * xs * ws;
}

/** Scales giving a per-channel real multiplier around `real` (x_scale 1, y_scale 1, w_scale varies by channel). */
export function channelScales(rng: Random, M: number, real: number, exact: boolean): Tensor {
  return f32t(Array.from({ length: M }, () => (exact ? real : real * rng.uniform(0.6, 1.6))));
}

export function convCase(name: string, s: ConvSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const g = s.group ?? 1;
  const [KH, KW] = s.K;
  const Cg = s.C / g;
  const xZero = s.xZero ?? rng.int(256) - 128;
  const yZero = s.yZero ?? rng.int(256) - 128;
  const [xlo, xhi] = s.xRange ?? [-128, 127];
  const x = randomS8(rng, s.C * s.H * s.W, xlo, xhi);
  const wn = s.M * Cg * KH * KW;
  const w = s.extremeWeights ? Array.from({ length: wn }, (_, i) => (Math.floor(i / (Cg * KH * KW)) % 2 === 0 ? 127 : -127)) : randomS8(rng, wn, -127, 127);
  const spread = accSpread(Cg * KH * KW, x, xZero, w);
  const real = s.multiplier ?? (s.gain ?? 1) * (60 / spread);
  const wScale = channelScales(rng, s.M, real, s.multiplier !== undefined);
  const bias = s.bias === false ? undefined : Tensor.fromNumbers('int32', [s.M], Array.from({ length: s.M }, () => Math.round(rng.uniform(-0.5, 0.5) * spread)));
  const xt = Tensor.fromNumbers('int8', [1, s.C, s.H, s.W], x);
  const wt = Tensor.fromNumbers('int8', [s.M, Cg, KH, KW], w);
  const pads = s.pads ?? [0, 0, 0, 0];
  const attrs: Record<string, AttrValue> = {
    kernel_shape: attr.ints([KH, KW]),
    strides: attr.ints(s.strides ?? [1, 1]),
    dilations: attr.ints(s.dilations ?? [1, 1]),
    pads: attr.ints(pads),
    group: attr.int(g),
    act_min: attr.int(s.actMin ?? -128),
    act_max: attr.int(s.actMax ?? 127),
  };
  const y = evalOp(Int8Conv, [xt, f32t([1]), s8t(xZero), wt, wScale, f32t([1]), s8t(yZero), bias], attrs);
  const mult = multipliersOf(wScale, s.M);
  const [, , OH, OW] = y.shape;
  const [sh, sw] = s.strides ?? [1, 1];
  const [dh, dw] = s.dilations ?? [1, 1];
  const inputs = [packS8(x), packS8(w), bias ? (bias.data as Int32Array) : new Int32Array(1), Int32Array.from(mult.map((m) => m.multiplier)), packS8(mult.map((m) => m.shift))];
  const args: Arg[] = [s8In(0), s8In(1), bias ? s32In(2) : 'NULL', s32In(3), s8In(4), S8_OUT, s.C, s.H, s.W, s.M, KH, KW, OH, OW, sh, sw, dh, dw, pads[0], pads[1], g, xZero, yZero, s.actMin ?? -128, s.actMax ?? 127];
  return s8Case(`conv ${name}`, 'ep_conv2d_s8', args, inputs, y);
}

/** channelMultipliers (the one definition, as the lowering calls it) for x_scale = y_scale = 1. */
export function multipliersOf(wScale: Tensor, M: number) {
  return channelMultipliers(f32t([1]), wScale, f32t([1]), M, { name: 'c_kernel_ref', opType: 'Int8Conv', domain: '', inputs: [], outputs: [], attrs: {} });
}

export interface DenseSpec {
  rows: number;
  K: number;
  N: number;
  xZero?: number;
  yZero?: number;
  actMin?: number;
  actMax?: number;
  bias?: boolean;
  multiplier?: number;
  extremeWeights?: boolean;
  /** One weight scale for the layer (w_scale [1]): ep_dense_s8_pt with one multiplier and shift. */
  perTensor?: boolean;
}

export function denseCase(name: string, s: DenseSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const xZero = s.xZero ?? rng.int(256) - 128;
  const yZero = s.yZero ?? rng.int(256) - 128;
  const x = randomS8(rng, s.rows * s.K);
  const w = s.extremeWeights ? Array.from({ length: s.N * s.K }, (_, i) => (i % 3 === 0 ? -127 : 127)) : randomS8(rng, s.N * s.K, -127, 127);
  const spread = accSpread(s.K, x, xZero, w);
  const wScale = channelScales(rng, s.perTensor ? 1 : s.N, s.multiplier ?? 60 / spread, s.multiplier !== undefined);
  const bias = s.bias === false ? undefined : Tensor.fromNumbers('int32', [s.N], Array.from({ length: s.N }, () => Math.round(rng.uniform(-0.5, 0.5) * spread)));
  const attrs = { act_min: attr.int(s.actMin ?? -128), act_max: attr.int(s.actMax ?? 127) };
  const y = evalOp(Int8Gemm, [Tensor.fromNumbers('int8', [s.rows, s.K], x), f32t([1]), s8t(xZero), Tensor.fromNumbers('int8', [s.N, s.K], w), wScale, f32t([1]), s8t(yZero), bias], attrs);
  const mult = multipliersOf(wScale, wScale.size);
  const inputs = [packS8(x), packS8(w), bias ? (bias.data as Int32Array) : new Int32Array(1), Int32Array.from(mult.map((m) => m.multiplier)), packS8(mult.map((m) => m.shift))];
  const args: Arg[] = [s8In(0), s8In(1), bias ? s32In(2) : 'NULL', s32In(3), s8In(4), S8_OUT, s.rows, s.K, s.N, xZero, yZero, s.actMin ?? -128, s.actMax ?? 127];
  return s8Case(`dense ${name}${s.perTensor ? ' (per tensor)' : ''}`, s.perTensor ? 'ep_dense_s8_pt' : 'ep_dense_s8', args, inputs, y);
}

/**
 * The same int8 case through the kernel's ldw variant (ep_dense_ldw_s8, ep_dense_ldw_s8_pt, ep_conv2d_ldw_s8): the
 * weights (input 1, [rows][cols] int8) as the leading block of a wider [rows + 2][cols + extra] array whose other bytes
 * are a nonzero filler (read one, and the outputs show it), the row stride inserted among the arguments at
 * `strideAt`. The expected bytes stay the interpreter's on the [rows][cols] weights, which the plain kernel's case
 * matches bit for bit: the ldw kernel on the wide array gives the plain kernel's bits on the copied sub-matrix.
 */
export function leadingBlockS8(c: KernelCase, fn: string, rows: number, extra: number, strideAt: number): KernelCase {
  if (!c.args) throw new Error(`case '${c.name}' has no single call`);
  const packed = c.inputs[1] as Int32Array;
  const n = c.name.startsWith('conv') ? Number(c.args[9]) * (Number(c.args[6]) / Number(c.args[20])) * Number(c.args[10]) * Number(c.args[11]) : Number(c.args[7]) * Number(c.args[8]);
  const w = unpackS8(packed, n);
  const cols = n / rows;
  const ldw = cols + extra;
  const wide = Array.from({ length: (rows + 2) * ldw }, (_, i) => ((i * 37) % 254) - 126 || 99);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) wide[r * ldw + k] = w[r * cols + k];
  const args = [...c.args];
  args.splice(strideAt, 0, ldw);
  return { ...c, name: `${c.name}, weights in rows of ${ldw}`, fn, args, inputs: [c.inputs[0], packS8(wide), ...c.inputs.slice(2)] };
}

/** QuantizeLinear float32 → int8 of the given values. */
export function quantizeCase(name: string, values: number[], scale: number, zero: number): KernelCase {
  const x = Tensor.fromNumbers('float32', [values.length], values);
  const y = evalOp(QuantizeLinear, [x, Tensor.fromNumbers('float32', [], [scale]), Tensor.fromNumbers('int8', [], [zero])]);
  return s8Case(`quantize ${name}`, 'ep_quantize_f32_s8', ['in0', S8_OUT, values.length, float(scale), zero], [x.data as Float32Array], y);
}

/** DequantizeLinear int8 → float32 of the given values. */
export function dequantizeCase(name: string, values: number[], scale: number, zero: number): KernelCase {
  const x = Tensor.fromNumbers('int8', [values.length], values);
  const y = evalOp(DequantizeLinear, [x, Tensor.fromNumbers('float32', [], [scale]), Tensor.fromNumbers('int8', [], [zero])]);
  return { name: `dequantize ${name}`, fn: 'ep_dequantize_s8_f32', args: [s8In(0), 'out', values.length, float(scale), zero], inputs: [packS8(values)], expected: y.data as Float32Array, exact: true };
}

export interface PoolSpec {
  C: number;
  H: number;
  W: number;
  K: [number, number];
  strides?: [number, number];
  dilations?: [number, number];
  pads?: [number, number, number, number];
  ceil?: boolean;
}

export function maxPoolCase(name: string, s: PoolSpec, seed: number): KernelCase {
  const x = randomS8(new Random(seed), s.C * s.H * s.W);
  const y = evalOp(MaxPool, [Tensor.fromNumbers('int8', [1, s.C, s.H, s.W], x)], {
    kernel_shape: attr.ints(s.K),
    strides: attr.ints(s.strides ?? [1, 1]),
    dilations: attr.ints(s.dilations ?? [1, 1]),
    pads: attr.ints(s.pads ?? [0, 0, 0, 0]),
    ceil_mode: attr.int(s.ceil ? 1 : 0),
  });
  const [sh, sw] = s.strides ?? [1, 1];
  const [dh, dw] = s.dilations ?? [1, 1];
  const [pt, pl] = s.pads ?? [0, 0, 0, 0];
  const [, , OH, OW] = y.shape;
  return s8Case(`maxpool ${name}`, 'ep_maxpool2d_s8', [s8In(0), S8_OUT, s.C, s.H, s.W, OH, OW, s.K[0], s.K[1], sh, sw, dh, dw, pt, pl], [packS8(x)], y);
}

export interface AddSpec {
  aShape: number[];
  bShape: number[];
  aScale: number;
  bScale: number;
  yScale: number;
  aZero?: number;
  bZero?: number;
  yZero?: number;
  actMin?: number;
  actMax?: number;
  /** The inputs' values instead of random ones. */
  a?: number[];
  b?: number[];
}

const REF_NODE = { name: 'c_kernel_ref', opType: 'Int8Add', domain: '', inputs: [], outputs: [], attrs: {} };

/** Int8Add of two int8 tensors (broadcast as ep_add_s8 takes it: the output shape and each input's strides, merged). */
export function addCase(name: string, s: AddSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
  const a = s.a ?? randomS8(rng, size(s.aShape));
  const b = s.b ?? randomS8(rng, size(s.bShape));
  const [aZero, bZero, yZero] = [s.aZero, s.bZero, s.yZero].map((z) => z ?? rng.int(256) - 128);
  const scales = [s.aScale, s.bScale, s.yScale].map((v) => f32t([Math.fround(v)]));
  const attrs = { act_min: attr.int(s.actMin ?? -128), act_max: attr.int(s.actMax ?? 127) };
  const y = evalOp(Int8Add, [Tensor.fromNumbers('int8', s.aShape, a), scales[0], s8t(aZero), Tensor.fromNumbers('int8', s.bShape, b), scales[1], s8t(bZero), scales[2], s8t(yZero)], attrs);
  const m = addMultipliers(scales[0], scales[1], scales[2], REF_NODE);
  const { shape, strides } = collapseAxes(y.shape, [broadcastStrides(s.aShape, y.shape), broadcastStrides(s.bShape, y.shape)]);
  const args: Arg[] = [s8In(0), s8In(1), S8_OUT, shape.length, ints(shape), ints(strides[0]), ints(strides[1]), m.a.multiplier, m.a.shift, aZero, m.b.multiplier, m.b.shift, bZero, m.y.multiplier, m.y.shift, yZero, s.actMin ?? -128, s.actMax ?? 127];
  return s8Case(`add ${name}`, 'ep_add_s8', args, [packS8(a), packS8(b)], y);
}

/** Every int8 value, -128 to 127. */
const everyS8 = Array.from({ length: 256 }, (_, i) => i - 128);

export function addCases(): KernelCase[] {
  return [
    addCase('residual 8x7x9, equal scales (shifts 31)', { aShape: [1, 8, 7, 9], bShape: [1, 8, 7, 9], aScale: 0.05, bScale: 0.05, yScale: 0.083 }, 51),
    addCase('unequal scales 0.02 / 0.11 → 0.09', { aShape: [1, 3, 5, 11], bShape: [1, 3, 5, 11], aScale: 0.02, bScale: 0.11, yScale: 0.09 }, 52),
    addCase('rounding ties: every a with 16 b, scales 1, y_scale 2 (x.5 rounds up)', { aShape: [1, 256], bShape: [16, 1], aScale: 1, bScale: 1, yScale: 2, aZero: 0, bZero: 0, yZero: 0, a: everyS8, b: Array.from({ length: 16 }, (_, i) => i * 17 - 128) }, 53),
    addCase('saturating at -128 and 127 (y_scale 0.01), zero points -128 / 127 / 0', { aShape: [1, 4, 6, 6], bShape: [1, 4, 6, 6], aScale: 0.1, bScale: 0.07, yScale: 0.01, aZero: -128, bZero: 127, yZero: 0 }, 54),
    addCase('zero points 127 / -128, y_zero_point 127', { aShape: [2, 40], bShape: [2, 40], aScale: 0.3, bScale: 0.2, yScale: 0.6, aZero: 127, bZero: -128, yZero: 127 }, 55),
    addCase('zero points -128, y_zero_point -128, fused ReLU [-128, 127]', { aShape: [1, 60], bShape: [1, 60], aScale: 0.04, bScale: 0.04, yScale: 0.05, aZero: -128, bZero: -128, yZero: -128 }, 56),
    addCase('fused clamp [-20, 35] (ReLU6-like)', { aShape: [1, 2, 9, 9], bShape: [1, 2, 9, 9], aScale: 0.05, bScale: 0.03, yScale: 0.06, yZero: -20, actMin: -20, actMax: 35 }, 57),
    addCase('broadcast per channel (b 1x6x1x1)', { aShape: [1, 6, 4, 5], bShape: [1, 6, 1, 1], aScale: 0.05, bScale: 0.02, yScale: 0.07 }, 58),
    addCase('broadcast scalar a (a 1, b 3x7)', { aShape: [1], bShape: [3, 7], aScale: 0.5, bScale: 0.01, yScale: 0.3 }, 59),
    addCase('broadcast both ways (2x1x4 + 3x1)', { aShape: [2, 1, 4], bShape: [3, 1], aScale: 0.03, bScale: 0.05, yScale: 0.04 }, 60),
    addCase('scalar + scalar', { aShape: [], bShape: [], aScale: 0.25, bScale: 0.125, yScale: 0.2 }, 61),
    addCase('b scale 3·2^-30 of a\'s (b shift 60: the largest add constant)', { aShape: [1, 50], bShape: [1, 50], aScale: 1, bScale: 3 * 2 ** -30, yScale: 0.01 }, 62),
    addCase('b scale 3·2^-31 of a\'s (b shift 61: the 20-bit form)', { aShape: [1, 50], bShape: [1, 50], aScale: 1, bScale: 3 * 2 ** -31, yScale: 0.01 }, 63),
    addCase('b scale 1e-15 of a\'s (b shift capped at 62)', { aShape: [1, 50], bShape: [1, 50], aScale: 1, bScale: 1e-15, yScale: 0.01 }, 64),
    addCase('y multiplier 2^-40 (y shift 70 → 62 capped, outside the fast form)', { aShape: [1, 30], bShape: [1, 30], aScale: 1, bScale: 1, yScale: 2 ** 21, yZero: 3 }, 65),
    addCase('y multiplier ≈ 0.3 (y shift 32, outside the fast form), saturating', { aShape: [1, 30], bShape: [1, 30], aScale: 1, bScale: 0.5, yScale: 2 ** -20 * 6.6, yZero: -5 }, 66),
  ];
}

export interface AveragePoolSpec extends PoolSpec {
  countIncludePad?: boolean;
  xScale?: number;
  yScale?: number;
  xZero?: number;
  yZero?: number;
  actMin?: number;
  actMax?: number;
  xRange?: [number, number];
}

/** The average multipliers of every count from lo to hi (the counts the windows have: the interpreter's own). */
function averageTable(xScale: Tensor, yScale: Tensor, counts: number[]): { lo: number; mult: number[]; shift: number[] } {
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  const ms = Array.from({ length: hi - lo + 1 }, (_, i) => (counts.includes(lo + i) ? averageMultiplier(xScale, yScale, lo + i, REF_NODE) : { multiplier: 0, shift: 1 }));
  return { lo, mult: ms.map((m) => m.multiplier), shift: ms.map((m) => m.shift) };
}

/** Tap counts of every window, by brute force over the window's positions (inside the input; or counting padding up to the end pads). */
function windowCounts(s: AveragePoolSpec, OH: number, OW: number): number[] {
  const [sh, sw] = s.strides ?? [1, 1];
  const [dh, dw] = s.dilations ?? [1, 1];
  const [pt, pl, pb, pr] = s.pads ?? [0, 0, 0, 0];
  const axis = (o: number, stride: number, k: number, d: number, pad: number, padEnd: number, n: number) => {
    let inside = 0;
    let padded = 0;
    for (let j = 0; j < k; j++) {
      const p = o * stride - pad + j * d;
      if (p >= 0 && p < n) inside++;
      if (p < n + padEnd) padded++;
    }
    return s.countIncludePad ? padded : inside;
  };
  const counts: number[] = [];
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) counts.push(axis(oy, sh, s.K[0], dh, pt, pb, s.H) * axis(ox, sw, s.K[1], dw, pl, pr, s.W));
  return counts;
}

export function averagePoolCase(name: string, s: AveragePoolSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const [xlo, xhi] = s.xRange ?? [-128, 127];
  const x = randomS8(rng, s.C * s.H * s.W, xlo, xhi);
  const xZero = s.xZero ?? rng.int(256) - 128;
  const yZero = s.yZero ?? rng.int(256) - 128;
  const xScale = f32t([Math.fround(s.xScale ?? 0.05)]);
  const yScale = f32t([Math.fround(s.yScale ?? 0.04)]);
  const pads = s.pads ?? [0, 0, 0, 0];
  const y = evalOp(Int8AveragePool, [Tensor.fromNumbers('int8', [1, s.C, s.H, s.W], x), xScale, s8t(xZero), yScale, s8t(yZero)], {
    kernel_shape: attr.ints(s.K),
    strides: attr.ints(s.strides ?? [1, 1]),
    dilations: attr.ints(s.dilations ?? [1, 1]),
    pads: attr.ints(pads),
    ceil_mode: attr.int(s.ceil ? 1 : 0),
    count_include_pad: attr.int(s.countIncludePad ? 1 : 0),
    act_min: attr.int(s.actMin ?? -128),
    act_max: attr.int(s.actMax ?? 127),
  });
  const [sh, sw] = s.strides ?? [1, 1];
  const [dh, dw] = s.dilations ?? [1, 1];
  const [, , OH, OW] = y.shape;
  const table = averageTable(xScale, yScale, windowCounts(s, OH, OW));
  const args: Arg[] = [s8In(0), S8_OUT, s.C, s.H, s.W, OH, OW, s.K[0], s.K[1], sh, sw, dh, dw, pads[0], pads[1], pads[2], pads[3], s.countIncludePad ? 1 : 0, s32In(1), s8In(2), table.lo, xZero, yZero, s.actMin ?? -128, s.actMax ?? 127];
  return s8Case(`avgpool ${name}`, 'ep_avgpool2d_s8', args, [packS8(x), Int32Array.from(table.mult), packS8(table.shift)], y);
}

export interface GlobalAverageSpec {
  C: number;
  HW: number;
  xScale?: number;
  yScale?: number;
  xZero?: number;
  yZero?: number;
  actMin?: number;
  actMax?: number;
  xRange?: [number, number];
}

export function globalAverageCase(name: string, s: GlobalAverageSpec, seed: number): KernelCase {
  const rng = new Random(seed);
  const [xlo, xhi] = s.xRange ?? [-128, 127];
  const x = randomS8(rng, s.C * s.HW, xlo, xhi);
  const xZero = s.xZero ?? rng.int(256) - 128;
  const yZero = s.yZero ?? rng.int(256) - 128;
  const xScale = f32t([Math.fround(s.xScale ?? 0.05)]);
  const yScale = f32t([Math.fround(s.yScale ?? 0.03)]);
  const attrs = { act_min: attr.int(s.actMin ?? -128), act_max: attr.int(s.actMax ?? 127) };
  const y = evalOp(Int8GlobalAveragePool, [Tensor.fromNumbers('int8', [1, s.C, s.HW, 1], x), xScale, s8t(xZero), yScale, s8t(yZero)], attrs);
  const m = averageMultiplier(xScale, yScale, s.HW, REF_NODE);
  const args: Arg[] = [s8In(0), S8_OUT, s.C, s.HW, m.multiplier, m.shift, xZero, yZero, s.actMin ?? -128, s.actMax ?? 127];
  return s8Case(`global avgpool ${name}`, 'ep_global_avgpool_s8', args, [packS8(x)], y);
}

export function averagePoolCases(): KernelCase[] {
  return [
    averagePoolCase('2x2 stride 2', { C: 3, H: 8, W: 10, K: [2, 2], strides: [2, 2] }, 71),
    averagePoolCase('3x3 stride 2 pads 1, count_include_pad 0', { C: 2, H: 9, W: 11, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 72),
    averagePoolCase('3x3 stride 2 pads 1, count_include_pad 1', { C: 2, H: 9, W: 11, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true }, 73),
    averagePoolCase('3x3 stride 1 asymmetric pads 0,2,2,1, count_include_pad 1', { C: 2, H: 7, W: 8, K: [3, 3], pads: [0, 2, 2, 1], countIncludePad: true }, 74),
    averagePoolCase('3x3 stride 2 ceil mode, count_include_pad 1 (the overhang not counted)', { C: 2, H: 8, W: 8, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil: true, countIncludePad: true }, 75),
    averagePoolCase('3x3 stride 2 ceil mode, count_include_pad 0', { C: 2, H: 8, W: 8, K: [3, 3], strides: [2, 2], ceil: true }, 76),
    averagePoolCase('2x3 dilations 2 pads 1,2', { C: 2, H: 9, W: 10, K: [2, 3], dilations: [2, 2], pads: [1, 2, 1, 2], countIncludePad: true }, 77),
    averagePoolCase('1-D kernel 3 stride 2 pad 1', { C: 4, H: 1, W: 15, K: [1, 3], strides: [1, 2], pads: [0, 1, 0, 1] }, 78),
    averagePoolCase('saturating (y_scale 0.001), zero points -128 / 127', { C: 2, H: 6, W: 6, K: [2, 2], strides: [2, 2], xScale: 0.05, yScale: 0.001, xZero: -128, yZero: 127 }, 79),
    averagePoolCase('zero points 127 / -128, clamp [-100, 50]', { C: 2, H: 6, W: 7, K: [3, 3], pads: [1, 1, 1, 1], xZero: 127, yZero: -128, actMin: -100, actMax: 50, countIncludePad: true }, 80),
    averagePoolCase('fused ReLU (act_min = y_zero_point -30), rounding ties (scales 1, 2x2: quarter steps)', { C: 3, H: 6, W: 6, K: [2, 2], xScale: 1, yScale: 1, xZero: 0, yZero: -30, actMin: -30, xRange: [-40, 40] }, 81),
    averagePoolCase('7x7 over 7x7 (one window), y multiplier shift outside the fast form', { C: 4, H: 7, W: 7, K: [7, 7], xScale: 1, yScale: 2 ** -26 }, 82),
  ];
}

export function globalAverageCases(): KernelCase[] {
  return [
    globalAverageCase('8 channels of 7x7', { C: 8, HW: 49 }, 91),
    globalAverageCase('1x1 plane', { C: 5, HW: 1 }, 92),
    globalAverageCase('saturating at -128 / 127, zero points -128 / 127', { C: 6, HW: 16, xScale: 0.1, yScale: 0.002, xZero: -128, yZero: 127 }, 93),
    globalAverageCase('zero point 127, y zero point -128, fused ReLU', { C: 6, HW: 25, xZero: 127, yZero: -128, actMin: -128 }, 94),
    globalAverageCase('clamp [-10, 10], rounding ties (scales 1, 4 taps)', { C: 16, HW: 4, xScale: 1, yScale: 1, xZero: 0, yZero: 0, actMin: -10, actMax: 10, xRange: [-30, 30] }, 95),
    globalAverageCase('a 64x64 plane (4096 taps)', { C: 2, HW: 4096 }, 96),
  ];
}

/** Softmax of [outer][len][inner] over the middle axis, as a quantized model's float tail computes it. */
export function softmaxTailCase(name: string, outer: number, len: number, inner: number, values: number[]): KernelCase {
  const x = Tensor.fromNumbers('float32', [outer, len, inner], values);
  const y = evalOp(Softmax, [x], { axis: attr.int(1) });
  return { name: `softmax tail ${name}`, fn: 'ep_softmax_tail_f32', args: ['in0', 'out', outer, len, inner], inputs: [x.data as Float32Array], expected: y.data as Float32Array, exact: true };
}

export function softmaxTailCases(): KernelCase[] {
  const rng = new Random(97);
  const logits = (n: number, spread: number) => Array.from({ length: n }, () => rng.uniform(-spread, spread));
  return [
    softmaxTailCase('10 classes x 40 rows, logits in ±8', 40, 10, 1, logits(400, 8)),
    softmaxTailCase('3 classes x 200 rows, logits in ±1 (|x - max| < 1.5 ln2: the one-step reduction)', 200, 3, 1, logits(600, 1)),
    softmaxTailCase('inner axis 4 (strided), logits in ±30', 5, 6, 4, logits(120, 30)),
    softmaxTailCase('far apart: exp underflows to 0 for the small ones', 1, 6, 1, [0, -90, -104, -110, -1000, 3]),
    softmaxTailCase('ties, -inf, +inf and NaN rows', 4, 3, 1, [2, 2, 2, -Infinity, 1, -Infinity, Infinity, 1, 0, NaN, 1, 2]),
  ];
}

/** Floats that probe QuantizeLinear's rounding and saturation: ties, near-ties, ±0, subnormals, huge, inf, NaN. */
export function quantizeProbe(rng: Random, scale: number): number[] {
  const ties = Array.from({ length: 24 }, (_, i) => (i - 12 + 0.5) * scale);
  const near = ties.flatMap((t) => [Math.fround(t) + 1e-7 * scale, Math.fround(t) - 1e-7 * scale]);
  const special = [0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 127.5 * scale, -128.5 * scale, 255.5 * scale, -256.5 * scale, 300 * scale];
  const random = Array.from({ length: 40 }, () => rng.uniform(-200, 200) * scale);
  return [...ties, ...near, ...special, ...random].map(Math.fround);
}

/** Every case of the kernels: the host suite runs them all; the QEMU suite a representative subset. */
export function allInt8Cases(): KernelCase[] {
  const rng = new Random(99);
  const convs: KernelCase[] = [
    convCase('MNIST conv2 8→16 5x5 pad 2 + ReLU (x_zp -128)', { C: 8, H: 14, W: 14, M: 16, K: [5, 5], pads: [2, 2, 2, 2], xZero: -128, yZero: -128, actMin: -128 }, 1),
    convCase('MNIST conv1 1→8 5x5 28x28 pad 2 + ReLU', { C: 1, H: 28, W: 28, M: 8, K: [5, 5], pads: [2, 2, 2, 2], yZero: -20, actMin: -20 }, 2),
    convCase('3x3 stride 2 pad 1, 11x13', { C: 3, H: 11, W: 13, M: 4, K: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 3),
    convCase('depthwise 3x3 pad 1 (groups = C = M)', { C: 4, H: 9, W: 9, M: 4, K: [3, 3], pads: [1, 1, 1, 1], group: 4 }, 4),
    convCase('depthwise multiplier 2 (groups 4, M 8)', { C: 4, H: 7, W: 10, M: 8, K: [3, 3], pads: [1, 1, 1, 1], group: 4 }, 5),
    convCase('groups 2, 3x3, odd M', { C: 4, H: 6, W: 8, M: 6, K: [3, 3], group: 2, pads: [0, 1, 0, 1] }, 6),
    convCase('dilation 2, pad 2', { C: 2, H: 9, W: 11, M: 3, K: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2] }, 7),
    convCase('row dilation 2 only', { C: 2, H: 10, W: 9, M: 3, K: [3, 3], dilations: [2, 1], pads: [1, 1, 1, 1] }, 8),
    convCase('1-D (H = 1) kernel 4', { C: 3, H: 1, W: 20, M: 5, K: [1, 4] }, 9),
    convCase('1-D stride 2 pad 3', { C: 2, H: 1, W: 17, M: 3, K: [1, 5], strides: [1, 2], pads: [0, 3, 0, 3] }, 10),
    convCase('1x1 pointwise', { C: 6, H: 5, W: 5, M: 7, K: [1, 1] }, 11),
    convCase('7x7 pad 3', { C: 2, H: 12, W: 12, M: 3, K: [7, 7], pads: [3, 3, 3, 3] }, 12),
    convCase('2x8 kernel', { C: 2, H: 10, W: 10, M: 2, K: [2, 8], pads: [0, 3, 1, 4] }, 13),
    convCase('3x6 kernel', { C: 2, H: 10, W: 12, M: 3, K: [3, 6], pads: [1, 1, 1, 1] }, 14),
    convCase('5x5 stride 3', { C: 2, H: 16, W: 17, M: 3, K: [5, 5], strides: [3, 3], pads: [2, 2, 2, 2] }, 15),
    convCase('pads beyond the kernel (windows all padding)', { C: 2, H: 3, W: 4, M: 3, K: [2, 2], pads: [3, 3, 3, 3] }, 16),
    convCase('asymmetric pads', { C: 3, H: 7, W: 8, M: 4, K: [3, 3], pads: [0, 2, 2, 0] }, 17),
    convCase('640 taps per output (exact sums in chunks)', { C: 40, H: 6, W: 6, M: 2, K: [4, 4] }, 18),
    convCase('zero points 127 / -128, narrow clamp [-10, 20]', { C: 3, H: 8, W: 9, M: 4, K: [3, 3], pads: [1, 1, 1, 1], xZero: 127, yZero: -128, actMin: -10, actMax: 20 }, 19),
    convCase('zero points -128 / 127, clamp [0, 127]', { C: 3, H: 8, W: 9, M: 4, K: [3, 3], pads: [1, 1, 1, 1], xZero: -128, yZero: 127, actMin: 0 }, 20),
    convCase('weights ±127, inputs at the extremes, saturating', { C: 4, H: 6, W: 7, M: 4, K: [3, 3], pads: [1, 1, 1, 1], extremeWeights: true, xZero: 127, xRange: [-128, -120], gain: 8 }, 21),
    convCase('multiplier 0.75 (shift 31)', { C: 2, H: 5, W: 6, M: 3, K: [3, 3], pads: [1, 1, 1, 1], multiplier: 0.75, xRange: [-3, 3], xZero: 0, bias: false }, 22),
    convCase('multiplier 3 (shift 29)', { C: 1, H: 5, W: 6, M: 3, K: [3, 3], multiplier: 3, xRange: [-4, 4], xZero: 0 }, 23),
    convCase('multiplier 2^-24 (shift 54)', { C: 3, H: 6, W: 6, M: 2, K: [3, 3], multiplier: 2 ** -24, gain: 1 }, 24),
    convCase('multiplier 1e-9 (shift 60)', { C: 3, H: 6, W: 6, M: 2, K: [3, 3], multiplier: 1e-9 }, 25),
    convCase('multiplier 1e-20 (shift capped at 62)', { C: 3, H: 6, W: 6, M: 2, K: [3, 3], multiplier: 1e-20 }, 26),
    convCase('no bias', { C: 2, H: 6, W: 6, M: 3, K: [3, 3], pads: [1, 1, 1, 1], bias: false }, 27),
  ];
  // (four random shapes on top of the named edge classes: groups 2, strides 2 and 3, pads wider than half the kernel)
  for (let k = 0; k < 4; k++) {
    const K: [number, number] = [1 + rng.int(5), 1 + rng.int(6)];
    const group = rng.next() < 0.3 ? 2 : 1;
    const C = group * (1 + rng.int(4));
    const M = group * (1 + rng.int(5));
    const strides: [number, number] = [1 + rng.int(2), 1 + rng.int(3)];
    const pads: [number, number, number, number] = [rng.int(K[0]), rng.int(K[1]), rng.int(K[0]), rng.int(K[1])];
    const H = K[0] + rng.int(8);
    const W = K[1] + rng.int(12);
    convs.push(convCase(`random ${k}: ${C}→${M} ${K.join('x')} stride ${strides.join('x')} pads ${pads.join(',')} groups ${group} on ${H}x${W}`, { C, H, W, M, K, strides, pads, group }, 100 + k));
  }
  const denses: KernelCase[] = [
    denseCase('MNIST fc 256→10', { rows: 1, K: 256, N: 10 }, 31),
    denseCase('K 7 (tail), N 13 (tile + rest), 3 rows', { rows: 3, K: 7, N: 13 }, 32),
    denseCase('K 4, N 1', { rows: 1, K: 4, N: 1 }, 33),
    denseCase('K 1', { rows: 2, K: 1, N: 5 }, 34),
    denseCase('zero points -128 / 127, clamp [0, 127], no bias', { rows: 2, K: 33, N: 6, xZero: -128, yZero: 127, actMin: 0, bias: false }, 35),
    denseCase('weights ±127, zero point 127, multiplier 0.75', { rows: 1, K: 18, N: 7, xZero: 127, extremeWeights: true, multiplier: 0.75 }, 36),
    denseCase('multiplier 1e-12 (shift 62)', { rows: 1, K: 20, N: 4, multiplier: 1e-12 }, 37),
    denseCase('MNIST fc 256→10', { rows: 1, K: 256, N: 10, perTensor: true }, 38),
    denseCase('K 7 (tail), N 13 (tile + rest), 3 rows', { rows: 3, K: 7, N: 13, perTensor: true }, 39),
    denseCase('zero points -128 / 127, clamp [0, 127], no bias', { rows: 2, K: 33, N: 6, xZero: -128, yZero: 127, actMin: 0, bias: false, perTensor: true }, 40),
  ];
  // The ldw variants (a nested level whose inputs it narrowed reads level 0's rows): odd strides (unaligned word loads
  // on the DSP path), an odd M (the Cortex-M3's channel pairs and a single), groups, the digits CNN's level shapes.
  const strided: KernelCase[] = [
    leadingBlockS8(convCase('ldw: 3x3 pad 1, 5->11, 8x8 + ReLU (a digits CNN level\'s conv2)', { C: 5, H: 8, W: 8, M: 11, K: [3, 3], pads: [1, 1, 1, 1], actMin: -20, yZero: -20 }, 201), 'ep_conv2d_ldw_s8', 11, 27, 21),
    leadingBlockS8(convCase('ldw: 1x1, 5->9', { C: 5, H: 6, W: 7, M: 9, K: [1, 1] }, 202), 'ep_conv2d_ldw_s8', 9, 3, 21),
    leadingBlockS8(convCase('ldw: 3x3 groups 2, 4->6, odd stride', { C: 4, H: 7, W: 7, M: 6, K: [3, 3], group: 2 }, 203), 'ep_conv2d_ldw_s8', 6, 9, 21),
    leadingBlockS8(convCase('ldw: 5x5 pad 2, 3->4, stride 2', { C: 3, H: 11, W: 12, M: 4, K: [5, 5], strides: [2, 2], pads: [2, 2, 2, 2] }, 204), 'ep_conv2d_ldw_s8', 4, 25, 21),
    leadingBlockS8(denseCase('ldw: 176 -> 22 (a digits CNN level\'s fc1)', { rows: 1, K: 176, N: 22 }, 205), 'ep_dense_ldw_s8', 22, 80, 9),
    leadingBlockS8(denseCase('ldw: rows 3, K 17, N 13', { rows: 3, K: 17, N: 13 }, 206), 'ep_dense_ldw_s8', 13, 9, 9),
    leadingBlockS8(denseCase('ldw: K 15, N 7', { rows: 2, K: 15, N: 7, perTensor: true }, 207), 'ep_dense_ldw_s8_pt', 7, 5, 9),
  ];
  const quant: KernelCase[] = [
    quantizeCase('scale 1, zero point 0 (ties, saturation, NaN, inf)', quantizeProbe(rng, 1), 1, 0),
    quantizeCase('scale 1/255, zero point -128', quantizeProbe(rng, 1 / 255), Math.fround(1 / 255), -128),
    quantizeCase('scale 0.037, zero point 127', quantizeProbe(rng, 0.037), Math.fround(0.037), 127),
    quantizeCase('scale 3e-5, zero point 5', quantizeProbe(rng, 3e-5), Math.fround(3e-5), 5),
    quantizeCase('subnormal scale 1e-39 (the division in float on every path)', quantizeProbe(rng, 1e-39), Math.fround(1e-39), -7),
    quantizeCase('scale 3e38, subnormal inputs', [...quantizeProbe(rng, 3e38), 1e-40, -1e-40, 1.4e-45], Math.fround(3e38), 0),
    quantizeCase('scale 7.7 on 1000 random floats of every exponent', Array.from({ length: 1000 }, () => Math.fround((rng.next() < 0.5 ? -1 : 1) * 2 ** rng.uniform(-30, 12))), Math.fround(7.7), 3),
    dequantizeCase('every int8, zero point -128, scale 0.1', Array.from({ length: 256 }, (_, i) => i - 128), Math.fround(0.1), -128),
    dequantizeCase('every int8, zero point 127, scale 1/3', Array.from({ length: 256 }, (_, i) => i - 128), Math.fround(1 / 3), 127),
  ];
  const pools: KernelCase[] = [
    maxPoolCase('2x2 stride 2 (MNIST pool1)', { C: 8, H: 28, W: 28, K: [2, 2], strides: [2, 2] }, 41),
    maxPoolCase('3x3 stride 3 (MNIST pool2)', { C: 16, H: 14, W: 14, K: [3, 3], strides: [3, 3] }, 42),
    maxPoolCase('3x3 stride 1 pad 1', { C: 2, H: 7, W: 9, K: [3, 3], pads: [1, 1, 1, 1] }, 43),
    maxPoolCase('2x3 dilations 2 pads 1,2', { C: 2, H: 9, W: 10, K: [2, 3], dilations: [2, 2], pads: [1, 2, 1, 2] }, 44),
    maxPoolCase('3x3 stride 2 ceil mode', { C: 3, H: 8, W: 8, K: [3, 3], strides: [2, 2], ceil: true }, 45),
    maxPoolCase('1-D kernel 3 stride 2', { C: 4, H: 1, W: 15, K: [1, 3], strides: [1, 2] }, 46),
    maxPoolCase('2x2 stride 2 pads 1, odd width, ceil mode', { C: 3, H: 7, W: 11, K: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil: true }, 47),
    maxPoolCase('3x2 stride 1x2, dilation 2 rows', { C: 2, H: 9, W: 12, K: [3, 2], strides: [1, 2], dilations: [2, 1] }, 48),
  ];
  return [...convs, ...denses, ...strided, ...quant, ...pools, ...addCases(), ...averagePoolCases(), ...globalAverageCases(), ...softmaxTailCases()];
}
