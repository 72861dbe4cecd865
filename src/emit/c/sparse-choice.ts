// Weight-sparse layers in C: pack pruned weights for templates/c/lib/ep_sparse.h, and choose per layer between the
// dense and the sparse kernel from estimates of instructions (QEMU mps2-an386, Cortex-M4F, gcc -O2) and flash.
//
// The estimates are linear models of the kernels' loops, calibrated against QEMU instruction counts by
// bench/sparse-kernels.ts (which prints estimate and measurement side by side). Their constants:
//
//   ep_dense_f32, one row (x kept in registers KB at a time, KB = ep__dense_block(K)):
//     instructions ≈ Σ over K-blocks (KB + N·(2·KB + 5)) + 3·N + 20
//   ep_dense_f32, row pairs (tiles of 2 rows × NB outputs, NB = ep__dense_tile_width(N)):
//     instructions ≈ per pair, per tile: K·(4 + 3·NB) + 6·NB + 10
//   ep_sparse_dense_f32 (per input row; the weights are read again for each row):
//     instructions ≈ 3·nnz + 4·blocks + 10·N + 10          (blocks = Σ_n ⌈nnz_n / 8⌉)
//   ep_conv2d_f32: instructions ≈ 1.086 · MACs on the input (taps on the padding skipped) + 9.5 · outputs
//     + 16.9 · (tile, input channel, kernel row) passes (tiles of MB channels × P pixels as ep_conv.h makes them)
//     (least-squares fit on 1→8 and 8→16 3x3 8x8, 3→8 3x3 16x16, 8→16 5x5 14x14: within 1%, 14% high for 1→8)
//   ep_sparse_conv2d_f32: its work counted as the kernel walks the layer (sparse-conv-work.ts), weighted as
//     mps2-an386's calibration fits it: 1.2465·fma + 0.8562·loads (VLDM) + 5.82·taps on the column padding
//     (the jump) + 7.007·taps tested in rows on the row padding + 3.475·tile pixels + 6.608·row iterations
//     + 41.63·channels (within 1.5% over the 18 calibration convs)
//
// Flash: dense 4·N·K bytes; sparse dense 2·N + 6·slots (slots = 8·blocks: 2-byte offset + 4-byte value);
// sparse conv 2·M + 8·nnz (a tap word and a value). Kernel code is
// not counted (a few hundred bytes either way).
//
// With a target (compile, verify, build), its calibrated cost model (src/cost/estimator.ts) replaces these built-in
// estimates: refineWithEstimator decides again from the per-kernel formulas fitted in that target's emulator.
//
// Rule (mode 'auto'): the sparse kernel when its estimate is at most SPARSE_MAX_INSTRUCTION_RATIO of the dense
// kernel's and its weights take no more flash; never when the format cannot hold the layer (offsets above
// 65535 bytes, a conv kernel with more than 16 rows or 15 columns).

import { Tensor } from '../../ir/tensor.js';
import type { CCall } from './c-step.js';
import { sparseConvWork } from './sparse-conv-work.js';

export type SparseMode = 'auto' | 'never' | 'always';

/** Instructions and flash (code + weights) of a layer's kernel calls. */
export interface KernelEstimate {
  instructions: number;
  flashBytes: number;
}

/**
 * A target's cost model for kernel calls (src/cost/estimator.ts: the calibrated per-kernel formulas), used in place of
 * the built-in mps2-an386 estimates below; undefined for calls it has no formula for (the built-in estimate stays).
 */
export type KernelEstimator = (calls: CCall[]) => KernelEstimate | undefined;

/** Sparse is chosen when it is estimated to take at most this fraction of the dense kernel's instructions. */
export const SPARSE_MAX_INSTRUCTION_RATIO = 0.95;

/** The per-layer decision, kept on the C step for reports and the cost model. */
export interface SparseDecision {
  kernel: 'dense' | 'sparse';
  /** Why (the estimates, or what makes the format unusable). */
  reason: string;
  weights: number;
  nonZeros: number;
  dense: { instructions: number; flashBytes: number };
  /** Undefined when the layer cannot use the sparse format. */
  sparse?: { instructions: number; flashBytes: number };
}

// ---- dense layer ([N][K] weights) ----

/** Slots per block of ep_sparse_dense_f32. */
export const SPARSE_BLOCK = 8;

export interface PackedSparseDense {
  /** blocks << 3 | first, per output row. */
  hdr: Tensor;
  /** Two byte offsets per word (slot 2i in bits 0-15). */
  off: Tensor;
  val: Tensor;
  nonZeros: number;
  blocks: number;
}

/** Non-zero count of each of the N rows of a [N][K] matrix. */
function rowCounts(w: Float32Array, N: number, K: number): number[] {
  const counts = new Array<number>(N).fill(0);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) if (w[n * K + k] !== 0) counts[n]++;
  return counts;
}

