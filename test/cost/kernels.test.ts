// The per-kernel analyses of the cost model: counts that follow the kernels' loops (checked against
// brute-force counts), and clear errors for calls the model does not know.
import { describe, expect, it } from 'vitest';
import { float, int, ints, symbol, value, weight, type CCall } from '../../src/emit/c/c-step.js';
import { analyzeCall, CostModelError, KERNEL_MODELS, type KernelUse } from '../../src/cost/kernels.js';
import { lowerForCost } from '../../src/cost/lowered.js';
import { packSparseDense } from '../../src/emit/c/sparse-choice.js';
import { Tensor } from '../../src/ir/tensor.js';
import { benchModels } from '../../bench/cost-models.js';

/** Multiply-accumulates executed: the non-zero products (fma) and the zero ones (zeroProducts). */
const executedMacs = (u: KernelUse) => u.time.fma + (u.time.zeroProducts ?? 0);

interface Conv { C: number; H: number; W: number; M: number; KH: number; KW: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; pb: number; pr: number; groups: number }

const out = (I: number, K: number, s: number, d: number, p0: number, p1: number) => Math.floor((I + p0 + p1 - (K - 1) * d - 1) / s) + 1;

function convCall(c: Conv, relu = true): CCall {
  const OH = out(c.H, c.KH, c.sh, c.dh, c.pt, c.pb);
  const OW = out(c.W, c.KW, c.sw, c.dw, c.pl, c.pr);
  const w = new Tensor('float32', [c.M, c.C / c.groups, c.KH, c.KW]);
  return {
    kernel: 'ep_conv2d_f32',
    args: [value('x'), weight('w', w), weight('b', new Tensor('float32', [c.M])), value('y'), ...[c.C, c.H, c.W, c.M, c.KH, c.KW, OH, OW, c.sh, c.sw, c.dh, c.dw, c.pt, c.pl, c.groups].map(int),
      float(relu ? 0 : -Infinity), float(Infinity)],
  };
}

/** Taps inside the input of every output the tiled kernel computes (each output once; overlapping tiles recompute some). */
function validTaps(c: Conv): number {
  const OH = out(c.H, c.KH, c.sh, c.dh, c.pt, c.pb);
  const OW = out(c.W, c.KW, c.sw, c.dw, c.pl, c.pr);
  let taps = 0;
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let kh = 0; kh < c.KH; kh++) for (let kw = 0; kw < c.KW; kw++) {
    const iy = oy * c.sh - c.pt + kh * c.dh;
    const ix = ox * c.sw - c.pl + kw * c.dw;
    if (iy >= 0 && iy < c.H && ix >= 0 && ix < c.W) taps++;
  }
  return taps * c.M * (c.C / c.groups);
}

const base = { sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0, pb: 0, pr: 0, groups: 1 };
const CONVS: [string, Conv][] = [
  ['5x5 pad 2, 1→8, 28x28', { ...base, C: 1, H: 28, W: 28, M: 8, KH: 5, KW: 5, pt: 2, pl: 2, pb: 2, pr: 2 }],
  ['5x5 pad 2, 8→16, 14x14', { ...base, C: 8, H: 14, W: 14, M: 16, KH: 5, KW: 5, pt: 2, pl: 2, pb: 2, pr: 2 }],
  ['3x3 pad 1, 8→16, 8x8', { ...base, C: 8, H: 8, W: 8, M: 16, KH: 3, KW: 3, pt: 1, pl: 1, pb: 1, pr: 1 }],
  ['3x3 no pad, 4→8, 16x16', { ...base, C: 4, H: 16, W: 16, M: 8, KH: 3, KW: 3 }],
  ['1x1, 16→32', { ...base, C: 16, H: 8, W: 8, M: 32, KH: 1, KW: 1 }],
  ['3x3 stride 2 pad 1, 3→8, 32x32', { ...base, C: 3, H: 32, W: 32, M: 8, KH: 3, KW: 3, sh: 2, sw: 2, pt: 1, pl: 1, pb: 1, pr: 1 }],
  ['3x3 dilation 2 pad 2', { ...base, C: 4, H: 12, W: 12, M: 4, KH: 3, KW: 3, dh: 2, dw: 2, pt: 2, pl: 2, pb: 2, pr: 2 }],
  ['depthwise 3x3', { ...base, C: 8, H: 16, W: 16, M: 8, KH: 3, KW: 3, pt: 1, pl: 1, pb: 1, pr: 1, groups: 8 }],
  ['odd channels 5→11 (remainder block)', { ...base, C: 5, H: 8, W: 8, M: 11, KH: 3, KW: 3, pt: 1, pl: 1, pb: 1, pr: 1 }],
  ['asymmetric pads', { ...base, C: 2, H: 12, W: 12, M: 4, KH: 4, KW: 4, pt: 1, pl: 2, pb: 1, pr: 2 }],
];

