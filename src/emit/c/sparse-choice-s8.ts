// Weight-sparse int8 layers in C: pack pruned int8 weights for templates/c/lib/ep_int8_sparse.h, and choose per layer
// between the dense int8 kernel (ep_dense_s8, ep_conv2d_s8) and the sparse one from estimates of instructions (QEMU
// mps2-an386, Cortex-M4F with the DSP extension, gcc -O2) and flash.
//
// Formats (ep_int8_sparse.h documents them with the kernels): positions of the non-zeros take 1 byte each, the counts
// 1 byte per segment, so that a pruned layer shrinks in proportion to its density (the dense int8 array being 1 byte
// per weight, 16-bit positions would eat half the gain):
//   dense  [N][K]            cnt uint8 [N][S] (S = ceil(K / 128)), idx uint8 (k mod 128), val int8
//   conv   [M][Cg][KH][KW]   cnt uint8 [M][Cg], ent uint8 pairs (offset kh·dil_h·W + kw·dil_w in the plane, weight)
// Both kernels start each output from acc0 = bias − x_zp · (its weights' sum) (int32, modulo 2^32), which replaces the
// bias array.
//
// The estimates are linear in the kernels' loop counts, fitted by least squares to QEMU instruction counts of
// bench/sparse-kernels-s8.ts (which prints estimate and measurement side by side); their constants are below with each
// formula. Flash counts the layer's constant arrays (weights and bias or acc0; kernel code is not counted).
//
// With a target (compile, verify, build), its calibrated cost model replaces these estimates when it has formulas for
// both kernels (refineWithEstimator of sparse-choice.ts). The rule is the float path's (decideSparse): sparse when
// estimated at most SPARSE_MAX_INSTRUCTION_RATIO of the dense kernel's instructions and no more flash; never when the
// format cannot hold the layer.

import { Tensor } from '../../ir/tensor.js';
import { convValidMacs, decideSparse, hasBorder, interiorTiles, validRange, type ConvShape, type SparseDecision, type SparseMode } from './sparse-choice.js';

/** The terms of a linear instruction model: loop-body counts by name. */
export type Terms = Record<string, number>;

// ---- the constants (instructions per count; least squares on bench/sparse-kernels-s8.ts --fit, mps2-an386) ----

const DENSE_S8: Terms = { steps: 0.898, stepOutputs: 6.311, outputs: 40.41, tiles: 0, call: 481.8 };
const SPARSE_DENSE_S8: Terms = { nonZeros: 5.274, segments: 34.42, outputs: 12.57, rows: 0, call: 89 };
const CONV_S8: Terms = { macs: 1.085, outputs: 11.86, rowPasses: 15.97, call: 1579 };
const SPARSE_CONV_S8: Terms = { pixelTaps: 1.849, tapVisits: 11.22, channelVisits: 11.55, tiles: 66.81, outputs: 1.212, call: 0 };

/** Inputs per segment of ep_sparse_dense_s8 (EP_S8_SPARSE_SEGMENT). */
export const S8_SEGMENT = 128;
/** Pixels per conv tile (EP_S8_SPARSE_MAX_P). */
export const S8_SPARSE_MAX_P = 8;

/** acc0[m] = bias[m] − x_zp · Σ w[m] (int32 wrap-around), for weights with `per` values per output. */
export function foldZeroPoint(w: Int8Array, M: number, bias: Int32Array | undefined, xZero: number): Tensor {
  const per = w.length / M;
  const acc0 = new Int32Array(M);
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let i = m * per; i < (m + 1) * per; i++) s += w[i];
    acc0[m] = ((bias ? bias[m] : 0) - Math.imul(xZero, s)) | 0;
  }
  return new Tensor('int32', [M], acc0);
}

// ---- dense layer ([N][K] weights) ----

export interface PackedSparseDenseS8 {
  cnt: Tensor;
  idx: Tensor;
  val: Tensor;
  nonZeros: number;
}

/** Pack [N][K] int8 weights for ep_sparse_dense_s8. */
export function packSparseDenseS8(w: Int8Array, N: number, K: number): PackedSparseDenseS8 {
  const S = Math.ceil(K / S8_SEGMENT);
  const cnt = new Uint8Array(N * S);
  const idx: number[] = [];
  const val: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const v = w[n * K + k];
      if (v === 0) continue;
      cnt[n * S + Math.floor(k / S8_SEGMENT)]++;
      idx.push(k % S8_SEGMENT);
      val.push(v);
    }
  }
  return { cnt: new Tensor('uint8', [N * S], cnt), idx: Tensor.fromNumbers('uint8', [idx.length], idx), val: Tensor.fromNumbers('int8', [val.length], val), nonZeros: val.length };
}

