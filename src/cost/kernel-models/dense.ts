// Cost formulas of the dense and matmul kernels (ep_dense.h): register blocks and row-pair tiles.

import { cdiv, clampSides, floatArg, intArg, type KernelModel, SOFT_MAC_FUNCTIONS, zeros } from './common.js';

const DENSE_MAX_NB = 8;
const DENSE_MAX_KB = 28;

const denseTileWidth = (N: number) => (N <= DENSE_MAX_NB ? N : N % 8 === 0 ? 8 : N % 7 === 0 ? 7 : N % 6 === 0 ? 6 : N % 5 === 0 ? 5 : 4);

function denseBlock(K: number): number {
  if (K <= DENSE_MAX_KB) return K;
  for (let kb = 28; kb >= 12; kb--) if (K % kb === 0) return kb;
  const blocks = cdiv(K + DENSE_MAX_KB - 1, DENSE_MAX_KB);
  return cdiv(K + blocks - 1, blocks);
}

const DENSE_TIME = ['fma', 'wload', 'xload', 'passIter', 'passes', 'init', 'clamped', 'tileK', 'tiles', 'tileOutputs', 'call'];
const DENSE_CODE = ['passOps', 'passCopies', 'clampLoop', 'tileOps', 'tileOutputs', 'tileCopies', 'call'];

export const dense: KernelModel = {
  kernel: 'ep_dense_f32',
  header: 'ep_dense.h',
  extraHeaders: ['ep_mac.h', 'ep_mac_thumb2.h'],
  sharedCode: SOFT_MAC_FUNCTIONS,
  keys: ['ep_dense_f32'],
  timeTerms: DENSE_TIME,
  codeTerms: DENSE_CODE,
  formula:
    'one row: inputs held in registers a block of KB at a time (ep__dense_block), every output accumulating in y; instructions = fma + wload + xload + passIter·(outputs x blocks) + passes·(blocks) + init·(outputs) + clamped·(outputs x clamp sides) + call; ' +
    'row pairs: RB=2 x NB tiles (tileK·(k iterations), tiles, tileOutputs); code = passOps·(3·KB per block-pass copy) + passCopies + clampLoop + tileOps + tileOutputs + tileCopies + call',
  analyze(call) {
    const rows = intArg(call, 4);
    const K = intArg(call, 5);
    const N = intArg(call, 6);
    const clamp = clampSides(floatArg(call, 7), floatArg(call, 8));
    const time = zeros(DENSE_TIME);
    const code = zeros(DENSE_CODE);
    const pairs = Math.floor(rows / 2);
    if (pairs > 0) {
      const NB = denseTileWidth(N);
      const fullN = Math.floor(N / NB) * NB;
      for (const [nb, count] of [[NB, fullN / NB], [1, N - fullN]] as const) {
        if (count === 0) continue;
        time.fma += pairs * count * 2 * nb * K;
        time.wload += pairs * count * nb * K;
        time.xload += pairs * count * 2 * K;
        time.tileK += pairs * count * K;
        time.tiles += pairs * count;
        time.tileOutputs += pairs * count * 2 * nb * (1 + clamp);
        code.tileOps += 2 * (2 + nb + 2 * nb);
        code.tileOutputs += 2 * nb * (1 + clamp);
        code.tileCopies += 1;
      }
    }
    if (rows % 2 === 1) {
      const KB = denseBlock(K);
      const full = Math.floor(K / KB) * KB;
      const blocks = full / KB + (full < K ? 1 : 0);
      time.fma += K * N;
      time.wload += K * N;
      time.xload += K;
      time.passIter += N * blocks;
      time.passes += blocks;
      time.init += N;
      time.clamped += N * clamp;
      code.passOps += 3 * KB + (full < K ? 3 * (K - full) : 0);
      code.passCopies += full < K ? 2 : 1;
      code.clampLoop += clamp > 0 ? 1 : 0;
    }
    time.call = 1;
    code.call = 1;
    return { key: 'ep_dense_f32', time, code, macs: rows * K * N };
  },
};

const MATMUL_TIME = ['fma', 'aload', 'bload', 'kIter', 'tiles', 'outputs', 'call'];

export const matmul: KernelModel = {
  kernel: 'ep_matmul_f32',
  header: 'ep_dense.h',
  extraHeaders: ['ep_mac.h', 'ep_mac_thumb2.h'],
  sharedCode: SOFT_MAC_FUNCTIONS,
  keys: ['ep_matmul_f32'],
  timeTerms: MATMUL_TIME,
  codeTerms: ['tileOps', 'tileCopies', 'call'],
  formula: '4x4 register tiles (and 4x1, 1x4, 1x1 remainders): instructions = fma + aload + bload + kIter + tiles + outputs + call; code = tileOps·(loads + FMAs of each tile shape used) + tileCopies + call',
  analyze(call) {
    const M = intArg(call, 3);
    const K = intArg(call, 4);
    const N = intArg(call, 5);
    const time = zeros(MATMUL_TIME);
    const code = { tileOps: 0, tileCopies: 0, call: 1 };
    const fullM = Math.floor(M / 4) * 4;
    const fullN = Math.floor(N / 4) * 4;
    const shapes: [number, number, number][] = [
      [4, 4, (fullM / 4) * (fullN / 4)],
      [4, 1, (fullM / 4) * (N - fullN)],
      [1, 4, (M - fullM) * (fullN / 4)],
      [1, 1, (M - fullM) * (N - fullN)],
    ];
    for (const [mb, nb, count] of shapes) {
      if (count === 0) continue;
      time.fma += count * mb * nb * K;
      time.aload += count * mb * K;
      time.bload += count * nb * K;
      time.kIter += count * K;
      time.tiles += count;
      time.outputs += count * mb * nb;
      code.tileOps += mb + nb + mb * nb;
      code.tileCopies += 1;
    }
    time.call = 1;
    return { key: 'ep_matmul_f32', time, code, macs: M * K * N };
  },
};