describe('conv analysis', () => {
  it.each(CONVS)('%s: FMAs are the taps inside the input of every computed output', (_, c) => {
    const use = analyzeCall(convCall(c));
    expect(use.key).toBe('ep_conv2d_f32');
    // Tiles never skip a valid tap; an overlapping last tile recomputes up to a tile of outputs.
    const exact = validTaps(c);
    expect(executedMacs(use)).toBeGreaterThanOrEqual(exact);
    const OW = out(c.W, c.KW, c.sw, c.dw, c.pl, c.pr);
    expect(executedMacs(use)).toBeLessThanOrEqual(exact * (1 + 16 / OW));
    expect(use.time.outputs).toBeGreaterThanOrEqual(c.M * out(c.H, c.KH, c.sh, c.dh, c.pt, c.pb) * OW);
    expect(use.time.clamped).toBe(use.time.outputs);
    expect(use.code.tileCopies).toBeGreaterThanOrEqual(1);
    expect(use.macs).toBe(c.M * (c.C / c.groups) * c.KH * c.KW * out(c.H, c.KH, c.sh, c.dh, c.pt, c.pb) * OW);
  });

  it('counts exactly when the row has no overlap (28 = 2 tiles of 14)', () => {
    const c = CONVS[0][1];
    expect(executedMacs(analyzeCall(convCall(c)))).toBe(validTaps(c));
    expect(analyzeCall(convCall(c, false)).time.clamped).toBe(0);
  });

  it('takes the generic path for kernels wider than 16 columns', () => {
    const use = analyzeCall(convCall({ ...base, C: 1, H: 1, W: 64, M: 3, KH: 1, KW: 20 }));
    expect(use.key).toBe('ep_conv2d_f32:generic');
    expect(executedMacs(use)).toBe(validTaps({ ...base, C: 1, H: 1, W: 64, M: 3, KH: 1, KW: 20 }));
  });
});