/** ep__s8_dense_tile_width of ep_int8_dense.h. */
function denseS8TileWidth(N: number): number {
  return N <= 6 ? N : N % 6 === 0 ? 6 : N % 5 === 0 ? 5 : 4;
}

const dot = (k: Terms, t: Terms) => Math.round(Object.entries(t).reduce((s, [name, v]) => s + (k[name] ?? 0) * v, 0));

/**
 * Loop counts of ep_dense_s8 (literal shapes): per row, tiles of NB outputs read 4 inputs per step (one word, two
 * SXTAB16) and per output one weight word, two SXTB16 and two SMLAD; then each output's requantization.
 */
export function denseS8Terms(rows: number, K: number, N: number): Terms {
  const nb = denseS8TileWidth(N);
  const tiles = Math.floor(N / nb) + (N % nb);
  const steps = Math.ceil(K / 4);
  return { steps: rows * steps * tiles, stepOutputs: rows * steps * N, outputs: rows * N, tiles: rows * tiles, call: 1 };
}

/** Loop counts of ep_sparse_dense_s8: per row, its non-zeros, (output, segment) pairs and outputs. */
export function sparseDenseS8Terms(rows: number, K: number, N: number, nonZeros: number): Terms {
  return { nonZeros: rows * nonZeros, segments: rows * N * Math.ceil(K / S8_SEGMENT), outputs: rows * N, rows, call: 1 };
}

export const denseS8Instructions = (rows: number, K: number, N: number) => dot(DENSE_S8, denseS8Terms(rows, K, N));
export const sparseDenseS8Instructions = (rows: number, K: number, N: number, nonZeros: number) => dot(SPARSE_DENSE_S8, sparseDenseS8Terms(rows, K, N, nonZeros));

/** Dense vs sparse for an int8 fully connected layer with [N][K] weights; `bias`: the layer has a bias array. */
export function chooseSparseDenseS8(mode: SparseMode, w: Int8Array, rows: number, K: number, N: number, bias: boolean): SparseDecision {
  let nonZeros = 0;
  for (const v of w) if (v !== 0) nonZeros++;
  const S = Math.ceil(K / S8_SEGMENT);
  const dense = { instructions: denseS8Instructions(rows, K, N), flashBytes: N * K + (bias ? 4 * N : 0) };
  const sparse = { instructions: sparseDenseS8Instructions(rows, K, N, nonZeros), flashBytes: N * S + 2 * nonZeros + 4 * N };
  return { weights: N * K, nonZeros, dense, sparse, ...decideSparse(mode, dense, sparse) };
}

// ---- convolution ([M][C/groups][KH][KW] weights) ----

export interface PackedSparseConvS8 {
  cnt: Tensor;
  /** Per non-zero: its offset in the input plane, then its value (as a byte). */
  ent: Tensor;
  nonZeros: number;
}

/** Offset of tap (kh, kw) from the window's origin in one input plane. */
const tapOffset = (s: ConvShape, kh: number, kw: number) => kh * s.dh * s.W + kw * s.dw;

/** Pack [M][Cg][KH][KW] int8 weights for ep_sparse_conv2d_s8. */
export function packSparseConvS8(w: Int8Array, s: ConvShape): PackedSparseConvS8 {
  const taps = s.KH * s.KW;
  const groups = w.length / taps; // M · Cg
  const cnt = new Uint8Array(groups);
  const ent: number[] = [];
  for (let g = 0; g < groups; g++) {
    for (let t = 0; t < taps; t++) {
      const v = w[g * taps + t];
      if (v === 0) continue;
      cnt[g]++;
      ent.push(tapOffset(s, Math.floor(t / s.KW), t % s.KW), v & 0xff);
    }
  }
  return { cnt: new Tensor('uint8', [groups], cnt), ent: Tensor.fromNumbers('uint8', [ent.length], ent), nonZeros: ent.length / 2 };
}

/** Why a conv cannot use the sparse int8 format, or undefined. */
export function convS8FormatProblem(s: ConvShape): string | undefined {
  if (s.KH * s.KW > 255) return `a ${s.KH}x${s.KW} kernel has more than 255 taps per input channel`;
  const reach = tapOffset(s, s.KH - 1, s.KW - 1);
  if (reach > 255) return `tap offsets up to ${reach} bytes within an input plane do not fit a byte`;
  if (!hasBorder(s)) return undefined;
  if (s.KH * s.KW > 64) return `a ${s.KH}x${s.KW} kernel on the padding needs more than 64 tap bits`;
  if ((s.KW - 1) * s.dw >= s.dh * s.W) return `the kernel's columns reach past an input row (${s.KW} columns, dilation ${s.dw}, ${s.W} wide)`;
  return undefined;
}