/** Why a dense layer cannot use the sparse format, or undefined. */
function denseFormatProblem(K: number): string | undefined {
  return (K - 1) * 4 > 0xffff ? `K = ${K}: input byte offsets above 65535 do not fit the 16-bit offsets` : undefined;
}

/** Pack [N][K] weights (row-major) for ep_sparse_dense_f32. */
export function packSparseDense(w: Float32Array, N: number, K: number): PackedSparseDense {
  const counts = rowCounts(w, N, K);
  const blocksOf = counts.map((c) => Math.ceil(c / SPARSE_BLOCK));
  const blocks = blocksOf.reduce((a, b) => a + b, 0);
  const slots = blocks * SPARSE_BLOCK;
  const hdr = new Uint16Array(N);
  const offsets = new Uint16Array(slots);
  const val = new Float32Array(slots);
  let s = 0;
  for (let n = 0; n < N; n++) {
    const first = blocksOf[n] * SPARSE_BLOCK - counts[n];
    hdr[n] = (blocksOf[n] << 3) | first;
    s += first; // fillers: offset 0, value 0, never read
    for (let k = 0; k < K; k++) {
      const v = w[n * K + k];
      if (v === 0) continue;
      offsets[s] = k * 4;
      val[s] = v;
      s++;
    }
  }
  const off = new Uint32Array(slots / 2);
  for (let i = 0; i < off.length; i++) off[i] = (offsets[2 * i] | (offsets[2 * i + 1] << 16)) >>> 0;
  return {
    hdr: new Tensor('uint16', [N], hdr),
    off: new Tensor('uint32', [off.length], off),
    val: new Tensor('float32', [slots], val),
    nonZeros: counts.reduce((a, b) => a + b, 0),
    blocks,
  };
}

/** ep__dense_block of ep_dense.h: inputs kept in registers per pass of the one-row kernel. */
function denseBlock(K: number): number {
  if (K <= 28) return K;
  for (let b = 28; b >= 12; b--) if (K % b === 0) return b;
  const parts = Math.ceil(K / 28);
  return Math.ceil(K / parts);
}

/** ep__dense_tile_width of ep_dense.h. */
function denseTileWidth(N: number): number {
  if (N <= 8) return N;
  for (const nb of [8, 7, 6, 5]) if (N % nb === 0) return nb;
  return 4;
}

/** Estimated instructions of ep_dense_f32 (literal shapes). */
export function denseInstructions(rows: number, K: number, N: number): number {
  let total = 0;
  const pairs = Math.floor(rows / 2);
  if (pairs > 0) {
    const nb = denseTileWidth(N);
    const tile = (w: number) => K * (4 + 3 * w) + 6 * w + 10;
    total += pairs * (Math.floor(N / nb) * tile(nb) + (N % nb) * tile(1));
  }
  if (rows % 2) {
    const kb = denseBlock(K);
    const full = Math.floor(K / kb);
    const pass = (b: number) => b + N * (2 * b + 5);
    total += full * pass(kb) + (K > full * kb ? pass(K - full * kb) : 0) + 3 * N + 20;
  }
  return Math.round(total);
}

/** Estimated instructions of ep_sparse_dense_f32. */
export function sparseDenseInstructions(rows: number, N: number, nonZeros: number, blocks: number): number {
  return rows * (3 * nonZeros + 4 * blocks + 10 * N + 10);
}

/** Dense vs sparse for a fully connected layer with [N][K] weights. */
export function chooseSparseDense(mode: SparseMode, w: Float32Array, rows: number, K: number, N: number): SparseDecision {
  const counts = rowCounts(w, N, K);
  const nonZeros = counts.reduce((a, b) => a + b, 0);
  const blocks = counts.reduce((a, c) => a + Math.ceil(c / SPARSE_BLOCK), 0);
  const dense = { instructions: denseInstructions(rows, K, N), flashBytes: 4 * N * K };
  const problem = denseFormatProblem(K);
  const base = { weights: N * K, nonZeros, dense };
  if (problem) return { ...base, kernel: 'dense', reason: problem };
  const sparse = { instructions: sparseDenseInstructions(rows, N, nonZeros, blocks), flashBytes: 2 * N + 6 * SPARSE_BLOCK * blocks };
  return { ...base, sparse, ...decideSparse(mode, dense, sparse) };
}

// ---- convolution ([M][C/groups][KH][KW] weights) ----

export interface ConvShape {
  C: number;
  H: number;
  W: number;
  M: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
  groups: number;
}

