// The cost model's view of each C kernel call: from the call's literal arguments, the counts of the
// kernel's loop bodies as they execute (the instruction formula's terms) and the sizes of the code the
// call site compiles into (the code-size formula's terms). Every analysis mirrors the loop structure of
// its kernel in templates/c/lib/ (tile choice, border/interior split, unrolled bodies), so that each
// term is the number of times a piece of straight-line code runs, or the size of such a piece; a
// target's calibration (targets/calibration/<target>.json) gives each term its weight.

import type { CArg, CCall } from '../emit/c/c-step.js';

/** A kernel call as the cost model sees it. */
export interface KernelUse {
  /** Calibration key: the kernel, or `kernel:variant` where a variant has its own code (op, mode, path). */
  key: string;
  /** Executed work: term → count (instructions = Σ coefficient × count). */
  time: Record<string, number>;
  /** Code of the call site: term → size measure (code bytes = Σ coefficient × measure). */
  code: Record<string, number>;
  /** Nominal multiply-accumulates of the call (information: instructions per MAC). */
  macs: number;
}

export interface KernelModel {
  kernel: string;
  /** The header of templates/c/lib/ that defines it (ep_common.h and ep_math.h count for every kernel). */
  header: string;
  /** Variant keys the analysis can return (each is calibrated separately). */
  keys: string[];
  timeTerms: string[];
  codeTerms: string[];
  /** The formula in words, for the calibration file's header and the docs. */
  formula: string;
  analyze(call: CCall): KernelUse;
}

/** A call the cost model cannot analyze (unknown kernel, arguments it does not expect). */
export class CostModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostModelError';
  }
}

// ---- argument access ----

function intArg(call: CCall, i: number): number {
  const a = call.args[i];
  if (!a || a.kind !== 'int') throw new CostModelError(`${call.kernel}: argument ${i} is ${a ? a.kind : 'missing'}, the cost model expects a literal int (did the kernel's signature change?)`);
  return a.value;
}

function floatArg(call: CCall, i: number): number {
  const a = call.args[i];
  if (!a || a.kind !== 'float') throw new CostModelError(`${call.kernel}: argument ${i} is ${a ? a.kind : 'missing'}, the cost model expects a literal float`);
  return a.value;
}

function intsArg(call: CCall, i: number): number[] {
  const a = call.args[i];
  if (!a || a.kind !== 'ints') throw new CostModelError(`${call.kernel}: argument ${i} is ${a ? a.kind : 'missing'}, the cost model expects an int array`);
  return a.values;
}

function symbolArg(call: CCall, i: number, prefix: string): string {
  const a = call.args[i];
  if (!a || a.kind !== 'symbol' || !a.name.startsWith(prefix)) throw new CostModelError(`${call.kernel}: argument ${i} should be a ${prefix}* constant`);
  return a.name.slice(prefix.length);
}

const isNull = (a: CArg | undefined) => !a || a.kind === 'null';

/** Sides of the fused clamp that do work: 0 (none), 1 (ReLU), 2 (Clip). */
function clampSides(lo: number, hi: number): number {
  return (lo > -Infinity ? 1 : 0) + (hi < Infinity ? 1 : 0);
}

// C integer division helpers, as ep_common.h defines them (truncation toward zero in C).
const cdiv = (a: number, b: number) => Math.trunc(a / b);
const floorDiv = (a: number, b: number) => (a >= 0 ? cdiv(a, b) : -cdiv(-a + b - 1, b));
const ceilDiv = (a: number, b: number) => (a >= 0 ? cdiv(a + b - 1, b) : -cdiv(-a, b));

function add(into: Record<string, number>, from: Record<string, number>, times = 1): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v * times;
}

function zeros(terms: string[]): Record<string, number> {
  return Object.fromEntries(terms.map((t) => [t, 0]));
}

// ---- convolution (ep_conv.h) ----

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

/** One tile position: what one (input channel, kernel row) iteration does, with masked taps dropped. */
function convTile(s: ConvShape, MB: number, P: number, masked: boolean, ox0: number) {
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
  return { fma: taps * MB, xload: qs.size, wload: kws.size * MB };
}

