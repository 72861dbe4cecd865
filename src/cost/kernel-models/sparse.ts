// Cost formulas of the weight-sparse kernels (ep_sparse.h): blocked-CSR dense and tap-list conv.

import type { CCall } from '../../emit/c/c-step.js';
import { cdiv, ceilDiv, clampSides, CostModelError, floatArg, intArg, type KernelModel, zeros } from './common.js';
import { interiorTiles } from '../../emit/c/sparse-choice.js';

/** The data of a constant array argument (the packed weights of a sparse layer). */
function weightData(call: CCall, i: number): ArrayLike<number> | null {
  const a = call.args[i];
  if (!a || a.kind === 'null') return null;
  if (a.kind !== 'weight') throw new CostModelError(`${call.kernel}: argument ${i} is ${a.kind}, the cost model expects a constant array`);
  return a.weight.tensor.data as ArrayLike<number>;
}

const SPARSE_DENSE_TIME = ['nonZeros', 'blocks', 'activeOutputs', 'outputs', 'clamped', 'rows', 'call'];

export const sparseDense: KernelModel = {
  kernel: 'ep_sparse_dense_f32',
  header: 'ep_sparse.h',
  extraHeaders: ['ep_mac.h'],
  keys: ['ep_sparse_dense_f32'],
  timeTerms: SPARSE_DENSE_TIME,
  codeTerms: ['call', 'clamped'],
  formula:
    'per input row, from the packed header of each output (blocks of 8 slots, the first partial): instructions = nonZeros·(address, load, FMA per non-zero) + blocks·(offset and value block loads, loop) + activeOutputs·(jump into the first block) + outputs + clamped + rows + call',
  analyze(call) {
    const hdr = weightData(call, 1);
    if (!hdr) throw new CostModelError('ep_sparse_dense_f32: the header array is missing');
    const rows = intArg(call, 6);
    const K = intArg(call, 7);
    const N = intArg(call, 8);
    const clamp = clampSides(floatArg(call, 9), floatArg(call, 10));
    let nonZeros = 0;
    let blocks = 0;
    let active = 0;
    for (let n = 0; n < N; n++) {
      const h = hdr[n];
      const b = h >> 3;
      blocks += b;
      nonZeros += b > 0 ? 8 * b - (h & 7) : 0;
      active += b > 0 ? 1 : 0;
    }
    const time = { nonZeros: rows * nonZeros, blocks: rows * blocks, activeOutputs: rows * active, outputs: rows * N, clamped: rows * N * clamp, rows, call: 1 };
    return { key: 'ep_sparse_dense_f32', time, code: { call: 1, clamped: clamp }, macs: rows * K * N };
  },
};

const SPARSE_CONV_TIME = ['pixelTaps', 'taps', 'maskChecks', 'tiles', 'tilePixels', 'clamped', 'rows', 'maskIters', 'cornerPixels', 'borderColumns', 'channels', 'call'];

const sparseTileWidth = (width: number) => {
  const tiles = cdiv(width + 15, 16);
  return tiles ? cdiv(width + tiles - 1, tiles) : 1;
};

