// Cost formulas of the pooling kernels (ep_pool.h): windowed max/average pools and global pools.

import { ceilDiv, floorDiv, intArg, type KernelModel, zeros } from './common.js';

const POOL_TIME = ['fullWindows', 'fullTaps', 'partialWindows', 'partialTaps', 'partialKh', 'rows', 'call'];
const POOL_CODE = ['unrolledTaps', 'partialLoops', 'call'];

export function pool2d(avg: boolean): KernelModel {
  const kernel = avg ? 'ep_avgpool2d_f32' : 'ep_maxpool2d_f32';
  return {
    kernel,
    header: 'ep_pool.h',
    keys: [kernel],
    timeTerms: POOL_TIME,
    codeTerms: POOL_CODE,
    formula:
      'rows whose window rows are all inside the input run windows wholly inside it as unrolled straight-line code (KH·KW ≤ 64), the others through the clipped loops; ' +
      'instructions = fullWindows + fullTaps + partialWindows + partialTaps + partialKh·(window rows of clipped windows) + rows + call; code = unrolledTaps·(KH·KW when unrolled) + partialLoops + call',
    analyze(call) {
      const v = (i: number) => intArg(call, i);
      const [C, H, W, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl] = [v(2), v(3), v(4), v(5), v(6), v(7), v(8), v(9), v(10), v(11), v(12), v(13), v(14)];
      const oxLo = Math.min(OW, ceilDiv(pl, sw));
      const oxHi = Math.max(oxLo, Math.min(OW, floorDiv(W - 1 + pl - (KW - 1) * dw, sw) + 1));
      const unroll = KH * KW <= 64;
      const cols: number[] = [];
      for (let ox = 0; ox < OW; ox++) {
        const ix0 = ox * sw - pl;
        const lo = ix0 < 0 ? ceilDiv(-ix0, dw) : 0;
        const hi = Math.min(KW, ceilDiv(W - ix0, dw));
        cols.push(Math.max(0, hi - lo));
      }
      const time = zeros(POOL_TIME);
      let anyPartialRow = false;
      for (let oy = 0; oy < OH; oy++) {
        const iy0 = oy * sh - pt;
        const lo = iy0 < 0 ? ceilDiv(-iy0, dh) : 0;
        const hi = Math.min(KH, ceilDiv(H - iy0, dh));
        const nkh = Math.max(0, hi - lo);
        if (unroll && lo === 0 && hi === KH) {
          time.fullWindows += oxHi - oxLo;
          time.fullTaps += (oxHi - oxLo) * KH * KW;
          for (let ox = 0; ox < OW; ox++) {
            if (ox >= oxLo && ox < oxHi) continue;
            time.partialWindows += 1;
            time.partialTaps += nkh * cols[ox];
            time.partialKh += nkh;
          }
        } else {
          anyPartialRow = true;
          for (let ox = 0; ox < OW; ox++) {
            time.partialWindows += 1;
            time.partialTaps += nkh * cols[ox];
            time.partialKh += nkh;
          }
        }
      }
      for (const k of Object.keys(time)) time[k] *= C;
      time.rows = C * OH;
      time.call = 1;
      const code = {
        unrolledTaps: unroll ? KH * KW : 0,
        partialLoops: (unroll && oxLo > 0 ? 1 : 0) + (unroll && oxHi < OW ? 1 : 0) + (anyPartialRow || !unroll ? 1 : 0),
        call: 1,
      };
      return { key: kernel, time, code, macs: 0 };
    },
  };
}

/** Constant trip counts up to this many iterations: gcc unrolls a small loop body completely. */
const SHORT_LOOP = 8;

export function globalPool(kernel: string): KernelModel {
  return {
    kernel,
    header: 'ep_pool.h',
    keys: [kernel],
    timeTerms: ['elements', 'shortElements', 'channels', 'call'],
    codeTerms: ['call', 'unrolled'],
    formula: `instructions = elements + shortElements·(planes of at most ${SHORT_LOOP} values, whose loop gcc unrolls) + channels + call`,
    analyze(call) {
      const C = intArg(call, 2);
      const HW = intArg(call, 3);
      const short = HW <= SHORT_LOOP;
      return { key: kernel, time: { elements: short ? 0 : C * HW, shortElements: short ? C * HW : 0, channels: C, call: 1 }, code: { call: 1, unrolled: short ? HW : 0 }, macs: 0 };
    },
  };
}
