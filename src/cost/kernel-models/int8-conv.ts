// Cost formula of the int8 convolution (ep_int8_conv.h with the assembly tiles of ep_int8_asm.h): register tiles of P
// pixels of one output channel (DSP path, Cortex-M4/M7: SMLAD on column pairs) or of a channel pair in one 64-bit
// accumulator (portable path, Cortex-M3: SMLAL), masked border tiles and interior tiles, full and clipped kernel
// rows, and the generic loops for what the tiles do not cover.

import type { CCall } from '../../emit/c/c-step.js';
import { cdiv, ceilDiv, floorDiv, intArg, isNull, type KernelContext, type KernelModel, zeros } from './common.js';

const S8_MAX_P = 8;
const S8_MAX_KW = 8;
const S8_MAX_TAPS = 64;
/** Taps per exact 64-bit pair sum on the portable path (EP_S8_PAIR_TAPS). */
const S8_PAIR_TAPS = 512;
/** Kernel columns per group of the Cortex-M3 assembly tile (ep_s8_tile_m3). */
const M3_GROUP = 3;

interface S8Shape {
  C: number; H: number; W: number; M: number; KH: number; KW: number; OH: number; OW: number;
  sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; groups: number;
  xZero: number; yZero: number; actMin: number; actMax: number; bias: boolean;
}

function s8Shape(call: CCall): S8Shape {
  const v = (i: number) => intArg(call, i);
  return {
    C: v(6), H: v(7), W: v(8), M: v(9), KH: v(10), KW: v(11), OH: v(12), OW: v(13), sh: v(14), sw: v(15), dh: v(16), dw: v(17), pt: v(18), pl: v(19), groups: v(20),
    xZero: v(21), yZero: v(22), actMin: v(23), actMax: v(24), bias: !isNull(call.args[2]),
  };
}

/** ep__s8_tile_pmax: accumulators left by a row's weight registers (DSP), 4 (portable: two registers each). */
function tilePmax(KW: number, dsp: boolean): number {
  if (!dsp) return 4;
  const t0 = KW - (KW & 3);
  return Math.min(S8_MAX_P, 10 - (t0 / 2 + ((KW & 3) === 3 ? 2 : KW & 3)));
}

const tileWidth = (OW: number, pmax: number) => {
  const tiles = cdiv(OW + pmax - 1, pmax);
  return cdiv(OW + tiles - 1, tiles);
};

/** ep__s8_tap_role: 1 first of a pair (a, a+2), 2 second of a pair, 0 single. */
function tapRole(a: number, KW: number): number {
  const t0 = KW - (KW & 3);
  if (a < t0) return (a & 3) < 2 ? 1 : 2;
  if ((KW & 3) === 3 && a === t0) return 1;
  if ((KW & 3) === 3 && a === t0 + 2) return 2;
  return 0;
}

/** What one kernel row of one tile executes (per input channel), as the tile code emits it for these constants. */
interface RowWork {
  /** Multiply-accumulate instructions (SMLAD/SMLABB/SMLABT, or SMLAL). */
  mac: number;
  /** Input word loads unpacked into two lane pairs (DSP). */
  xword: number;
  /** Other input fetches: single bytes, a rotated word, a packed byte pair (DSP), or bytes (portable). */
  xpart: number;
  /** Weight fetches of the row (words unpacked on DSP, bytes or byte pairs on the portable path). */
  wload: number;
}

