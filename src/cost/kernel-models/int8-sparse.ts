// Cost formulas of the weight-sparse int8 kernels (ep_int8_sparse.h): segment-counted dense rows and the tap-list
// conv with offset/weight byte pairs, from the packed arrays of each call.

import type { CCall } from '../../emit/c/c-step.js';
import { cdiv, ceilDiv, CostModelError, intArg, type KernelModel, zeros } from './common.js';
import { interiorTiles } from '../../emit/c/sparse-choice.js';

/** Inputs per segment (EP_S8_SPARSE_SEGMENT) and pixels per conv tile (EP_S8_SPARSE_MAX_P). */
const SEGMENT = 128;
const MAX_P = 8;

function packed(call: CCall, i: number): ArrayLike<number> {
  const a = call.args[i];
  if (!a || a.kind !== 'weight') throw new CostModelError(`${call.kernel}: argument ${i} is ${a ? a.kind : 'missing'}, the cost model expects a packed constant array`);
  return a.weight.tensor.data as ArrayLike<number>;
}

const DENSE_TIME = ['quads', 'singles', 'segments', 'outputs', 'rows', 'call'];

export const sparseDenseS8: KernelModel = {
  kernel: 'ep_sparse_dense_s8',
  header: 'ep_int8_sparse.h',
  extraHeaders: ['ep_int8_common.h'],
  keys: ['ep_sparse_dense_s8', 'ep_sparse_dense_s8:pt'],
  timeTerms: DENSE_TIME,
  codeTerms: ['call'],
  formula:
    'the same for ep_sparse_dense_s8_pt (per-tensor weights, key ep_sparse_dense_s8:pt); per input row and output, the non-zeros of each segment of 128 inputs (from the count bytes) four at a time, then one by one: instructions = quads·(4 non-zeros: index, input and weight loads, multiply-accumulate) + singles + segments + outputs·(requantization) + rows + call',
  analyze(call) {
    const cnt = packed(call, 1);
    const rows = intArg(call, 8);
    const K = intArg(call, 9);
    const N = intArg(call, 10);
    const S = cdiv(K + SEGMENT - 1, SEGMENT);
    let quads = 0;
    let singles = 0;
    for (let i = 0; i < N * S; i++) {
      quads += Math.floor(cnt[i] / 4);
      singles += cnt[i] % 4;
    }
    const time = { quads: rows * quads, singles: rows * singles, segments: rows * N * S, outputs: rows * N, rows, call: 1 };
    return { key: call.kernel === 'ep_sparse_dense_s8_pt' ? 'ep_sparse_dense_s8:pt' : 'ep_sparse_dense_s8', time, code: { call: 1 }, macs: rows * K * N };
  },
};

const CONV_TIME = ['pixelTaps', 'taps', 'maskedTaps', 'channelVisits', 'tiles', 'maskedTiles', 'outputs', 'maskedRows', 'channels', 'rows', 'call'];

/** ep__s8_sparse_tile_width. */
const tileWidth = (width: number) => {
  const tiles = cdiv(width + MAX_P - 1, MAX_P);
  return tiles ? cdiv(width + tiles - 1, tiles) : 1;
};

