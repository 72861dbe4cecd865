// Cost formulas of the convolution kernels (ep_conv.h): register-tiled conv2d, its generic loops, conv-transpose.

import type { CCall } from '../../emit/c/c-step.js';
import { add, cdiv, ceilDiv, clampSides, floatArg, floorDiv, intArg, isNull, type KernelContext, type KernelModel, SOFT_MAC_FUNCTIONS, zeros } from './common.js';

const CONV_MAX_P = 16;
const CONV_MAX_KW = 16;

const convTileChannels = (Mg: number, KW: number) => (KW >= 4 || Mg < 2 ? 1 : KW === 1 && Mg >= 4 ? 4 : 2);

function convTileWidth(MB: number, OW: number): number {
  const pmax = cdiv(CONV_MAX_P, MB);
  const tiles = cdiv(OW + pmax - 1, pmax);
  return cdiv(OW + tiles - 1, tiles);
}

interface ConvShape {
  C: number; H: number; W: number; M: number; KH: number; KW: number; OH: number; OW: number;
  sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; groups: number;
  clamp: number; bias: boolean;
}

function convShape(call: CCall, withClamp: boolean): ConvShape {
  const v = (i: number) => intArg(call, i);
  return {
    C: v(4), H: v(5), W: v(6), M: v(7), KH: v(8), KW: v(9), OH: v(10), OW: v(11), sh: v(12), sw: v(13), dh: v(14), dw: v(15), pt: v(16), pl: v(17), groups: v(18),
    clamp: withClamp ? clampSides(floatArg(call, 19), floatArg(call, 20)) : 0,
    bias: !isNull(call.args[2]),
  };
}

/** Kernel rows [kh_lo, kh_hi) of each output row that fall inside the input. */
function rowSpans(s: { OH: number; H: number; KH: number; sh: number; dh: number; pt: number }): number[] {
  const spans: number[] = [];
  for (let oy = 0; oy < s.OH; oy++) {
    const iy0 = oy * s.sh - s.pt;
    const lo = iy0 < 0 ? ceilDiv(-iy0, s.dh) : 0;
    const hi = Math.min(s.KH, ceilDiv(s.H - iy0, s.dh));
    spans.push(Math.max(0, hi - lo));
  }
  return spans;
}

const CONV_TIME = ['fma', 'xload', 'wload', 'khIter', 'cIter', 'maskedTiles', 'interiorTiles', 'outputs', 'clamped', 'rows', 'blocks', 'call'];
const CONV_CODE = ['bodyOps', 'tileOutputs', 'tileClamped', 'tileCopies', 'rowLoops', 'call'];

/** Widest kernel row and input columns one VLDM loads in the one-channel tile (ep_conv.h EP__CONV_VLDM). */
const VLDM_MAX = 8;

/**
 * One tile position: what one (input channel, kernel row) iteration does, with masked taps dropped. With `vldm` (a core
 * with an FPU), the one-channel tile of a kernel at most 8 wide loads the row's weights with one instruction and the
 * input columns inside the input 8 at a time: xload and wload then count those loads.
 */
function convTile(s: ConvShape, MB: number, P: number, masked: boolean, ox0: number, vldm: boolean) {
  const ix0 = ox0 * s.sw - s.pl;
  const qs = new Set<number>();
  const kws = new Set<number>();
  let taps = 0;
  for (let j = 0; j < P; j++) {
    for (let kw = 0; kw < s.KW; kw++) {
      const q = j * s.sw + kw * s.dw;
      if (masked && (ix0 + q < 0 || ix0 + q >= s.W)) continue;
      taps++;
      qs.add(q);
      kws.add(kw);
    }
  }
  if (vldm && MB === 1 && s.KW <= VLDM_MAX) {
    const Q = (P - 1) * s.sw + (s.KW - 1) * s.dw + 1;
    const qLo = masked && ix0 < 0 ? -ix0 : 0;
    const qHi = masked && s.W - ix0 < Q ? s.W - ix0 : Q;
    return { fma: taps, xload: qHi > qLo ? cdiv(qHi - qLo, VLDM_MAX) : 0, wload: 1 };
  }
  return { fma: taps * MB, xload: qs.size, wload: kws.size * MB };
}

