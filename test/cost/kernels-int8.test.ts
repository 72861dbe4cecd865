// The cost model's int8 analyses: the counts follow the kernels' paths (DSP lane pairs on Cortex-M4/M7, channel pairs
// on the Cortex-M3), the generic conv loops, the dense kernel's quads; the path comes from the calibration's core;
// byte-sized weights; a kernel without calibration is refused by name.
import { describe, expect, it } from 'vitest';
import { calibrationContext, loadCalibration } from '../../src/cost/calibration.js';
import { analyzeCall, CostModelError, kernelContextOfCore } from '../../src/cost/kernels.js';
import { predictCost } from '../../src/cost/predict.js';
import { int, ints, NULL_ARG, value, weight, type CCall } from '../../src/emit/c/c-step.js';
import { packSparseConvS8, packSparseDenseS8 } from '../../src/emit/c/sparse-choice-s8.js';
import { Tensor } from '../../src/ir/tensor.js';
import { int8MnistLikeCnn } from '../../src/models/int8-sample-models.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

const DSP = kernelContextOfCore('cortex-m4');
const M3 = kernelContextOfCore('cortex-m3');

interface Conv { C: number; H: number; W: number; M: number; KH: number; KW: number; s: number; d: [number, number]; p: number; groups: number }

const outSize = (I: number, K: number, s: number, d: number, p: number) => Math.floor((I + 2 * p - (K - 1) * d - 1) / s) + 1;

function convCall(c: Conv): CCall {
  const OH = outSize(c.H, c.KH, c.s, c.d[0], c.p);
  const OW = outSize(c.W, c.KW, c.s, c.d[1], c.p);
  const w = new Tensor('int8', [c.M, c.C / c.groups, c.KH, c.KW]);
  return {
    kernel: 'ep_conv2d_s8',
    args: [value('x'), weight('w', w), weight('b', new Tensor('int32', [c.M])), weight('m', new Tensor('int32', [c.M])), weight('s', new Tensor('int8', [c.M])), value('y'),
      ...[c.C, c.H, c.W, c.M, c.KH, c.KW, OH, OW, c.s, c.s, c.d[0], c.d[1], c.p, c.p, c.groups, -128, -128, -128, 127].map(int)],
  };
}

/** Multiply-accumulates of every output (taps inside the input). */
function validTaps(c: Conv): number {
  const OH = outSize(c.H, c.KH, c.s, c.d[0], c.p);
  const OW = outSize(c.W, c.KW, c.s, c.d[1], c.p);
  let taps = 0;
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let kh = 0; kh < c.KH; kh++) for (let kw = 0; kw < c.KW; kw++) {
    const iy = oy * c.s - c.p + kh * c.d[0];
    const ix = ox * c.s - c.p + kw * c.d[1];
    if (iy >= 0 && iy < c.H && ix >= 0 && ix < c.W) taps++;
  }
  return taps * c.M * (c.C / c.groups);
}

const conv = (o: Partial<Conv>): Conv => ({ C: 8, H: 8, W: 8, M: 16, KH: 3, KW: 3, s: 1, d: [1, 1], p: 1, groups: 1, ...o });