describe('other kernels', () => {
  it('dense: one row runs K·N FMAs in register blocks, row pairs in tiles', () => {
    const w = Tensor.fromNumbers('float32', [10, 256], Array.from({ length: 2560 }, (_, i) => 1 + (i % 3)));
    const one = analyzeCall({ kernel: 'ep_dense_f32', args: [value('x'), weight('w', w), weight('b', new Tensor('float32', [10])), value('y'), int(1), int(256), int(10), float(-Infinity), float(Infinity)] });
    expect(one.time).toMatchObject({ fma: 2560, wload: 2560, xload: 256, passes: 16, passIter: 160, init: 10, clamped: 0, tiles: 0, call: 1 });
    const pairs = analyzeCall({ kernel: 'ep_dense_f32', args: [value('x'), weight('w', w), weight('b', new Tensor('float32', [10])), value('y'), int(3), int(256), int(10), float(0), float(Infinity)] });
    expect(executedMacs(pairs)).toBe(3 * 2560);
    expect(pairs.time.tiles).toBe(2); // N = 10 → NB = 5: two tiles for the row pair
    expect(pairs.macs).toBe(3 * 2560);
  });

  it('splits the executed MACs into non-zero and zero products by the zero fractions of input and weights', () => {
    // Half the weights zero, and the input value known to be 40% zeros: 1 - 0.6 * 0.5 = 70% zero products.
    const w = Tensor.fromNumbers('float32', [10, 256], Array.from({ length: 2560 }, (_, i) => (i % 2 ? 0 : 0.5)));
    const call: CCall = { kernel: 'ep_dense_f32', args: [value('x'), weight('w', w), weight('b', new Tensor('float32', [10])), value('y'), int(1), int(256), int(10), float(-Infinity), float(Infinity)] };
    const known = analyzeCall(call, (name) => (name === 'x' ? 0.4 : undefined));
    expect(known.time.zeroProducts).toBeCloseTo(0.7 * 2560, 9);
    expect(known.time.fma).toBeCloseTo(0.3 * 2560, 9);
    // Without data on x only the weights' zeros count.
    expect(analyzeCall(call).time.zeroProducts).toBeCloseTo(0.5 * 2560, 9);
    // The sparse kernels store non-zero weights only: their zero products come from the input.
    const packed = packSparseDense(w.data as Float32Array, 10, 256);
    const sparse = analyzeCall({ kernel: 'ep_sparse_dense_f32', args: [value('x'), weight('h', packed.hdr), weight('o', packed.off), weight('v', packed.val), weight('b', new Tensor('float32', [10])), value('y'), int(1), int(256), int(10), float(-Infinity), float(Infinity)] }, () => 0.25);
    expect(sparse.time.nonZeros + sparse.time.zeroProducts).toBe(1280);
    expect(sparse.time.zeroProducts).toBe(sparse.time.nonZeros / 3);
  });

  it('binary: merges contiguous axes as the kernel does, and tells broadcast inner loops apart', () => {
    const call = (shape: number[], sa: number[], sb: number[]): CCall => ({
      kernel: 'ep_binary_f32',
      args: [symbol('EP_BINARY_ADD'), value('a'), value('b'), value('y'), int(shape.length), ints(shape), ints(sa), ints(sb)],
    });
    expect(analyzeCall(call([2, 3, 4], [12, 4, 1], [12, 4, 1])).time).toMatchObject({ elements: 24, broadcastElements: 0, runs: 0, odometer: 0 });
    expect(analyzeCall(call([2, 3, 4], [12, 4, 1], [0, 0, 0])).time).toMatchObject({ elements: 0, broadcastElements: 24, runs: 0 });
    expect(analyzeCall(call([8, 64], [64, 1], [1, 0])).time).toMatchObject({ broadcastElements: 512, runs: 8, odometer: 0 });
    expect(analyzeCall(call([2, 4, 8, 8], [256, 64, 8, 1], [0, 8, 0, 1])).time).toMatchObject({ elements: 512, runs: 64, odometer: 64 });
  });

  it('every kernel model lists its keys and terms', () => {
    for (const k of KERNEL_MODELS.values()) {
      expect(k.keys.length).toBeGreaterThan(0);
      expect(k.timeTerms).toContain('call');
      expect(k.header).toMatch(/^ep_\w+\.h$/);
    }
  });

  it('analyzes every call of the bench models', () => {
    for (const [name, g] of Object.entries(benchModels())) {
      const calls = lowerForCost(g).steps.flatMap((s) => s.calls);
      expect(calls.length, name).toBeGreaterThan(0);
      for (const c of calls) expect(() => analyzeCall(c), `${name}: ${c.kernel}`).not.toThrow();
    }
  });
});

describe('calls the model does not know', () => {
  it('an unknown kernel is a CostModelError that names it', () => {
    expect(() => analyzeCall({ kernel: 'ep_fancy_f32', args: [] })).toThrow(CostModelError);
    expect(() => analyzeCall({ kernel: 'ep_fancy_f32', args: [] })).toThrow(/no formula for kernel 'ep_fancy_f32'/);
  });

  it('arguments of the wrong kind are a CostModelError (a changed kernel signature)', () => {
    expect(() => analyzeCall({ kernel: 'ep_dense_f32', args: [value('x'), value('w'), value('b'), value('y'), value('rows')] })).toThrow(/argument 4 is value/);
    expect(() => analyzeCall({ kernel: 'ep_unary_f32', args: [symbol('EP_UNARY_FANCY'), value('x'), value('y'), int(4), float(0), float(0)] })).toThrow(/unknown op/);
  });
});