export interface PackedSparseConv {
  cnt: Tensor;
  /** One word per non-zero: the tap's input byte offset (bits 0-15), kh (bits 24-27), kw (bits 28-31). */
  tap: Tensor;
  val: Tensor;
  nonZeros: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
const floorDiv = (a: number, b: number) => Math.floor(a / b);

/** Output rows/columns whose windows lie inside the input (as ep_sparse_conv2d_s8 computes them). */
export function insideRange(I: number, O: number, K: number, s: number, d: number, p: number): [number, number] {
  const lo = Math.min(O, ceilDiv(p, s));
  const hi = Math.max(lo, Math.min(O, floorDiv(I - 1 + p - (K - 1) * d, s) + 1));
  return [lo, hi];
}

/** The output positions of a conv whose windows lie inside the input, cut into tiles of `tileWidth(n)` pixels per axis (as the int8 sparse conv kernel walks them). */
export function interiorTiles(s: Pick<ConvShape, 'H' | 'W' | 'OH' | 'OW' | 'KH' | 'KW' | 'sh' | 'sw' | 'dh' | 'dw' | 'pt' | 'pl'>, tileWidth: (n: number) => number) {
  const [oyLo, oyHi] = insideRange(s.H, s.OH, s.KH, s.sh, s.dh, s.pt);
  const [oxLo, oxHi] = insideRange(s.W, s.OW, s.KW, s.sw, s.dw, s.pl);
  const iw = oxHi - oxLo;
  const ih = oyHi - oyLo;
  const PW = tileWidth(iw);
  const PH = tileWidth(ih);
  return { oyLo, oyHi, oxLo, oxHi, iw, ih, PW, PH, wtiles: iw > 0 ? Math.ceil(iw / PW) : 0, htiles: ih > 0 ? Math.ceil(ih / PH) : 0 };
}

/** Some window reaches into the padding. */
export function hasBorder(s: ConvShape): boolean {
  const [oyLo, oyHi] = insideRange(s.H, s.OH, s.KH, s.sh, s.dh, s.pt);
  const [oxLo, oxHi] = insideRange(s.W, s.OW, s.KW, s.sw, s.dw, s.pl);
  return oyLo > 0 || oyHi < s.OH || oxLo > 0 || oxHi < s.OW;
}

/** Byte offset of tap (c, kh, kw) from the window's first input. */
const tapOffset = (s: ConvShape, c: number, kh: number, kw: number) => ((c * s.H + kh * s.dh) * s.W + kw * s.dw) * 4;

function convFormatProblem(s: ConvShape): string | undefined {
  const Cg = s.C / s.groups;
  const maxOffset = tapOffset(s, Cg - 1, s.KH - 1, s.KW - 1);
  if (maxOffset > 0xffff) return `input byte offsets up to ${maxOffset} do not fit the 16-bit offsets`;
  if (s.KH > 16 || s.KW > 15) return `a ${s.KH}x${s.KW} kernel: the tap words hold up to 16 kernel rows and 15 kernel columns`;
  return undefined;
}

/** Pack conv weights for ep_sparse_conv2d_f32. */
export function packSparseConv(w: Float32Array, s: ConvShape): PackedSparseConv {
  const Cg = s.C / s.groups;
  const cnt = new Uint16Array(s.M);
  const tap: number[] = [];
  const val: number[] = [];
  let i = 0;
  for (let m = 0; m < s.M; m++) {
    for (let c = 0; c < Cg; c++) {
      for (let kh = 0; kh < s.KH; kh++) {
        for (let kw = 0; kw < s.KW; kw++, i++) {
          if (w[i] === 0) continue;
          cnt[m]++;
          tap.push((tapOffset(s, c, kh, kw) | (kh << 24) | ((kw + 1) << 28)) >>> 0);
          val.push(w[i]);
        }
      }
    }
  }
  return {
    cnt: new Tensor('uint16', [s.M], cnt),
    tap: Tensor.fromNumbers('uint32', [tap.length], tap),
    val: Tensor.fromNumbers('float32', [val.length], val),
    nonZeros: val.length,
  };
}

/** Valid kernel rows (or columns) of the window starting at input position `start`. */
export function validRange(start: number, I: number, K: number, d: number): [number, number] {
  return [start < 0 ? ceilDiv(-start, d) : 0, Math.min(K, ceilDiv(I - start, d))];
}

/** MACs of ep_conv2d_f32 with the taps on the padding skipped. */
export function convValidMacs(s: ConvShape): number {
  let rows = 0;
  for (let oy = 0; oy < s.OH; oy++) {
    const [lo, hi] = validRange(oy * s.sh - s.pt, s.H, s.KH, s.dh);
    rows += Math.max(0, hi - lo);
  }
  let cols = 0;
  for (let ox = 0; ox < s.OW; ox++) {
    const [lo, hi] = validRange(ox * s.sw - s.pl, s.W, s.KW, s.dw);
    cols += Math.max(0, hi - lo);
  }
  return rows * cols * s.M * (s.C / s.groups);
}

/** ep__conv_tile_channels and ep__conv_tile_width of ep_conv.h. */
function denseConvTiles(Mg: number, KW: number, OW: number): { MB: number; P: number } {
  const MB = KW >= 4 || Mg < 2 ? 1 : KW === 1 && Mg >= 4 ? 4 : 2;
  const pmax = 16 / MB;
  const tiles = Math.ceil(OW / pmax);
  return { MB, P: Math.ceil(OW / tiles) };
}

/** Estimated instructions of ep_conv2d_f32 (literal shapes). */
export function convInstructions(s: ConvShape): number {
  const Mg = s.M / s.groups;
  const Cg = s.C / s.groups;
  const { MB, P } = denseConvTiles(Mg, s.KW, s.OW);
  const channelTiles = s.groups * (Math.floor(Mg / MB) + (Mg % MB));
  const passes = channelTiles * s.OH * Math.ceil(s.OW / P) * Cg * s.KH;
  return Math.round(1.086 * convValidMacs(s) + 9.5 * s.M * s.OH * s.OW + 16.9 * passes);
}

/** Estimated instructions of ep_sparse_conv2d_f32 for the per-channel taps (kh·KW + kw of each non-zero). */
export function sparseConvInstructions(s: ConvShape, taps: number[][]): number {
  const hist = taps.map((list) => {
    const h = new Float64Array(s.KH * s.KW);
    for (const t of list) h[t] += 1;
    return h;
  });
  const w = sparseConvWork(s, hist, true);
  return Math.round(1.2465 * w.fma + 0.8562 * w.loads + 5.82 * w.maskedTaps + 7.007 * w.rowChecks + 3.475 * w.tilePixels + 6.608 * w.rows + 41.63 * w.channels);
}

/** Dense vs sparse for a convolution. */
export function chooseSparseConv(mode: SparseMode, w: Float32Array, s: ConvShape): SparseDecision {
  const per = (s.C / s.groups) * s.KH * s.KW;
  const taps: number[][] = Array.from({ length: s.M }, () => []);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) taps[Math.floor(i / per)].push(i % (s.KH * s.KW));
  const nonZeros = taps.reduce((a, t) => a + t.length, 0);
  const dense = { instructions: convInstructions(s), flashBytes: 4 * w.length };
  const base = { weights: w.length, nonZeros, dense };
  const problem = convFormatProblem(s);
  if (problem) return { ...base, kernel: 'dense', reason: problem };
  const sparse = { instructions: sparseConvInstructions(s, taps), flashBytes: 2 * s.M + 8 * nonZeros };
  return { ...base, sparse, ...decideSparse(mode, dense, sparse) };
}