function convTiled(s: ConvShape, ctx: KernelContext): { time: Record<string, number>; code: Record<string, number> } {
  const time = zeros(CONV_TIME);
  const code = zeros(CONV_CODE);
  const Cg = s.C / s.groups;
  const Mg = s.M / s.groups;
  const MB = convTileChannels(Mg, s.KW);
  const full = Math.floor(Mg / MB) * MB;
  const spans = rowSpans(s);
  const khTotal = spans.reduce((a, b) => a + b, 0);
  const rowsWithTaps = spans.filter((n) => n > 0).length;
  const instances = [
    { mb: MB, count: s.groups * (full / MB) },
    { mb: 1, count: s.groups * (Mg - full) },
  ].filter((x) => x.count > 0);
  for (const { mb, count } of instances) {
    const P = convTileWidth(mb, s.OW);
    const tiles = cdiv(s.OW + P - 1, P);
    let bl = Math.min(tiles, ceilDiv(s.pl, P * s.sw));
    if ((s.OW - P) * s.sw < s.pl) bl = tiles;
    const lastInside = floorDiv(s.W - 1 + s.pl - (s.KW - 1) * s.dw, s.sw) - (P - 1);
    let br = lastInside < 0 ? 0 : Math.min(tiles - 1, cdiv(lastInside, P) + 1);
    if (s.OW - P <= lastInside) br = tiles;
    br = Math.max(bl, br);
    code.rowLoops += 1;
    let interiorCopied = false;
    for (let b = 0; b < tiles; b++) {
      const masked = b < bl || b >= br;
      const ox0 = Math.min(b * P, s.OW - P);
      const t = convTile(s, mb, P, masked, ox0, ctx.fpu);
      const iters = Cg * khTotal;
      time.fma += count * iters * t.fma;
      time.xload += count * iters * t.xload;
      time.wload += count * iters * t.wload;
      time.khIter += count * iters;
      time.cIter += count * Cg * rowsWithTaps;
      if (masked) time.maskedTiles += count * s.OH;
      else time.interiorTiles += count * s.OH;
      time.outputs += count * s.OH * mb * P;
      time.clamped += count * s.OH * mb * P * s.clamp;
      // Masked tiles are each their own copy of the tile code; the interior tiles share one loop.
      if (masked || !interiorCopied) {
        code.bodyOps += t.fma + t.xload + t.wload;
        code.tileOutputs += mb * P;
        code.tileClamped += mb * P * s.clamp;
        code.tileCopies += 1;
        if (!masked) interiorCopied = true;
      }
    }
    time.rows += count * s.OH;
    time.blocks += count;
  }
  time.call = 1;
  code.call = 1;
  return { time, code };
}

const CONV_GENERIC_TIME = ['fma', 'khIter', 'outputs', 'clamped', 'rows', 'call'];

/** The generic loops (kernels wider than 16 columns): one output at a time. */
function convGeneric(s: ConvShape): { time: Record<string, number>; code: Record<string, number> } {
  const Cg = s.C / s.groups;
  const spans = rowSpans(s);
  let cols = 0;
  for (let ox = 0; ox < s.OW; ox++) {
    const ix0 = ox * s.sw - s.pl;
    const lo = ix0 < 0 ? ceilDiv(-ix0, s.dw) : 0;
    const hi = Math.min(s.KW, ceilDiv(s.W - ix0, s.dw));
    cols += Math.max(0, hi - lo);
  }
  const khTotal = spans.reduce((a, b) => a + b, 0);
  return {
    time: {
      fma: s.M * Cg * khTotal * cols,
      khIter: s.M * Cg * khTotal * s.OW,
      outputs: s.M * s.OH * s.OW,
      clamped: s.M * s.OH * s.OW * s.clamp,
      rows: s.M * s.OH,
      call: 1,
    },
    code: { call: 1, clamped: s.clamp },
  };
}

