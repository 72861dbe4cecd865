// Cost formulas of the weight-sparse kernels (ep_sparse.h): blocked-CSR dense and tap-list conv (its counts: src/emit/c/sparse-conv-work.ts).

import type { CCall } from '../../emit/c/c-step.js';
import { clampSides, CostModelError, floatArg, intArg, type KernelModel, SOFT_MAC_FUNCTIONS } from './common.js';
import { sparseConvCode, sparseConvWork } from '../../emit/c/sparse-conv-work.js';

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
  extraHeaders: ['ep_mac.h', 'ep_mac_thumb2.h'],
  sharedCode: SOFT_MAC_FUNCTIONS,
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

const SPARSE_CONV_TIME = ['fma', 'loads', 'taps', 'maskedTaps', 'rowChecks', 'tiles', 'tilePixels', 'clamped', 'rows', 'channels', 'call'];

export const sparseConv: KernelModel = {
  kernel: 'ep_sparse_conv2d_f32',
  header: 'ep_sparse.h',
  extraHeaders: ['ep_mac.h', 'ep_mac_thumb2.h'],
  sharedCode: SOFT_MAC_FUNCTIONS,
  keys: ['ep_sparse_conv2d_f32'],
  timeTerms: SPARSE_CONV_TIME,
  codeTerms: ['copyFmas', 'copyPixels', 'tileCopies', 'clamped', 'call'],
  formula:
    'per output channel, row tiles of up to 16 pixels (R rows at a time inside the input rows), each going through the channel\'s non-zeros: ' +
    'instructions = fma·(taps inside the input, per pixel) + loads·(VLDM of a tap\'s inputs per tile row, FPU cores) + taps·(taps of tiles inside the input) + maskedTaps·(taps of tiles on the column padding: the jump on the kernel column) + rowChecks·(taps tested in rows on the row padding) + tiles + tilePixels + clamped + rows + channels + call; ' +
    'code = copyFmas·(FMAs of each tile copy) + copyPixels + tileCopies + clamped + call',
  analyze(call, ctx) {
    const cnt = weightData(call, 1);
    const tap = weightData(call, 2);
    if (!cnt || !tap) throw new CostModelError('ep_sparse_conv2d_f32: the count or tap array is missing');
    const v = (i: number) => intArg(call, i);
    const [C, H, W, M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups] = [v(6), v(7), v(8), v(9), v(10), v(11), v(12), v(13), v(14), v(15), v(16), v(17), v(18), v(19), v(20)];
    const clamp = clampSides(floatArg(call, 21), floatArg(call, 22));
    const shape = { C, H, W, M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups };
    const hist: Float64Array[] = [];
    let e = 0;
    for (let m = 0; m < M; m++) {
      const h = new Float64Array(KH * KW);
      for (let i = 0; i < cnt[m]; i++, e++) {
        const t = tap[e];
        h[((t >>> 24) & 15) * KW + (t >>> 28) - 1] += 1;
      }
      hist.push(h);
    }
    const work = sparseConvWork(shape, hist, ctx.fpu);
    const time = { ...work, clamped: work.tilePixels * clamp, call: 1 };
    const c = sparseConvCode(shape);
    const code = { ...c, clamped: c.copyPixels * clamp, call: 1 };
    return { key: 'ep_sparse_conv2d_f32', time, code, macs: M * (C / groups) * KH * KW * OH * OW };
  },
};