export const sparseConvS8: KernelModel = {
  kernel: 'ep_sparse_conv2d_s8',
  header: 'ep_int8_sparse.h',
  extraHeaders: ['ep_int8_common.h', 'ep_sparse.h', 'ep_mac.h', 'ep_mac_thumb2.h'],
  keys: ['ep_sparse_conv2d_s8'],
  timeTerms: CONV_TIME,
  codeTerms: ['insideOutputs', 'maskedOutputs', 'maskedCopies', 'call'],
  formula:
    'per output channel, tiles of up to 8 pixels (rows inside the input along the row; rows on the padding with the mask of their kernel rows; columns on the padding down the column; corners pixel by pixel), each non-zero of the channel visited once per tile: ' +
    'instructions = pixelTaps·(input load and multiply-accumulate per pixel of the taps inside) + taps·(offset and weight loads) + maskedTaps·(the mask test of masked tiles) + channelVisits·(input channels per tile) + tiles + maskedTiles + outputs·(requantization) + maskedRows + channels + rows + call; ' +
    'code = insideOutputs·(pixels of the inside tile) + maskedOutputs·(pixels of the masked tile copies that can run: rows on the padding, corners, columns on the padding; gcc drops the others) + maskedCopies + call',
  analyze(call) {
    const cnt = packed(call, 1);
    const ent = packed(call, 2);
    const v = (i: number) => intArg(call, i);
    const [C, H, W, M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups] = [v(7), v(8), v(9), v(10), v(11), v(12), v(13), v(14), v(15), v(16), v(17), v(18), v(19), v(20), v(21)];
    const Cg = C / groups;
    const { oyLo, oyHi, oxLo, oxHi, PW, PH, wtiles, htiles } = interiorTiles({ H, W, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl }, tileWidth);
    // Tap code of each offset (the kernel's table), to count the non-zeros a mask keeps.
    const tapOf = new Map<number, number>();
    for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) tapOf.set((kh * dh * W + kw * dw) & 255, kh * KW + kw);
    const rowSpan = (oy: number) => {
      const iy0 = oy * sh - pt;
      const lo = iy0 < 0 ? ceilDiv(-iy0, dh) : 0;
      return [lo, Math.max(lo, Math.min(KH, ceilDiv(H - iy0, dh)))];
    };
    const colSpan = (ox: number) => {
      const ix0 = ox * sw - pl;
      const lo = ix0 < 0 ? ceilDiv(-ix0, dw) : 0;
      return [lo, Math.max(lo, Math.min(KW, ceilDiv(W - ix0, dw)))];
    };
    const time = zeros(CONV_TIME);
    let e = 0;
    for (let m = 0; m < M; m++) {
      // The channel's non-zeros by tap (kh, kw).
      const byTap = new Map<number, number>();
      let n = 0;
      for (let c = 0; c < Cg; c++) n += cnt[m * Cg + c];
      for (let i = 0; i < n; i++, e += 2) {
        const t = tapOf.get(ent[e]) ?? -1;
        byTap.set(t, (byTap.get(t) ?? 0) + 1);
      }
      const kept = (kh0: number, kh1: number, kw0: number, kw1: number) => {
        let s = 0;
        for (const [t, k] of byTap) {
          const kh = Math.floor(t / KW);
          const kw = t % KW;
          if (kh >= kh0 && kh < kh1 && kw >= kw0 && kw < kw1) s += k;
        }
        return s;
      };
      const tile = (P: number, inside: number, masked: boolean) => {
        time.pixelTaps += P * inside;
        time.taps += masked ? inside : n;
        time.maskedTaps += masked ? n : 0;
        time.channelVisits += Cg;
        time.tiles += 1;
        time.maskedTiles += masked ? 1 : 0;
        time.outputs += P;
      };
      for (let oy = 0; oy < OH; oy++) {
        const inside = oy >= oyLo && oy < oyHi;
        const [kh0, kh1] = rowSpan(oy);
        const rowKept = inside ? n : kept(kh0, kh1, 0, KW);
        for (let t = 0; t < wtiles; t++) tile(PW, rowKept, !inside);
        if (inside) continue;
        time.maskedRows += 1;
        for (let ox = 0; ox < OW; ox++) {
          if (ox >= oxLo && ox < oxHi) continue;
          const [kw0, kw1] = colSpan(ox);
          tile(1, kept(kh0, kh1, kw0, kw1), true);
        }
      }
      for (let ox = 0; ox < OW; ox++) {
        if (ox >= oxLo && ox < oxHi) continue;
        const [kw0, kw1] = colSpan(ox);
        const colKept = kept(0, KH, kw0, kw1);
        for (let t = 0; t < htiles; t++) tile(PH, colKept, true);
      }
      time.channels += 1;
      time.rows += OH;
    }
    time.call = 1;
    // The tile copies the literal shapes leave reachable (with no padding on a side, gcc proves its branch dead).
    const padRows = oyLo > 0 || oyHi < OH;
    const padCols = oxLo > 0 || oxHi < OW;
    const masked = [padRows && wtiles > 0 ? PW : 0, padRows && padCols ? 1 : 0, padCols && htiles > 0 ? PH : 0];
    const code = {
      insideOutputs: wtiles > 0 ? PW : 0,
      maskedOutputs: masked.reduce((a, b) => a + b, 0),
      maskedCopies: masked.filter((x) => x > 0).length,
      call: 1,
    };
    return { key: 'ep_sparse_conv2d_s8', time, code, macs: M * Cg * KH * KW * OH * OW };
  },
};