describe('ep_conv2d_s8', () => {
  // Output widths that tiles of 4 (portable) cover without overlap.
  it.each([
    ['3x3 pad 1, 8→16, 8x8', conv({})],
    ['5x5 pad 2, 1→8, 28x28', conv({ C: 1, H: 28, W: 28, M: 8, KH: 5, KW: 5, p: 2 })],
    ['1x1, 16→32', conv({ C: 16, M: 32, KH: 1, KW: 1, p: 0 })],
    ['depthwise 3x3', conv({ C: 8, M: 8, groups: 8 })],
    ['odd channels 3→5', conv({ C: 3, M: 5 })],
  ])('portable path (Cortex-M3): one SMLAL per tap of a channel pair or single channel: %s', (_name, c) => {
    const use = analyzeCall(convCall(c), undefined, M3);
    expect(use.key).toBe('ep_conv2d_s8');
    const Mg = c.M / c.groups;
    const pairs = c.groups * Math.floor(Mg / 2);
    const singles = c.groups * (Mg % 2);
    // Each SMLAL of a pair does the taps of two channels.
    expect(use.time.mac).toBe((validTaps(c) / c.M) * (pairs + singles));
    expect(use.time.xword).toBe(0);
    expect(use.macs).toBe(c.M * (c.C / c.groups) * c.KH * c.KW * outSize(c.H, c.KH, c.s, c.d[0], c.p) * outSize(c.W, c.KW, c.s, c.d[1], c.p));
  });

  it('DSP path (Cortex-M4/M7): SMLAD takes two taps, so the multiply instructions lie between half and all the taps', () => {
    for (const c of [conv({}), conv({ C: 1, H: 28, W: 28, M: 8, KH: 5, KW: 5, p: 2 }), conv({ KH: 7, KW: 7, p: 3, W: 14, H: 14, C: 3, M: 4 })]) {
      const use = analyzeCall(convCall(c), undefined, DSP);
      expect(use.key).toBe('ep_conv2d_s8');
      expect(use.time.mac).toBeGreaterThanOrEqual(validTaps(c) / 2);
      expect(use.time.mac).toBeLessThanOrEqual(validTaps(c));
      expect(use.time.xword).toBeGreaterThan(0);
    }
    // A 1x1 kernel has no pairs: one SMLABB per tap.
    const pointwise = conv({ KH: 1, KW: 1, p: 0 });
    expect(analyzeCall(convCall(pointwise), undefined, DSP).time.mac).toBe(validTaps(pointwise));
  });

  it('the two paths count differently for the same call', () => {
    const call = convCall(conv({}));
    expect(analyzeCall(call, undefined, DSP).time).not.toEqual(analyzeCall(call, undefined, M3).time);
  });

  it('wide kernels and column dilation take the generic loops: one multiply-accumulate per tap', () => {
    for (const c of [conv({ KW: 9, KH: 1, H: 1, W: 48, p: 4 }), conv({ d: [2, 2], p: 2 })]) {
      for (const ctx of [DSP, M3]) {
        const use = analyzeCall(convCall(c), undefined, ctx);
        expect(use.key).toBe('ep_conv2d_s8:generic');
        expect(use.time.mac).toBe(validTaps(c));
      }
    }
  });
});

describe('ep_dense_s8', () => {
  const call = (rows: number, K: number, N: number): CCall => ({
    kernel: 'ep_dense_s8',
    args: [value('x'), weight('w', new Tensor('int8', [N, K])), NULL_ARG, weight('m', new Tensor('int32', [N])), weight('s', new Tensor('int8', [N])), value('y'), ...[rows, K, N, 0, 0, -128, 127].map(int)],
  });

  it.each([[1, 256, 10], [2, 29, 13], [1, 3, 6], [3, 64, 7]])('rows %i, K %i, N %i: every product counted once on both paths', (rows, K, N) => {
    const dsp = analyzeCall(call(rows, K, N), undefined, DSP).time;
    expect(4 * dsp.quadMac + dsp.kMac).toBe(rows * K * N);
    expect(dsp.quadIter).toBe(dsp.tiles * Math.floor(K / 4));
    const m3 = analyzeCall(call(rows, K, N), undefined, M3).time;
    expect(m3.quadMac).toBe(0);
    expect(m3.kMac).toBe(rows * K * N);
    expect(m3.outputs).toBe(rows * N);
  });

  it('ep_dense_s8_pt (per-tensor weights): the same counts under its own key, and one multiplier and shift stored', () => {
    const pc = call(2, 29, 13);
    const pt: CCall = { kernel: 'ep_dense_s8_pt', args: pc.args.map((a, i) => (i === 3 ? weight('m', new Tensor('int32', [1])) : i === 4 ? weight('s', new Tensor('int8', [1])) : a)) };
    for (const ctx of [DSP, M3]) {
      const [a, b] = [analyzeCall(pc, undefined, ctx), analyzeCall(pt, undefined, ctx)];
      expect([a.key, b.key]).toEqual(['ep_dense_s8', 'ep_dense_s8:pt']);
      expect(b.time).toEqual(a.time);
      expect(b.code).toEqual(a.code);
    }
  });
});