/** The DSP row code (ep__s8_tile_rows_c, which the assembly tile mirrors). */
function dspRow(P: number, KW: number, sw: number, masked: boolean, W: number, ix0: number): RowWork {
  const Q = (P - 1) * sw + KW;
  const ok = (q: number) => (masked ? ix0 + q >= 0 && ix0 + q < W : q >= 0 && q < Q);
  const r: RowWork = { mac: 0, xword: 0, xpart: 0, wload: 0 };
  const t0 = KW - (KW & 3);
  r.wload = t0 / 4 + ((KW & 3) === 3 ? 2 : KW & 3);
  let haveNext = false;
  for (let q = 0; q < Q; q++) {
    if (!ok(q)) {
      haveNext = false;
      continue;
    }
    const hiOk = ok(q + 2);
    const lo2Ok = ok(q - 2);
    let needFull = false;
    let needLo = false;
    for (let j = 0; j < P; j++) {
      const a = q - j * sw;
      if (a < 0 || a >= KW) continue;
      const role = tapRole(a, KW);
      if (role === 1 && hiOk) needFull = true;
      else if (role !== 2 || !lo2Ok) needLo = true;
    }
    if (!needFull && !needLo) {
      haveNext = false;
      continue;
    }
    if (haveNext) haveNext = false;
    else if (ok(q + 3)) {
      r.xword++;
      haveNext = true;
    } else r.xpart++;
    for (let j = 0; j < P; j++) {
      const a = q - j * sw;
      if (a < 0 || a >= KW) continue;
      if (tapRole(a, KW) === 2 && lo2Ok) continue;
      r.mac++;
    }
  }
  return r;
}

/** The portable row (ep_s8_tile_m3): kernel columns in groups, each input byte loaded once per group that uses it. */
function portableRow(P: number, KW: number, sw: number, masked: boolean, W: number, ix0: number): RowWork {
  const Q = (P - 1) * sw + KW;
  const ok = (q: number) => (masked ? ix0 + q >= 0 && ix0 + q < W : q >= 0 && q < Q);
  const r: RowWork = { mac: 0, xword: 0, xpart: 0, wload: KW };
  for (let g0 = 0; g0 < KW; g0 += M3_GROUP) {
    const G = Math.min(M3_GROUP, KW - g0);
    for (let q = g0; q < (P - 1) * sw + g0 + G; q++) {
      if (!ok(q)) continue;
      let used = 0;
      for (let j = 0; j < P; j++) {
        const a = q - j * sw - g0;
        if (a >= 0 && a < G) used++;
      }
      if (!used) continue;
      r.xpart++;
      r.mac += used;
    }
  }
  return r;
}

const TIME = [
  'mac', 'kwIter', 'xword', 'xpart', 'wload', 'rowIter', 'clippedRowIter', 'cIter', 'chunks', 'maskedTiles', 'interiorTiles', 'maskedInit',
  'outputs', 'clamped', 'clippedRows', 'clippedRowTaps', 'rows', 'channelTaps', 'blocks', 'call',
];
const CODE = ['fullRowOps', 'maskedRowOps', 'rowOps', 'pairCopies', 'tileOutputs', 'tileClamped', 'maskedCopies', 'maskedInit', 'interiorCopies', 'interiorTiles', 'blockCopies', 'call'];