// ---- the rule ----

type Estimate = KernelEstimate;

/**
 * The decision again with a target's estimator, given both candidates' calls (the sparse ones only when the format can
 * hold the layer, i.e. when `d.sparse` is set).
 */
export function refineWithEstimator(mode: SparseMode, d: SparseDecision, estimator: KernelEstimator | undefined, denseCalls: () => CCall[], sparseCalls: () => CCall[]): SparseDecision {
  if (!estimator || !d.sparse || mode !== 'auto') return d;
  const dense = estimator(denseCalls());
  const sparse = estimator(sparseCalls());
  if (!dense || !sparse) return d;
  const round = (e: Estimate) => ({ instructions: Math.round(e.instructions), flashBytes: Math.round(e.flashBytes) });
  const decided = decideSparse(mode, round(dense), round(sparse));
  return { ...d, dense: round(dense), sparse: round(sparse), ...decided, reason: `${decided.reason} (target cost model)` };
}

/** The rule (mode 'auto': faster by SPARSE_MAX_INSTRUCTION_RATIO and no larger), shared with the int8 choice (sparse-choice-s8.ts). */
export function decideSparse(mode: SparseMode, dense: Estimate, sparse: Estimate): Pick<SparseDecision, 'kernel' | 'reason'> {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Infinity : 1);
  const figures = `est. instructions ${sparse.instructions} sparse vs ${dense.instructions} dense, flash ${sparse.flashBytes} vs ${dense.flashBytes} bytes`;
  if (mode === 'always') return { kernel: 'sparse', reason: `forced (${figures})` };
  if (mode === 'never') return { kernel: 'dense', reason: `forced (${figures})` };
  const faster = ratio(sparse.instructions, dense.instructions) <= SPARSE_MAX_INSTRUCTION_RATIO;
  const smaller = sparse.flashBytes <= dense.flashBytes;
  return { kernel: faster && smaller ? 'sparse' : 'dense', reason: figures };
}