export const sparseConv: KernelModel = {
  kernel: 'ep_sparse_conv2d_f32',
  header: 'ep_sparse.h',
  extraHeaders: ['ep_mac.h'],
  keys: ['ep_sparse_conv2d_f32'],
  timeTerms: SPARSE_CONV_TIME,
  codeTerms: ['tilePixels', 'tileCopies', 'clamped', 'call'],
  formula:
    'per output channel, tiles of up to 16 pixels (interior rows, border rows with a mask of valid kernel rows, border columns down the column, corners one by one), each non-zero of the channel a tap: ' +
    'instructions = pixelTaps·(load + FMA per pixel of a valid tap) + taps·(valid taps per tile) + maskChecks·(taps tested in masked tiles) + tiles + tilePixels + clamped + rows + maskIters + cornerPixels + borderColumns + channels + call; ' +
    'code = tilePixels·(pixels of each tile copy) + tileCopies + clamped + call',
  analyze(call) {
    const cnt = weightData(call, 1);
    const tap = weightData(call, 2);
    if (!cnt) throw new CostModelError('ep_sparse_conv2d_f32: the count array is missing');
    const v = (i: number) => intArg(call, i);
    const [C, H, W, M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups] = [v(6), v(7), v(8), v(9), v(10), v(11), v(12), v(13), v(14), v(15), v(16), v(17), v(18), v(19), v(20)];
    const clamp = clampSides(floatArg(call, 21), floatArg(call, 22));
    const { oyLo, oyHi, oxLo, oxHi, PW, PH, wtiles, htiles } = interiorTiles({ H, W, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl }, sparseTileWidth);
    const khSpan = (oy: number) => {
      const iy0 = oy * sh - pt;
      return [iy0 < 0 ? ceilDiv(-iy0, dh) : 0, Math.min(KH, ceilDiv(H - iy0, dh))];
    };
    const kwSpan = (ox: number) => {
      const ix0 = ox * sw - pl;
      return [ix0 < 0 ? ceilDiv(-ix0, dw) : 0, Math.min(KW, ceilDiv(W - ix0, dw))];
    };
    const borderCols: number[] = [];
    for (let ox = 0; ox < OW; ox++) if (ox < oxLo || ox >= oxHi) borderCols.push(ox);
    const time = zeros(SPARSE_CONV_TIME);
    // Prefix sums of each channel's taps over (kernel row, kernel column): valid taps of a mask in O(1).
    const S = new Float64Array((KH + 1) * (KW + 1));
    let e = 0;
    const tile = (P: number, n: number, valid: number, masked: boolean) => {
      time.tiles += 1;
      time.tilePixels += P;
      time.clamped += P * clamp;
      if (masked) time.maskChecks += n;
      time.taps += valid;
      time.pixelTaps += valid * P;
    };
    for (let m = 0; m < M; m++) {
      const n = cnt[m];
      S.fill(0);
      if (tap) for (let i = 0; i < n; i++) {
        const t = tap[e + i];
        S[(((t >>> 24) & 15) + 1) * (KW + 1) + (t >>> 28)] += 1;
      }
      e += n;
      for (let r = 1; r <= KH; r++) for (let c = 1; c <= KW; c++) S[r * (KW + 1) + c] += S[(r - 1) * (KW + 1) + c] + S[r * (KW + 1) + c - 1] - S[(r - 1) * (KW + 1) + c - 1];
      const rect = (r0: number, r1: number, c0: number, c1: number) =>
        r1 <= r0 || c1 <= c0 ? 0 : S[r1 * (KW + 1) + c1] - S[r0 * (KW + 1) + c1] - S[r1 * (KW + 1) + c0] + S[r0 * (KW + 1) + c0];
      time.channels += 1;
      for (let oy = 0; oy < OH; oy++) {
        const [lo, hi] = khSpan(oy);
        time.rows += 1;
        time.maskIters += Math.max(0, hi - lo);
        const inside = oy >= oyLo && oy < oyHi;
        const rowValid = inside ? n : rect(lo, hi, 0, KW);
        for (let t = 0; t < wtiles; t++) tile(PW, n, rowValid, !inside);
        if (inside) continue;
        for (const ox of borderCols) {
          const [c0, c1] = kwSpan(ox);
          time.cornerPixels += 1;
          time.maskIters += Math.max(0, hi - lo);
          tile(1, n, rect(lo, hi, c0, c1), true);
        }
      }
      for (const ox of borderCols) {
        const [c0, c1] = kwSpan(ox);
        time.borderColumns += 1;
        time.maskIters += KH;
        for (let t = 0; t < htiles; t++) tile(PH, n, rect(0, KH, c0, c1), true);
      }
    }
    time.call = 1;
    const border = oyLo > 0 || oyHi < OH || borderCols.length > 0;
    const copies: number[] = wtiles > 0 ? [PW] : [];
    if (border) {
      if (wtiles > 0) copies.push(PW);
      if (borderCols.length) copies.push(1, PH);
    }
    const code = { tilePixels: copies.reduce((a, b) => a + b, 0), tileCopies: copies.length, clamped: copies.reduce((a, b) => a + b, 0) * clamp, call: 1 };
    return { key: 'ep_sparse_conv2d_f32', time, code, macs: M * (C / groups) * KH * KW * OH * OW };
  },
};