/** The tiled paths, tile by tile (a tile position's work is the same on every output row with the same kernel rows). */
function s8Tiled(s: S8Shape, ctx: KernelContext) {
  const time = zeros(TIME);
  const code = zeros(CODE);
  const Cg = s.C / s.groups;
  const Mg = s.M / s.groups;
  const taps = s.KH * s.KW;
  const clamp = (s.actMin > -128 ? 1 : 0) + (s.actMax < 127 ? 1 : 0);
  // Kernel rows inside the input per output row.
  const spans: { lo: number; n: number }[] = [];
  for (let oy = 0; oy < s.OH; oy++) {
    const iy0 = oy * s.sh - s.pt;
    const lo = iy0 < 0 ? ceilDiv(-iy0, s.dh) : 0;
    const hi = Math.max(lo, Math.min(s.KH, ceilDiv(s.H - iy0, s.dh)));
    spans.push({ lo, n: hi - lo });
  }
  const fullRows = spans.filter((x) => x.n === s.KH).length;
  const clippedRowList = spans.filter((x) => x.n !== s.KH);
  const clippedTaps = clippedRowList.reduce((a, x) => a + x.n, 0);
  const clippedNonEmpty = clippedRowList.filter((x) => x.n > 0).length;
  // Channel blocks: one channel each (DSP); pairs, and a single one when Mg is odd (portable).
  const blocks = ctx.dsp ? [{ width: 1, count: s.M }] : [{ width: 2, count: s.groups * Math.floor(Mg / 2) }, { width: 1, count: s.groups * (Mg % 2) }].filter((b) => b.count > 0);
  const P = tileWidth(s.OW, tilePmax(s.KW, ctx.dsp));
  const tiles = cdiv(s.OW + P - 1, P);
  let bl = Math.min(tiles, ceilDiv(s.pl, P * s.sw));
  if ((s.OW - P) * s.sw < s.pl) bl = tiles;
  const lastInside = floorDiv(s.W - 1 + s.pl - (s.KW - 1), s.sw) - (P - 1);
  let br = lastInside < 0 ? 0 : Math.min(tiles - 1, cdiv(lastInside, P) + 1);
  if (s.OW - P <= lastInside) br = tiles;
  br = Math.max(bl, br);
  // Input channels per exact pair sum (portable).
  const chunk = Math.max(1, Math.floor(S8_PAIR_TAPS / taps));
  const chunksPerTile = ctx.dsp ? 1 : Math.ceil(Cg / chunk);
  let interiorCopied = false;
  for (let b = 0; b < tiles; b++) {
    const masked = b < bl || b >= br;
    const ox0 = Math.min(b * P, s.OW - P);
    const ix0 = ox0 * s.sw - s.pl;
    const row = (ctx.dsp ? dspRow : portableRow)(P, s.KW, s.sw, masked, s.W, ix0);
    let outside = 0;
    if (masked) for (let j = 0; j < P; j++) for (let kw = 0; kw < s.KW; kw++) if (ix0 + j * s.sw + kw < 0 || ix0 + j * s.sw + kw >= s.W) outside++;
    for (const blk of blocks) {
      const n = blk.count;
      // Every (input channel, kernel row inside the input) of every output row.
      const rowIters = n * Cg * (fullRows * s.KH + clippedTaps);
      time.mac += rowIters * row.mac;
      time.xword += rowIters * row.xword;
      time.xpart += rowIters * row.xpart;
      time.wload += rowIters * row.wload;
      time.rowIter += rowIters;
      time.clippedRowIter += n * Cg * clippedTaps;
      const rowsWithWork = fullRows + clippedNonEmpty;
      time.cIter += n * Cg * rowsWithWork;
      time.chunks += n * chunksPerTile * rowsWithWork;
      if (masked) time.maskedTiles += n * s.OH;
      else time.interiorTiles += n * s.OH;
      time.maskedInit += n * s.OH * blk.width * outside;
      time.outputs += n * s.OH * P * blk.width;
      time.clamped += n * s.OH * P * blk.width * clamp;
      if (masked || !interiorCopied) {
        // Each masked tile and the interior loop are their own copy of the tile code, each in two variants (all kernel
        // rows unrolled; the clipped rows in a loop), unless the only output row is whole (gcc then drops the second).
        const variants = s.OH > 1 || clippedRowList.length > 0 ? 2 : 1;
        // A channel pair's row code combines and loads two weights per tap and splits two lanes per pixel.
        const ops = row.mac + row.xword + row.xpart + row.wload * blk.width;
        if (masked) code.maskedRowOps += s.KH * ops;
        else code.fullRowOps += s.KH * ops;
        if (variants === 2) code.rowOps += ops;
        code.pairCopies += (blk.width - 1) * variants;
        code.tileOutputs += P * blk.width * variants;
        code.tileClamped += P * blk.width * clamp * variants;
        if (masked) {
          code.maskedCopies += variants;
          code.maskedInit += blk.width * outside * variants;
        } else code.interiorCopies += variants;
      }
      if (!masked) code.interiorTiles += 1;
    }
    if (!masked) interiorCopied = true;
  }
  for (const blk of blocks) {
    time.clippedRows += blk.count * clippedRowList.length;
    time.clippedRowTaps += blk.count * blk.width * clippedTaps * s.KW;
    time.rows += blk.count * s.OH;
    time.channelTaps += blk.count * blk.width * Cg * taps;
    time.blocks += blk.count;
    code.blockCopies += 1;
  }
  time.call = 1;
  code.call = 1;
  return { time, code };
}

