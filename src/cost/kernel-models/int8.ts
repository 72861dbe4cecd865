// Cost formulas of the other int8 kernels: dense (ep_int8_dense.h), the float/int8 boundary (ep_int8_quant.h), max
// pooling (ep_int8_pool.h) and the byte copies and transposes int8 tensors lower to (ep_data_s8.h).

import { intArg, type KernelModel, zeros } from './common.js';
import { copyBlocks, transpose } from './data.js';
import { pool2d } from './pool.js';

const S8_DENSE_MAX_NB = 6;

/** ep__s8_dense_tile_width: all outputs up to 6, else a divisor of N in [4, 6], else 4. */
const denseTileWidth = (N: number) => (N <= S8_DENSE_MAX_NB ? N : N % 6 === 0 ? 6 : N % 5 === 0 ? 5 : 4);

const DENSE_TIME = ['quadIter', 'quadMac', 'kIter', 'kMac', 'tiles', 'outputs', 'rows', 'call'];
const DENSE_CODE = ['quadOps', 'kOps', 'tileOutputs', 'tileCopies', 'call'];

export const denseS8: KernelModel = {
  kernel: 'ep_dense_s8',
  header: 'ep_int8_dense.h',
  extraHeaders: ['ep_int8_common.h'],
  keys: ['ep_dense_s8', 'ep_dense_s8:pt'],
  timeTerms: DENSE_TIME,
  codeTerms: DENSE_CODE,
  formula:
    'the same for ep_dense_s8_pt (per-tensor weights: one multiplier and shift, key ep_dense_s8:pt); tiles of NB outputs of one row (NB by ep__s8_dense_tile_width, and single outputs for the remainder); on the DSP path four inputs at a time as two lane pairs (quadIter: per tile and 4 inputs; quadMac: x NB, a weight word and two SMLAD each), the rest (and everything on the portable path) one input at a time (kIter, kMac: x NB); ' +
    'instructions = quadIter + quadMac + kIter + kMac + tiles + outputs·(requantization) + rows + call; code = quadOps·(NB of each tile shape, DSP) + kOps·(NB of each tile shape) + tileOutputs + tileCopies + call',
  analyze(call, ctx) {
    const rows = intArg(call, 6);
    const K = intArg(call, 7);
    const N = intArg(call, 8);
    const NB = denseTileWidth(N);
    const full = Math.floor(N / NB) * NB;
    const quads = ctx.dsp ? Math.floor(K / 4) : 0;
    const rest = K - 4 * quads;
    const time = zeros(DENSE_TIME);
    const code = zeros(DENSE_CODE);
    for (const [nb, count] of [[NB, full / NB], [1, N - full]] as const) {
      if (count === 0) continue;
      const t = rows * count;
      time.quadIter += t * quads;
      time.quadMac += t * quads * nb;
      time.kIter += t * rest;
      time.kMac += t * rest * nb;
      time.tiles += t;
      time.outputs += t * nb;
      code.quadOps += quads > 0 ? nb : 0;
      code.kOps += rest > 0 ? nb : 0;
      code.tileOutputs += nb;
      code.tileCopies += 1;
    }
    time.rows = rows;
    time.call = 1;
    code.call = 1;
    return { key: call.kernel === 'ep_dense_s8_pt' ? 'ep_dense_s8:pt' : 'ep_dense_s8', time, code, macs: rows * K * N };
  },
};

/** An elementwise boundary kernel: (x, y, n, scale, zero point). */
function boundary(kernel: string, what: string): KernelModel {
  return {
    kernel,
    header: 'ep_int8_quant.h',
    keys: [kernel],
    timeTerms: ['elements', 'call'],
    codeTerms: ['call'],
    formula: `${what}: instructions = elements + call (the core's path: FPU division, integer division on a Cortex-M3, or soft float)`,
    analyze(call) {
      return { key: kernel, time: { elements: intArg(call, 2), call: 1 }, code: { call: 1 }, macs: 0 };
    },
  };
}

export const quantizeS8 = boundary('ep_quantize_f32_s8', 'QuantizeLinear float32 → int8, per element a division and round half to even');
export const dequantizeS8 = boundary('ep_dequantize_s8_f32', 'DequantizeLinear int8 → float32, per element a subtraction and a product');

const floatMaxPool = pool2d(false);

export const maxPool2dS8: KernelModel = {
  kernel: 'ep_maxpool2d_s8',
  header: 'ep_int8_pool.h',
  extraHeaders: ['ep_int8_common.h'],
  keys: ['ep_maxpool2d_s8'],
  timeTerms: [...floatMaxPool.timeTerms, 'pairWindows', 'pairRows'],
  codeTerms: [...floatMaxPool.codeTerms, 'pairLoop'],
  formula:
    "ep_maxpool2d_f32's loop structure (whole windows unrolled, clipped windows in loops) on bytes; on the DSP path 2-wide stride-2 whole windows two at a time from one word per window row (pairWindows: window pairs, pairRows: x KH): " +
    'instructions = fullWindows + fullTaps + partialWindows + partialTaps + partialKh + rows + pairWindows + pairRows + call; code = unrolledTaps + partialLoops + pairLoop + call',
  analyze(call, ctx) {
    const base = floatMaxPool.analyze(call, ctx);
    const time: Record<string, number> = { ...base.time, pairWindows: 0, pairRows: 0 };
    const code: Record<string, number> = { ...base.code, pairLoop: 0 };
    const v = (i: number) => intArg(call, i);
    const [C, H, W, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl] = [v(2), v(3), v(4), v(5), v(6), v(7), v(8), v(9), v(10), v(11), v(12), v(13), v(14)];
    if (ctx.dsp && KW === 2 && sw === 2 && dw === 1 && KH * KW <= 64) {
      // The whole windows of the rows whose window rows are all inside: pairs of them take the word path.
      const oxLo = Math.min(OW, Math.ceil(pl / sw));
      const oxHi = Math.max(oxLo, Math.min(OW, Math.floor((W - 1 + pl - (KW - 1) * dw) / sw) + 1));
      const pairs = Math.floor((oxHi - oxLo) / 2);
      let fullRows = 0;
      for (let oy = 0; oy < OH; oy++) {
        const iy0 = oy * sh - pt;
        if (iy0 >= 0 && iy0 + (KH - 1) * dh < H) fullRows++;
      }
      const n = C * fullRows * pairs;
      time.fullWindows -= 2 * n;
      time.fullTaps -= 2 * n * KH * KW;
      time.pairWindows = n;
      time.pairRows = n * KH;
      code.pairLoop = pairs > 0 ? KH : 0;
    }
    return { key: 'ep_maxpool2d_s8', time, code, macs: 0 };
  },
};

/** The byte versions of the data-movement kernels: the same loops, one byte per element (memcpy runs). */
function bytesOf(model: KernelModel, kernel: string): KernelModel {
  return {
    ...model,
    kernel,
    header: 'ep_data_s8.h',
    keys: [kernel],
    formula: `${model.formula} (on int8 elements)`,
    analyze(call, ctx) {
      return { ...model.analyze(call, ctx), key: kernel };
    },
  };
}

export const copyBlocksS8 = bytesOf(copyBlocks, 'ep_copy_blocks_s8');
export const transposeS8 = bytesOf(transpose, 'ep_transpose_s8');