export const conv2d: KernelModel = {
  kernel: 'ep_conv2d_f32',
  header: 'ep_conv.h',
  extraHeaders: ['ep_mac.h', 'ep_mac_thumb2.h'],
  sharedCode: SOFT_MAC_FUNCTIONS,
  keys: ['ep_conv2d_f32', 'ep_conv2d_f32:generic'],
  timeTerms: CONV_TIME,
  codeTerms: CONV_CODE,
  formula:
    'register tiles of MB output channels x P pixels (MB, P as ep_conv.h picks them), each output row split into masked border tiles and interior tiles; ' +
    'instructions = fma·(taps inside the input, executed) + xload·(input loads; with an FPU, one per 8 columns of a one-channel tile) + wload·(weight loads; with an FPU, one per row of a one-channel tile) + khIter·(channel x kernel-row iterations) + cIter + maskedTiles + interiorTiles + outputs + clamped·(outputs x clamp sides) + rows + blocks + call; ' +
    'code = bodyOps·(taps + loads of every distinct tile copy: each masked border tile is its own copy, the interior one loop) + tileOutputs + tileClamped + tileCopies + rowLoops + call. ' +
    'Kernels wider than 16 columns take the generic loops (key ep_conv2d_f32:generic: fma, khIter, outputs, clamped, rows, call).',
  analyze(call, ctx) {
    const s = convShape(call, true);
    const Cg = s.C / s.groups;
    const macs = s.M * Cg * s.KH * s.KW * s.OH * s.OW;
    if (s.KW > CONV_MAX_KW) {
      const r = convGeneric(s);
      return { key: 'ep_conv2d_f32:generic', ...r, macs };
    }
    return { key: 'ep_conv2d_f32', ...convTiled(s, ctx), macs };
  },
};

export const convTranspose2d: KernelModel = {
  kernel: 'ep_conv_transpose2d_f32',
  header: 'ep_conv.h',
  extraHeaders: ['ep_mac.h', 'ep_mac_thumb2.h'],
  sharedCode: SOFT_MAC_FUNCTIONS,
  keys: ['ep_conv_transpose2d_f32'],
  timeTerms: ['fma', 'kwIter', 'khIter', 'outputs', 'biased', 'rows', 'call'],
  codeTerms: ['call'],
  formula: 'generic loops: instructions = fma·(taps that land in the output) + kwIter·(kernel columns of valid kernel rows) + khIter·(kernel rows tried) + outputs·(zeroing) + biased·(bias adds) + rows + call',
  analyze(call) {
    const s = convShape(call, false);
    const Cg = s.C / s.groups;
    let khValid = 0;
    for (let oy = 0; oy < s.OH; oy++) {
      for (let kh = 0; kh < s.KH; kh++) {
        const t = oy + s.pt - kh * s.dh;
        if (t >= 0 && t % s.sh === 0 && t / s.sh < s.H) khValid++;
      }
    }
    let colTaps = 0;
    for (let kw = 0; kw < s.KW; kw++) {
      const off = kw * s.dw - s.pl;
      const lo = off < 0 ? ceilDiv(-off, s.sw) : 0;
      const hi = Math.min(s.W, ceilDiv(s.OW - off, s.sw));
      colTaps += Math.max(0, hi - lo);
    }
    const time = {
      fma: s.M * Cg * khValid * colTaps,
      kwIter: s.M * Cg * khValid * s.KW,
      khIter: s.M * s.OH * Cg * s.KH,
      outputs: s.M * s.OH * s.OW,
      biased: s.bias ? s.M * s.OH * s.OW : 0,
      rows: s.M * s.OH,
      call: 1,
    };
    return { key: 'ep_conv_transpose2d_f32', time, code: { call: 1 }, macs: s.M * Cg * s.KH * s.KW * s.H * s.W };
  },
};
