// The C emitter's weight-sparse layers: the packed formats, the per-layer choice, typed weight arrays, determinism.
import { describe, expect, it } from 'vitest';
import { denseLayer, digitsCnn, pruned } from '../../bench/sparse-kernels.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { chooseSparseConv, chooseSparseDense, packSparseConv, packSparseDense } from '../../src/emit/c/sparse-choice.js';
import { mnistLikeCnn } from '../../src/models/sample-models.js';

describe('sparse formats', () => {
  it('packs a dense layer into 8-slot blocks, the first one filled from the end', () => {
    // Row 0: k = 1, 3 (2 non-zeros: one block, first = 6); row 1: none; row 2: 9 non-zeros (two blocks, first = 7).
    const K = 10;
    const w = new Float32Array(3 * K);
    w[1] = 0.5;
    w[3] = -2;
    for (let k = 0; k < 9; k++) w[2 * K + k] = k + 1;
    const p = packSparseDense(w, 3, K);
    expect(p.hdr.toNumbers()).toEqual([(1 << 3) | 6, 0, (2 << 3) | 7]);
    expect(p.nonZeros).toBe(11);
    const val = Array.from(p.val.data as Float32Array);
    expect(val.slice(0, 8)).toEqual([0, 0, 0, 0, 0, 0, 0.5, -2]);
    expect(val.slice(8, 24)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const off = Array.from(p.off.data as Uint32Array).flatMap((word) => [word & 0xffff, word >>> 16]);
    expect(off.slice(6, 8)).toEqual([4, 12]);
    expect(off.slice(15, 24)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32]);
  });

  it('packs a conv in (channel, kernel row, kernel column) order as tap words: byte offset, kernel row, kernel column + 1', () => {
    const s = { C: 2, H: 5, W: 6, M: 1, KH: 3, KW: 3, OH: 5, OW: 6, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pl: 1, groups: 1 };
    const w = new Float32Array(18);
    w[4] = 1; // c 0, kh 1, kw 1
    w[9 + 5] = 2; // c 1, kh 1, kw 2
    w[9 + 6] = -3; // c 1, kh 2, kw 0
    const p = packSparseConv(w, s);
    expect(p.cnt.toNumbers()).toEqual([3]);
    const words = p.tap.toNumbers();
    expect(words.map((t) => t & 0xffff)).toEqual([(1 * 6 + 1) * 4, ((5 + 1) * 6 + 2) * 4, ((5 + 2) * 6 + 0) * 4]);
    expect(words.map((t) => (t >>> 24) & 15)).toEqual([1, 1, 2]);
    expect(words.map((t) => t >>> 28)).toEqual([2, 3, 1]);
    expect(Array.from(p.val.data as Float32Array)).toEqual([1, 2, -3]);
  });

  it('chooses per layer from the estimates, and never a format that cannot hold the layer', () => {
    const w = (n: number, density: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 100 < density * 100 ? 1 + (i % 3) : 0));
    expect(chooseSparseDense('auto', w(256 * 32, 1), 1, 256, 32).kernel).toBe('dense');
    expect(chooseSparseDense('auto', w(256 * 32, 0.2), 1, 256, 32).kernel).toBe('sparse');
    expect(chooseSparseDense('never', w(256 * 32, 0.2), 1, 256, 32).kernel).toBe('dense');
    expect(chooseSparseDense('always', w(256 * 32, 1), 1, 256, 32).kernel).toBe('sparse');
    const wide = chooseSparseDense('always', w(20000, 0.1), 1, 20000, 1);
    expect(wide.kernel).toBe('dense');
    expect(wide.reason).toMatch(/16-bit offsets/);
    const conv = { C: 8, H: 8, W: 8, M: 16, KH: 3, KW: 3, OH: 8, OW: 8, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pl: 1, groups: 1 };
    expect(chooseSparseConv('auto', w(1152, 1), conv).kernel).toBe('dense');
    expect(chooseSparseConv('auto', w(1152, 0.1), conv).kernel).toBe('sparse');
    const wideKernel = { ...conv, C: 1, W: 17, KH: 1, KW: 16, pt: 0, pl: 0, OW: 2 };
    expect(chooseSparseConv('always', w(16 * 16, 0.1), wideKernel).reason).toMatch(/15 kernel columns/);
    expect(chooseSparseConv('always', w(16 * 15, 0.1), { ...wideKernel, KW: 15, OW: 3 }).kernel).toBe('sparse');
  });
});

describe('C emitter with sparse layers', () => {
  it('leaves unpruned models on the dense kernels', () => {
    const a = compileToC(mnistLikeCnn());
    const b = compileToC(mnistLikeCnn(), { sparse: 'never' });
    for (const [name, text] of a.files) expect(b.files.get(name)).toBe(text);
    expect(a.files.get('model.c')).not.toMatch(/ep_sparse_/);
    expect(a.steps.filter((s) => s.sparse).map((s) => s.sparse!.kernel)).toEqual(['dense', 'dense', 'dense']);
  });

  it('emits typed index arrays and sparse calls for a pruned model, deterministically', () => {
    const g = pruned(digitsCnn(), 0.9);
    const lib = compileToC(g, { prefix: 'digits' });
    expect(lib.files.get('digits.c')).toMatch(/ep_sparse_conv2d_f32\(.*digits_w_conv2_weight_sparse_cnt, digits_w_conv2_weight_sparse_tap_8x8_1x1, digits_w_conv2_weight_sparse_val, digits_w_conv2_bias,/);
    expect(lib.files.get('digits.c')).toMatch(/ep_sparse_dense_f32\(.*digits_w_fc1_weight_T_sparse_hdr|ep_sparse_dense_f32\(.*digits_w_fc1_weight_sparse_hdr/);
    expect(lib.files.get('digits.c')).toMatch(/extern const uint32_t digits_w_fc1_weight_sparse_off\[\d+\];/);
    const weights = lib.files.get('digits_weights.c')!;
    expect(weights).toMatch(/#include <stdint.h>/);
    expect(weights).toMatch(/EP_ALIGN\(8\) const uint16_t digits_w_fc1_weight_sparse_hdr\[32\] = \{\n {2}\d+u,/);
    expect(weights).toMatch(/const uint32_t digits_w_conv1_weight_sparse_tap_8x8_1x1\[\d+\]/);
    const bytes = { float: 4, uint8_t: 1, uint16_t: 2, uint32_t: 4, int32_t: 4 } as Record<string, number>;
    expect(lib.view.weightBytes).toBe(lib.view.weights.reduce((s, w) => s + w.elements * bytes[w.ctype], 0));
    expect(lib.view.weightBytes).toBeLessThan(compileToC(g, { sparse: 'never' }).view.weightBytes / 4);
    expect(lib.steps.map((s) => s.summary)).toContain('Gemm 256→32 (sparse: 819 of 8192 weights) + Relu');
    const again = compileToC(g, { prefix: 'digits' });
    for (const [name, text] of lib.files) expect(again.files.get(name)).toBe(text);
  });

  it('keeps a dense layer dense when the estimate says so, per layer', () => {
    const lib = compileToC(pruned(denseLayer(64, 16), 0.3));
    expect(lib.steps[0].sparse!.kernel).toBe('dense');
    expect(lib.steps[0].calls[0].kernel).toBe('ep_dense_f32');
  });
});