/** ep__s8_sparse_tile_width. */
function tileWidth(width: number): number {
  const tiles = Math.ceil(width / S8_SPARSE_MAX_P);
  return tiles ? Math.ceil(width / tiles) : 1;
}

/** Loop counts of ep_conv2d_s8 (literal shapes): MACs inside the input, outputs, and (output row, input channel, kernel row) passes. */
export function convS8Terms(s: ConvShape): Terms {
  return { macs: convValidMacs(s), outputs: s.M * s.OH * s.OW, rowPasses: s.M * s.OH * (s.C / s.groups) * s.KH, call: 1 };
}

export const convS8Instructions = (s: ConvShape) => dot(CONV_S8, convS8Terms(s));

/** Loop counts of ep_sparse_conv2d_s8 for per-channel tap lists (kh·KW + kw of each non-zero). */
export function sparseConvS8Terms(s: ConvShape, taps: number[][]): Terms {
  const { oyLo, oyHi, oxLo, oxHi, PW, PH, wtiles, htiles } = interiorTiles(s, tileWidth);
  const Cg = s.C / s.groups;
  const c = { pixelTaps: 0, tapVisits: 0, channelVisits: 0, tiles: 0, outputs: s.M * s.OH * s.OW, call: 1 };
  const tile = (list: number[], P: number, kh: [number, number], kw: [number, number], count: number) => {
    const valid = list.filter((t) => {
      const r = Math.floor(t / s.KW);
      const q = t % s.KW;
      return r >= kh[0] && r < kh[1] && q >= kw[0] && q < kw[1];
    }).length;
    c.pixelTaps += count * valid * P;
    c.tapVisits += count * list.length;
    c.channelVisits += count * Cg;
    c.tiles += count;
  };
  for (const list of taps) {
    for (let oy = 0; oy < s.OH; oy++) {
      const kh = validRange(oy * s.sh - s.pt, s.H, s.KH, s.dh);
      if (oy >= oyLo && oy < oyHi) tile(list, PW, [0, s.KH], [0, s.KW], wtiles);
      else {
        tile(list, PW, kh, [0, s.KW], wtiles);
        for (let ox = 0; ox < s.OW; ox++) if (ox < oxLo || ox >= oxHi) tile(list, 1, kh, validRange(ox * s.sw - s.pl, s.W, s.KW, s.dw), 1);
      }
    }
    for (let ox = 0; ox < s.OW; ox++) if (ox < oxLo || ox >= oxHi) tile(list, PH, [0, s.KH], validRange(ox * s.sw - s.pl, s.W, s.KW, s.dw), htiles);
  }
  return c;
}

/** Estimated instructions of ep_sparse_conv2d_s8 for the per-channel tap lists. */
export const sparseConvS8Instructions = (s: ConvShape, taps: number[][]) => dot(SPARSE_CONV_S8, sparseConvS8Terms(s, taps));

/** Per output channel, the tap codes of its non-zeros. */
export function tapLists(w: Int8Array, s: ConvShape): number[][] {
  const kernel = s.KH * s.KW;
  const per = (s.C / s.groups) * kernel;
  const taps: number[][] = Array.from({ length: s.M }, () => []);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) taps[Math.floor(i / per)].push(i % kernel);
  return taps;
}

/** Dense vs sparse for an int8 convolution; `bias`: the layer has a bias array. */
export function chooseSparseConvS8(mode: SparseMode, w: Int8Array, s: ConvShape, bias: boolean): SparseDecision {
  const taps = tapLists(w, s);
  const nonZeros = taps.reduce((a, t) => a + t.length, 0);
  const dense = { instructions: convS8Instructions(s), flashBytes: w.length + (bias ? 4 * s.M : 0) };
  const base = { weights: w.length, nonZeros, dense };
  const problem = convS8FormatProblem(s);
  if (problem) return { ...base, kernel: 'dense', reason: problem };
  const sparse = { instructions: sparseConvS8Instructions(s, taps), flashBytes: (s.M * s.C) / s.groups + 2 * nonZeros + 4 * s.M };
  return { ...base, sparse, ...decideSparse(mode, dense, sparse) };
}