/** ep__s8_conv_generic: one output at a time. */
function s8Generic(s: S8Shape) {
  const Cg = s.C / s.groups;
  let khTotal = 0;
  for (let oy = 0; oy < s.OH; oy++) {
    const iy0 = oy * s.sh - s.pt;
    const lo = iy0 < 0 ? ceilDiv(-iy0, s.dh) : 0;
    const hi = Math.min(s.KH, ceilDiv(s.H - iy0, s.dh));
    khTotal += Math.max(0, hi - lo);
  }
  let cols = 0;
  for (let ox = 0; ox < s.OW; ox++) {
    const ix0 = ox * s.sw - s.pl;
    const lo = ix0 < 0 ? ceilDiv(-ix0, s.dw) : 0;
    const hi = Math.min(s.KW, ceilDiv(s.W - ix0, s.dw));
    cols += Math.max(0, hi - lo);
  }
  return {
    time: { mac: s.M * Cg * khTotal * cols, kwIter: s.M * Cg * khTotal * s.OW, outputs: s.M * s.OH * s.OW, rows: s.M * s.OH, call: 1 },
    code: { call: 1 },
  };
}

/** Whether ep_conv2d_s8 takes its tiled paths (literal shapes are what the emitter passes). */
export const s8ConvTiled = (s: { KW: number; KH: number; dw: number }) => s.dw === 1 && s.KW <= S8_MAX_KW && s.KH * s.KW <= S8_MAX_TAPS;

export const conv2dS8: KernelModel = {
  kernel: 'ep_conv2d_s8',
  header: 'ep_int8_conv.h',
  extraHeaders: ['ep_int8_asm.h', 'ep_int8_common.h'],
  keys: ['ep_conv2d_s8', 'ep_conv2d_s8:generic'],
  timeTerms: TIME,
  codeTerms: CODE,
  formula:
    'tiles of P pixels (ep__s8_tile_pmax by kernel width on the DSP path, 4 on the portable path), one output channel (DSP) or a channel pair (portable) each, masked border tiles and interior tiles; ' +
    'per (input channel, kernel row inside the input) of each tile the row code as emitted for its constants: mac·(SMLAD/SMLABB or SMLAL) + xword·(input words unpacked into lane pairs) + xpart·(other input fetches) + wload·(weight fetches) + rowIter + clippedRowIter·(rows of clipped-row tiles, in a loop); ' +
    '+ cIter + chunks·(exact 64-bit pair sums, portable) + maskedTiles + interiorTiles + maskedInit·(padding columns of masked tiles) + outputs·(requantization) + clamped·(outputs x clamp sides) + clippedRows + clippedRowTaps·(row starts of clipped rows) + rows + channelTaps·(weight sums) + blocks + call; ' +
    'code = fullRowOps·(KH rows of the interior copy) + maskedRowOps·(KH rows of each masked copy) + rowOps·(one row of each copy: the clipped variant) + pairCopies + tileOutputs + tileClamped + maskedCopies + maskedInit·(padding columns of each masked copy) + interiorCopies + interiorTiles·(interior tile positions) + blockCopies + call. ' +
    'Kernels wider than 8, with more than 64 taps or column dilation take the generic loops (key ep_conv2d_s8:generic: mac, kwIter, outputs, rows, call).',
  analyze(call, ctx) {
    const s = s8Shape(call);
    const Cg = s.C / s.groups;
    const macs = s.M * Cg * s.KH * s.KW * s.OH * s.OW;
    if (!s8ConvTiled(s)) return { key: 'ep_conv2d_s8:generic', ...s8Generic(s), macs };
    return { key: 'ep_conv2d_s8', ...s8Tiled(s, ctx), macs };
  },
};