describe('the ldw variants (a nested level reading level 0\'s int8 rows through a row stride)', () => {
  it('are priced as their kernel without the row stride, on both paths', () => {
    const conv = convCall({ C: 5, H: 8, W: 8, M: 11, KH: 3, KW: 3, s: 1, d: [1, 1], p: 1, groups: 1 });
    const convLdw: CCall = { kernel: 'ep_conv2d_ldw_s8', args: [...conv.args.slice(0, 21), int(72), ...conv.args.slice(21)] };
    const dense: CCall = { kernel: 'ep_dense_s8', args: [value('x'), weight('w', new Tensor('int8', [22, 176])), NULL_ARG, weight('m', new Tensor('int32', [22])), weight('s', new Tensor('int8', [22])), value('y'), ...[1, 176, 22, 0, 0, -128, 127].map(int)] };
    const denseLdw: CCall = { kernel: 'ep_dense_ldw_s8', args: [...dense.args.slice(0, 9), int(256), ...dense.args.slice(9)] };
    const densePt: CCall = { kernel: 'ep_dense_s8_pt', args: dense.args.map((a, i) => (i === 3 ? weight('m', new Tensor('int32', [1])) : i === 4 ? weight('s', new Tensor('int8', [1])) : a)) };
    const densePtLdw: CCall = { kernel: 'ep_dense_ldw_s8_pt', args: [...densePt.args.slice(0, 9), int(256), ...densePt.args.slice(9)] };
    for (const ctx of [DSP, M3]) {
      for (const [plain, strided] of [[conv, convLdw], [dense, denseLdw], [densePt, densePtLdw]]) {
        const [a, b] = [analyzeCall(plain, undefined, ctx), analyzeCall(strided, undefined, ctx)];
        expect(b.key).toBe(a.key);
        expect(b.time).toEqual(a.time);
      }
    }
  });
});

describe('the path of a prediction', () => {
  it("comes from the calibration's core", () => {
    expect(calibrationContext(loadCalibration('mps2-an386')).dsp).toBe(true);
    expect(calibrationContext(loadCalibration('stm32h743')).dsp).toBe(true);
    expect(calibrationContext(loadCalibration('lm3s6965')).dsp).toBe(false);
  });
});

describe('predictCost on an int8 model', () => {
  const g = int8MnistLikeCnn();

  it('prices every int8 kernel, with weights stored in their C types', () => {
    for (const name of ['mps2-an386', 'lm3s6965']) {
      const p = predictCost(g, findMcuTarget(name));
      expect(p.layers.map((l) => l.kernel)).toEqual(['ep_quantize_f32_s8', 'ep_conv2d_s8', 'ep_maxpool2d_s8', 'ep_conv2d_s8', 'ep_maxpool2d_s8', 'view', 'ep_dense_s8', 'ep_dequantize_s8_f32']);
      // conv1: 8x1x5x5 int8 weights, int32 bias and multipliers, int8 shifts, each array starting 8-byte aligned.
      expect(p.layers[1].weightBytes).toBe(200 + 32 + 32 + 8);
      expect(p.layers[3].weightBytes).toBe(3200 + 64 + 64 + 16);
      expect(p.weightBytes).toBe(200 + 32 + 32 + 8 + (3200 + 64 + 64 + 16) + (2560 + 40 + 40 + 10));
      expect(p.instructions).toBeGreaterThan(p.macs * 0.5);
      expect(p.warnings).toEqual([]);
    }
  });

  it('refuses a kernel without calibration by name', () => {
    const target = findMcuTarget('mps2-an386');
    const cal = loadCalibration(target);
    const { ep_maxpool2d_s8: _dropped, ...kernels } = cal.kernels;
    expect(() => predictCost(g, target, { calibration: { ...cal, kernels } })).toThrow(CostModelError);
    expect(() => predictCost(g, target, { calibration: { ...cal, kernels } })).toThrow(/ep_maxpool2d_s8/);
    const fallback = predictCost(g, target, { calibration: { ...cal, kernels }, unknownKernels: 'fallback' });
    expect(fallback.layers.filter((l) => l.fallback).map((l) => l.kernel)).toEqual(['ep_maxpool2d_s8', 'ep_maxpool2d_s8']);
  });
});