function convTiled(s: ConvShape): { time: Record<string, number>; code: Record<string, number> } {
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
      const t = convTile(s, mb, P, masked, ox0);
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

const conv2d: KernelModel = {
  kernel: 'ep_conv2d_f32',
  header: 'ep_conv.h',
  keys: ['ep_conv2d_f32', 'ep_conv2d_f32:generic'],
  timeTerms: CONV_TIME,
  codeTerms: CONV_CODE,
  formula:
    'register tiles of MB output channels x P pixels (MB, P as ep_conv.h picks them), each output row split into masked border tiles and interior tiles; ' +
    'instructions = fma·(taps inside the input, executed) + xload·(input loads) + wload·(weight loads) + khIter·(channel x kernel-row iterations) + cIter + maskedTiles + interiorTiles + outputs + clamped·(outputs x clamp sides) + rows + blocks + call; ' +
    'code = bodyOps·(taps + loads of every distinct tile copy: each masked border tile is its own copy, the interior one loop) + tileOutputs + tileClamped + tileCopies + rowLoops + call. ' +
    'Kernels wider than 16 columns take the generic loops (key ep_conv2d_f32:generic: fma, khIter, outputs, clamped, rows, call).',
  analyze(call) {
    const s = convShape(call, true);
    const Cg = s.C / s.groups;
    const macs = s.M * Cg * s.KH * s.KW * s.OH * s.OW;
    if (s.KW > CONV_MAX_KW) {
      const r = convGeneric(s);
      return { key: 'ep_conv2d_f32:generic', ...r, macs };
    }
    return { key: 'ep_conv2d_f32', ...convTiled(s), macs };
  },
};

const convTranspose2d: KernelModel = {
  kernel: 'ep_conv_transpose2d_f32',
  header: 'ep_conv.h',
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

// ---- dense and matmul (ep_dense.h) ----

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

const dense: KernelModel = {
  kernel: 'ep_dense_f32',
  header: 'ep_dense.h',
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

const matmul: KernelModel = {
  kernel: 'ep_matmul_f32',
  header: 'ep_dense.h',
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

// ---- pooling (ep_pool.h) ----

const POOL_TIME = ['fullWindows', 'fullTaps', 'partialWindows', 'partialTaps', 'partialKh', 'rows', 'call'];
const POOL_CODE = ['unrolledTaps', 'partialLoops', 'call'];

function pool2d(avg: boolean): KernelModel {
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

function globalPool(kernel: string): KernelModel {
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

// ---- elementwise (ep_elementwise.h) and reductions (ep_reduce.h) ----

/** The unary ops the C lowering emits (EP_UNARY_COPY and _RECIPROCAL exist in the header but no lowering uses them). */
export const UNARY_OPS = ['RELU', 'LEAKY_RELU', 'CLIP', 'SIGMOID', 'HARD_SIGMOID', 'HARD_SWISH', 'TANH', 'EXP', 'LOG', 'SQRT', 'NEG', 'ABS', 'ERF'];
export const BINARY_OPS = ['ADD', 'SUB', 'MUL', 'DIV', 'MAX', 'MIN', 'POW', 'PRELU'];
export const REDUCE_OPS = ['SUM', 'MEAN', 'MAX', 'MIN'];
export const PAD_MODES = ['CONSTANT', 'EDGE', 'REFLECT', 'WRAP'];

const unary: KernelModel = {
  kernel: 'ep_unary_f32',
  header: 'ep_elementwise.h',
  keys: UNARY_OPS.map((op) => `ep_unary_f32:${op}`),
  timeTerms: ['elements', 'call'],
  codeTerms: ['call'],
  formula: 'per op: instructions = elements + call (transcendental ops: the average over typical activations, standard normal)',
  analyze(call) {
    const op = symbolArg(call, 0, 'EP_UNARY_');
    if (!UNARY_OPS.includes(op)) throw new CostModelError(`ep_unary_f32: unknown op EP_UNARY_${op}`);
    return { key: `ep_unary_f32:${op}`, time: { elements: intArg(call, 3), call: 1 }, code: { call: 1 }, macs: 0 };
  },
};

const binary: KernelModel = {
  kernel: 'ep_binary_f32',
  header: 'ep_elementwise.h',
  keys: BINARY_OPS.map((op) => `ep_binary_f32:${op}`),
  timeTerms: ['elements', 'broadcastElements', 'runs', 'odometer', 'call'],
  codeTerms: ['call', 'nested', 'odometer'],
  formula: 'per op, after merging contiguous axes as the kernel does: instructions = elements·(both operands stepping) + broadcastElements·(one operand a scalar in the inner loop) + runs·(inner loops, 2+ axes) + odometer·(index updates, 3+ axes) + call',
  analyze(call) {
    const op = symbolArg(call, 0, 'EP_BINARY_');
    if (!BINARY_OPS.includes(op)) throw new CostModelError(`ep_binary_f32: unknown op EP_BINARY_${op}`);
    const rank = intArg(call, 4);
    const outShape = intsArg(call, 5);
    const as = intsArg(call, 6);
    const bs = intsArg(call, 7);
    const shape: number[] = [];
    const sa: number[] = [];
    const sb: number[] = [];
    for (let i = 0; i < rank; i++) {
      if (outShape[i] === 1) continue;
      const r = shape.length;
      if (r > 0 && sa[r - 1] === as[i] * outShape[i] && sb[r - 1] === bs[i] * outShape[i]) {
        shape[r - 1] *= outShape[i];
        sa[r - 1] = as[i];
        sb[r - 1] = bs[i];
        continue;
      }
      shape.push(outShape[i]);
      sa.push(as[i]);
      sb.push(bs[i]);
    }
    const r = shape.length;
    const elements = shape.reduce((a, b) => a * b, 1);
    const inner = r ? shape[r - 1] : 1;
    const ia = r ? sa[r - 1] : 0;
    const ib = r ? sb[r - 1] : 0;
    const runs = elements / inner;
    const broadcast = (ia === 1 && ib === 0) || (ia === 0 && ib === 1);
    const time = {
      elements: broadcast ? 0 : elements,
      broadcastElements: broadcast ? elements : 0,
      runs: r >= 2 ? runs : 0,
      odometer: r >= 3 ? runs : 0,
      call: 1,
    };
    return { key: `ep_binary_f32:${op}`, time, code: { call: 1, nested: r >= 2 ? 1 : 0, odometer: r >= 3 ? 1 : 0 }, macs: 0 };
  },
};

const channelAffine: KernelModel = {
  kernel: 'ep_channel_affine_f32',
  header: 'ep_elementwise.h',
  keys: ['ep_channel_affine_f32'],
  timeTerms: ['elements', 'channels', 'call'],
  codeTerms: ['call'],
  formula: 'instructions = elements + channels + call',
  analyze(call) {
    const C = intArg(call, 4);
    const plane = intArg(call, 5);
    return { key: 'ep_channel_affine_f32', time: { elements: C * plane, channels: C, call: 1 }, code: { call: 1 }, macs: 0 };
  },
};

const softmax: KernelModel = {
  kernel: 'ep_softmax_f32',
  header: 'ep_reduce.h',
  keys: ['ep_softmax_f32', 'ep_softmax_f32:log'],
  timeTerms: ['elements', 'stridedElements', 'groups', 'call'],
  codeTerms: ['call'],
  formula: 'Softmax and LogSoftmax: instructions = elements·(max, exp, sum and scale per element, axis contiguous) + stridedElements·(inner > 1) + groups·(outer x inner vectors) + call',
  analyze(call) {
    const outer = intArg(call, 2);
    const len = intArg(call, 3);
    const inner = intArg(call, 4);
    const log = intArg(call, 5) !== 0;
    const n = outer * len * inner;
    return { key: log ? 'ep_softmax_f32:log' : 'ep_softmax_f32', time: { elements: inner === 1 ? n : 0, stridedElements: inner === 1 ? 0 : n, groups: outer * inner, call: 1 }, code: { call: 1 }, macs: 0 };
  },
};

const reduce: KernelModel = {
  kernel: 'ep_reduce_f32',
  header: 'ep_reduce.h',
  keys: REDUCE_OPS.map((op) => `ep_reduce_f32:${op}`),
  timeTerms: ['elements', 'stridedElements', 'outputs', 'call'],
  codeTerms: ['call'],
  formula: 'per op: instructions = elements·(reduced axis contiguous) + stridedElements·(inner > 1) + outputs + call',
  analyze(call) {
    const op = symbolArg(call, 0, 'EP_REDUCE_');
    if (!REDUCE_OPS.includes(op)) throw new CostModelError(`ep_reduce_f32: unknown op EP_REDUCE_${op}`);
    const outer = intArg(call, 3);
    const len = intArg(call, 4);
    const inner = intArg(call, 5);
    const n = outer * len * inner;
    return { key: `ep_reduce_f32:${op}`, time: { elements: inner === 1 ? n : 0, stridedElements: inner === 1 ? 0 : n, outputs: outer * inner, call: 1 }, code: { call: 1 }, macs: 0 };
  },
};

// ---- data movement (ep_data.h) ----

const transpose: KernelModel = {
  kernel: 'ep_transpose_f32',
  header: 'ep_data.h',
  keys: ['ep_transpose_f32'],
  timeTerms: ['elements', 'stridedElements', 'runs', 'call'],
  codeTerms: ['call', 'nested'],
  formula: 'after merging axes that stay adjacent: instructions = elements + stridedElements·(inner loop not contiguous) + runs·(inner loops, with the index update) + call',
  analyze(call) {
    const rank = intArg(call, 2);
    const inShape = intsArg(call, 3);
    const perm = intsArg(call, 4);
    const inStride = new Array<number>(rank).fill(0);
    let s = 1;
    for (let i = rank - 1; i >= 0; i--) {
      inStride[i] = s;
      s *= inShape[i];
    }
    const shape: number[] = [];
    const stride: number[] = [];
    for (let i = 0; i < rank; i++) {
      const n = inShape[perm[i]];
      const st = inStride[perm[i]];
      if (n === 1) continue;
      const r = shape.length;
      if (r > 0 && stride[r - 1] === st * n) {
        shape[r - 1] *= n;
        stride[r - 1] = st;
        continue;
      }
      shape.push(n);
      stride.push(st);
    }
    const elements = shape.reduce((a, b) => a * b, 1);
    const inner = shape.length ? shape[shape.length - 1] : 1;
    const sn = stride.length ? stride[stride.length - 1] : 1;
    return {
      key: 'ep_transpose_f32',
      time: { elements, stridedElements: sn === 1 ? 0 : elements, runs: elements / inner, call: 1 },
      code: { call: 1, nested: shape.length >= 2 ? 1 : 0 },
      macs: 0,
    };
  },
};

const pad: KernelModel = {
  kernel: 'ep_pad_f32',
  header: 'ep_data.h',
  keys: PAD_MODES.map((m) => `ep_pad_f32:${m}`),
  timeTerms: ['fillElements', 'copyElements', 'edgeElements', 'rows', 'rowAxes', 'call'],
  codeTerms: ['call', 'rank'],
  formula: 'per mode, row by row of the last axis: instructions = fillElements·(rows wholly padding) + copyElements·(the copied run) + edgeElements·(pad columns, each resolved by ep__pad_source) + rows + rowAxes·(outer axes resolved per row) + call',
  analyze(call) {
    const rank = intArg(call, 2);
    const shape = intsArg(call, 3);
    const begins = intsArg(call, 4);
    const ends = intsArg(call, 5);
    const mode = symbolArg(call, 6, 'EP_PAD_');
    if (!PAD_MODES.includes(mode)) throw new CostModelError(`ep_pad_f32: unknown mode EP_PAD_${mode}`);
    const outShape = shape.map((d, i) => d + begins[i] + ends[i]);
    const total = outShape.reduce((a, b) => a * b, 1);
    const time = { fillElements: 0, copyElements: 0, edgeElements: 0, rows: 0, rowAxes: 0, call: 1 };
    if (rank > 0 && total > 0) {
      const last = rank - 1;
      const n = outShape[last];
      const b = begins[last];
      const e = ends[last];
      const lo = Math.max(b, 0);
      const hi = lo + shape[last] - Math.max(-b, 0) - Math.max(-e, 0);
      const rows = total / n;
      // Rows whose outer coordinates fall in constant padding are filled whole (constant mode only).
      let inside = 1;
      for (let d = 0; d < last; d++) {
        const kept = shape[d] - Math.max(-begins[d], 0) - Math.max(-ends[d], 0);
        inside *= mode === 'CONSTANT' ? kept : outShape[d];
      }
      const fillRows = rows - inside;
      time.rows = rows;
      time.rowAxes = rows * last;
      time.fillElements = fillRows * n;
      time.copyElements = inside * Math.max(0, hi - lo);
      time.edgeElements = inside * (n - Math.max(0, hi - lo));
    }
    return { key: `ep_pad_f32:${mode}`, time, code: { call: 1, rank }, macs: 0 };
  },
};

const copyBlocks: KernelModel = {
  kernel: 'ep_copy_blocks_f32',
  header: 'ep_data.h',
  keys: ['ep_copy_blocks_f32'],
  timeTerms: ['elements', 'blocks', 'call'],
  codeTerms: ['call'],
  formula: 'instructions = elements + blocks + call',
  analyze(call) {
    const block = intArg(call, 4);
    const count = intArg(call, 5);
    return { key: 'ep_copy_blocks_f32', time: { elements: block * count, blocks: count, call: 1 }, code: { call: 1 }, macs: 0 };
  },
};

// ---- weight-sparse kernels (ep_sparse.h) ----

/** The data of a constant array argument (the packed weights of a sparse layer). */
function weightData(call: CCall, i: number): ArrayLike<number> | null {
  const a = call.args[i];
  if (!a || a.kind === 'null') return null;
  if (a.kind !== 'weight') throw new CostModelError(`${call.kernel}: argument ${i} is ${a.kind}, the cost model expects a constant array`);
  return a.weight.tensor.data as ArrayLike<number>;
}

const SPARSE_DENSE_TIME = ['nonZeros', 'blocks', 'activeOutputs', 'outputs', 'clamped', 'rows', 'call'];

const sparseDense: KernelModel = {
  kernel: 'ep_sparse_dense_f32',
  header: 'ep_sparse.h',
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

const sparseConv: KernelModel = {
  kernel: 'ep_sparse_conv2d_f32',
  header: 'ep_sparse.h',
  keys: ['ep_sparse_conv2d_f32'],
  timeTerms: SPARSE_CONV_TIME,
  codeTerms: ['tilePixels', 'tileCopies', 'clamped', 'call'],
  formula:
    'per output channel, tiles of up to 16 pixels (interior rows, border rows with a mask of valid kernel rows, border columns down the column, corners one by one), each non-zero of the channel a tap: ' +
    'instructions = pixelTaps·(load + FMA per pixel of a valid tap) + taps·(valid taps per tile) + maskChecks·(taps tested in masked tiles) + tiles + tilePixels + clamped + rows + maskIters + cornerPixels + borderColumns + channels + call; ' +
    'code = tilePixels·(pixels of each tile copy) + tileCopies + clamped + call',
  analyze(call) {
    const cnt = weightData(call, 1);
    const tap = weightData(call, 3);
    if (!cnt) throw new CostModelError('ep_sparse_conv2d_f32: the count array is missing');
    const v = (i: number) => intArg(call, i);
    const [C, H, W, M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups] = [v(7), v(8), v(9), v(10), v(11), v(12), v(13), v(14), v(15), v(16), v(17), v(18), v(19), v(20), v(21)];
    const clamp = clampSides(floatArg(call, 22), floatArg(call, 23));
    const oyLo = Math.min(OH, ceilDiv(pt, sh));
    const oyHi = Math.max(oyLo, Math.min(OH, floorDiv(H - 1 + pt - (KH - 1) * dh, sh) + 1));
    const oxLo = Math.min(OW, ceilDiv(pl, sw));
    const oxHi = Math.max(oxLo, Math.min(OW, floorDiv(W - 1 + pl - (KW - 1) * dw, sw) + 1));
    const iw = oxHi - oxLo;
    const ih = oyHi - oyLo;
    const PW = sparseTileWidth(iw);
    const PH = sparseTileWidth(ih);
    const wtiles = iw > 0 ? cdiv(iw + PW - 1, PW) : 0;
    const htiles = ih > 0 ? cdiv(ih + PH - 1, PH) : 0;
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
        S[(Math.floor(t / KW) + 1) * (KW + 1) + (t % KW) + 1] += 1;
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

/**
 * Multiply-accumulate kernels whose products cost less when one factor is zero. With an FPU an fmaf takes the same
 * time whatever the operands; in soft float (Cortex-M3) newlib's fmaf returns early on a zero product, about a third
 * cheaper. Their executed-MAC term is split into the share with a non-zero product (the term itself) and
 * `zeroProducts`, from the zero fraction of the input value (`input`, from data: see activation-zeros.ts) and of the
 * other factor (`other`: a weight array's own zeros, or a run-time value's fraction).
 */
interface ZeroAware {
  term: string;
  input: number;
  other?: number;
}

const ZERO_AWARE: Record<string, ZeroAware> = {
  ep_conv2d_f32: { term: 'fma', input: 0, other: 1 },
  ep_conv_transpose2d_f32: { term: 'fma', input: 0, other: 1 },
  ep_dense_f32: { term: 'fma', input: 0, other: 1 },
  ep_matmul_f32: { term: 'fma', input: 0, other: 1 },
  ep_sparse_dense_f32: { term: 'nonZeros', input: 0 },
  ep_sparse_conv2d_f32: { term: 'pixelTaps', input: 0 },
};

export const ZERO_PRODUCTS = 'zeroProducts';

const withZeroProducts = (k: KernelModel): KernelModel => (ZERO_AWARE[k.kernel] ? { ...k, timeTerms: [...k.timeTerms, ZERO_PRODUCTS] } : k);

/** Every kernel the cost model knows, by C name. */
export const KERNEL_MODELS: ReadonlyMap<string, KernelModel> = new Map(
  [conv2d, convTranspose2d, dense, matmul, pool2d(false), pool2d(true), globalPool('ep_global_avgpool_f32'), globalPool('ep_global_maxpool_f32'), unary, binary, channelAffine, softmax, reduce, transpose, pad, copyBlocks, sparseDense, sparseConv]
    .map(withZeroProducts)
    .map((k) => [k.kernel, k]),
);

/** Headers every kernel depends on. */
export const COMMON_HEADERS = ['ep_common.h', 'ep_math.h'];

/** The kernel model a calibration key belongs to. */
export function modelOfKey(key: string): KernelModel | undefined {
  return KERNEL_MODELS.get(key.split(':')[0]);
}

/** Fraction of zero elements of a run-time value (by name), when known from data; undefined: none assumed. */
export type ZeroFractions = (value: string) => number | undefined;

/** Zero fraction of each weight array (the search predicts the same arrays many times). */
const weightZeros = new WeakMap<object, number>();

function zeroFractionOf(a: CArg | undefined, zeroFraction: ZeroFractions): number {
  if (!a) return 0;
  if (a.kind === 'value') return zeroFraction(a.name) ?? 0;
  if (a.kind === 'weight') {
    const t = a.weight.tensor;
    let f = weightZeros.get(t);
    if (f === undefined) {
      const data = t.data as ArrayLike<number>;
      let z = 0;
      for (let i = 0; i < data.length; i++) if (data[i] === 0) z++;
      f = data.length ? z / data.length : 0;
      weightZeros.set(t, f);
    }
    return f;
  }
  return 0;
}

/**
 * The cost model's analysis of one call; throws CostModelError for a kernel it does not know. `zeroFraction` gives
 * the share of zeros of run-time values (from data), which decides how many products are zero (see ZERO_AWARE).
 */
export function analyzeCall(call: CCall, zeroFraction: ZeroFractions = () => undefined): KernelUse {
  const model = KERNEL_MODELS.get(call.kernel);
  if (!model) {
    throw new CostModelError(`the cost model has no formula for kernel '${call.kernel}' (known: ${[...KERNEL_MODELS.keys()].join(', ')}); add it to src/cost/kernels.ts and recalibrate, or predict with { unknownKernels: 'fallback' }`);
  }
  const use = model.analyze(call);
  const z = ZERO_AWARE[call.kernel];
  if (z) {
    const px = zeroFractionOf(call.args[z.input], zeroFraction);
    const pw = z.other === undefined ? 0 : zeroFractionOf(call.args[z.other], zeroFraction);
    const zeroShare = 1 - (1 - px) * (1 - pw);
    const executed = use.time[z.term] ?? 0;
    use.time = { ...use.time, [z.term]: executed * (1 - zeroShare), [ZERO_PRODUCTS]: executed * zeroShare };
  }
  return use;
}

export { add as addTerms };