describe('the weight-sparse int8 kernels', () => {
  it('ep_sparse_dense_s8: the non-zeros of every segment, four at a time and the rest', () => {
    const K = 300;
    const N = 5;
    const w = new Int8Array(N * K).map((_, i) => (i % 3 === 0 ? 0 : (i % 7) - 3));
    const packed = packSparseDenseS8(w, N, K);
    const call: CCall = {
      kernel: 'ep_sparse_dense_s8',
      args: [value('x'), weight('c', packed.cnt), weight('i', packed.idx), weight('v', packed.val), weight('a', new Tensor('int32', [N])), weight('m', new Tensor('int32', [N])), weight('s', new Tensor('int8', [N])), value('y'), ...[2, K, N, 0, -128, 127].map(int)],
    };
    const t = analyzeCall(call, undefined, DSP).time;
    expect(4 * t.quads + t.singles).toBe(2 * packed.nonZeros);
    expect(t.segments).toBe(2 * N * 3);
    expect(t.outputs).toBe(2 * N);
    // Per-tensor weights: the same counts, calibrated under ep_sparse_dense_s8:pt.
    const pt = analyzeCall({ ...call, kernel: 'ep_sparse_dense_s8_pt' }, undefined, DSP);
    expect(pt.key).toBe('ep_sparse_dense_s8:pt');
    expect(pt.time).toEqual(t);
  });

  it('ep_sparse_conv2d_s8: one multiply-accumulate per non-zero tap inside the input of every output', () => {
    const c = { C: 4, H: 10, W: 10, M: 6, KH: 3, KW: 3, p: 1 };
    const w = new Int8Array(c.M * c.C * 9).map((_, i) => ((i * 7) % 5 === 0 ? 0 : (i % 11) - 5));
    const shape = { C: c.C, H: c.H, W: c.W, M: c.M, KH: 3, KW: 3, OH: 10, OW: 10, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pl: 1, groups: 1 };
    const packed = packSparseConvS8(w, shape);
    const call: CCall = {
      kernel: 'ep_sparse_conv2d_s8',
      args: [value('x'), weight('c', packed.cnt), weight('e', packed.ent), weight('a', new Tensor('int32', [c.M])), weight('m', new Tensor('int32', [c.M])), weight('s', new Tensor('int8', [c.M])), value('y'),
        ...[c.C, c.H, c.W, c.M, 3, 3, 10, 10, 1, 1, 1, 1, 1, 1, 1, 0, 0, -128, 127].map(int)],
    };
    let expected = 0;
    for (let m = 0; m < c.M; m++) for (let ch = 0; ch < c.C; ch++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
      if (w[((m * c.C + ch) * 3 + kh) * 3 + kw] === 0) continue;
      for (let oy = 0; oy < 10; oy++) for (let ox = 0; ox < 10; ox++) {
        const iy = oy - 1 + kh;
        const ix = ox - 1 + kw;
        if (iy >= 0 && iy < 10 && ix >= 0 && ix < 10) expected++;
      }
    }
    const t = analyzeCall(call, undefined, DSP).time;
    expect(t.pixelTaps).toBe(expected);
    expect(t.outputs).toBe(c.M * 100);
  });
});

describe('ep_add_s8', () => {
  const call = (shape: number[], as: number[], bs: number[]): CCall => ({
    kernel: 'ep_add_s8',
    args: [value('a'), value('b'), value('y'), int(shape.length), ints(shape), ints(as), ints(bs), ...[1 << 30, 32, 0, 1 << 30, 32, 0, 1 << 30, 40, 0, -128, 127].map(int)],
  });

  it('classifies the inner loop as the kernel does after merging axes', () => {
    expect(analyzeCall(call([8, 6, 6], [36, 6, 1], [36, 6, 1])).time).toMatchObject({ elements: 288, broadcastElements: 0, stridedElements: 0, runs: 0 });
    expect(analyzeCall(call([288], [1], [0])).time).toMatchObject({ elements: 0, broadcastElements: 288, runs: 0 });
    expect(analyzeCall(call([8, 36], [36, 1], [1, 0])).time).toMatchObject({ elements: 0, broadcastElements: 0, nestedElements: 288, runs: 8 });
    expect(analyzeCall(call([6, 4, 5], [20, 5, 1], [4, 1, 0])).time).toMatchObject({ nestedElements: 120, runs: 24, odometer: 0 });
  });
});
