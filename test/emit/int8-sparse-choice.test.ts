// The weight-sparse int8 kernels in the C emitter, without a toolchain: the packing of ep_int8_sparse.h's formats, the
// zero-point fold, and the per-layer choice (src/emit/c/sparse-choice-s8.ts) as compileToC makes it: an 80%-pruned int8
// MNIST-like CNN takes the sparse kernels where they are estimated faster and smaller, a dense layer keeps the dense
// kernel, sparse: 'never' / 'always' force the choice, and a target's estimator decides when it prices both kernels.
import { describe, expect, it } from 'vitest';
import { prunedS8 } from '../../bench/sparse-kernels-s8.js';
import type { CCall } from '../../src/emit/c/c-step.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { chooseSparseConvS8, chooseSparseDenseS8, foldZeroPoint, packSparseConvS8, packSparseDenseS8 } from '../../src/emit/c/sparse-choice-s8.js';
import { int8MnistLikeCnn } from '../../src/models/int8-sample-models.js';

const kernels = (lib: ReturnType<typeof compileToC>) => lib.steps.flatMap((s) => s.calls.map((c) => c.kernel));

describe('sparse int8 packing', () => {
  it('packs a dense layer into per-segment counts, 1-byte positions and values', () => {
    // K = 130: two segments (128 + 2); row 0 holds k = 1, 127, 129; row 1 nothing; row 2 k = 128.
    const w = new Int8Array(3 * 130);
    w[1] = 5;
    w[127] = -7;
    w[129] = 127;
    w[2 * 130 + 128] = -127;
    const p = packSparseDenseS8(w, 3, 130);
    expect(Array.from(p.cnt.data as Uint8Array)).toEqual([2, 1, 0, 0, 0, 1]);
    expect(Array.from(p.idx.data as Uint8Array)).toEqual([1, 127, 1, 0]);
    expect(Array.from(p.val.data as Int8Array)).toEqual([5, -7, 127, -127]);
    expect(p.nonZeros).toBe(4);
  });

  it('packs a conv into per-(output, input channel) counts and (offset in the plane, value) pairs', () => {
    // M 2, C 2, 2x2 kernel: w[0][1][1][0] = 3, w[1][0][0][1] = -4, w[1][1][1][1] = 9
    const w = new Int8Array(2 * 2 * 4);
    w[0 * 8 + 1 * 4 + 2] = 3;
    w[1 * 8 + 0 * 4 + 1] = -4;
    w[1 * 8 + 1 * 4 + 3] = 9;
    const p = packSparseConvS8(w, { C: 2, H: 4, W: 4, M: 2, KH: 2, KW: 2, OH: 3, OW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0, groups: 1 });
    expect(Array.from(p.cnt.data as Uint8Array)).toEqual([0, 1, 1, 1]);
    // offsets kh·W + kw on the 4-wide input: (1, 0) → 4, (0, 1) → 1, (1, 1) → 5; -4 as the byte 252
    expect(Array.from(p.ent.data as Uint8Array)).toEqual([4, 3, 1, 252, 5, 9]);
    expect(p.nonZeros).toBe(3);
  });

  it('folds the input zero point into the bias modulo 2^32', () => {
    const w = Int8Array.from([127, 127, -1, 0]);
    expect(Array.from(foldZeroPoint(w, 2, Int32Array.from([10, -2147483648]), -128).data as Int32Array)).toEqual([10 + 128 * 254, (-2147483648 - 128) | 0]); // wraps to 2^31 - 128
    expect(Array.from(foldZeroPoint(w, 2, undefined, 3).data as Int32Array)).toEqual([-762, 3]);
  });
});

describe('dense or sparse int8 kernel per layer', () => {
  const pruned = prunedS8(int8MnistLikeCnn(), 0.8);

  it('runs the 80%-pruned MNIST-like CNN\'s fully connected layer sparse, with fewer estimated instructions and less flash', () => {
    const lib = compileToC(pruned);
    const fc = lib.steps.find((s) => s.nodes[0] === 'fc')!;
    expect(fc.sparse!.kernel).toBe('sparse');
    expect(fc.summary).toBe('Int8Gemm 256→10 (sparse: 512 of 2560 weights)');
    expect(fc.calls[0].kernel).toBe('ep_sparse_dense_s8');
    expect(fc.sparse!.sparse!.instructions).toBeLessThan(fc.sparse!.dense.instructions * 0.95);
    expect(fc.sparse!.sparse!.flashBytes).toBeLessThan(fc.sparse!.dense.flashBytes / 2);
    const dense = compileToC(pruned, { sparse: 'never' });
    expect(lib.view.weightBytes).toBeLessThan(dense.view.weightBytes);
    const c = lib.files.get('model.c')!;
    expect(c).toMatch(/ep_sparse_dense_s8\(MODEL_ARENA_S8\(\d+\), model_w_fc_weight_sparse_s8_cnt, model_w_fc_weight_sparse_s8_pos, model_w_fc_weight_sparse_s8_val, model_w_fc_sparse_s8_acc0, /);
    // The dense weights of a sparse layer are not in flash.
    expect(lib.files.get('model_weights.c')).not.toMatch(/model_w_fc_weight\[/);
  });

  it('keeps the dense kernels for the unpruned model', () => {
    const lib = compileToC(int8MnistLikeCnn());
    expect(lib.steps.filter((s) => s.sparse).map((s) => [s.nodes[0], s.sparse!.kernel])).toEqual([['conv1', 'dense'], ['conv2', 'dense'], ['fc', 'dense']]);
    expect(kernels(lib)).not.toContain('ep_sparse_dense_s8');
    expect(kernels(lib)).not.toContain('ep_sparse_conv2d_s8');
  });

  it("takes the dense kernels with sparse: 'never' and the sparse ones with sparse: 'always'", () => {
    const never = kernels(compileToC(pruned, { sparse: 'never' }));
    expect(never).toEqual(expect.arrayContaining(['ep_conv2d_s8', 'ep_dense_s8']));
    expect(never.filter((k) => k.startsWith('ep_sparse'))).toEqual([]);
    const always = kernels(compileToC(pruned, { sparse: 'always' }));
    expect(always.filter((k) => k === 'ep_sparse_conv2d_s8')).toHaveLength(2);
    expect(always).toContain('ep_sparse_dense_s8');
    expect(always).not.toContain('ep_conv2d_s8');
    expect(always).not.toContain('ep_dense_s8');
  });

  it("lets a target's estimator decide when it prices both kernels, and keeps the built-in estimates when it does not", () => {
    const seen: string[] = [];
    const slowSparse = (calls: CCall[]) => {
      seen.push(...calls.map((c) => c.kernel));
      return { instructions: calls.some((c) => c.kernel.startsWith('ep_sparse')) ? 1e9 : 1000, flashBytes: 10 };
    };
    const lib = compileToC(pruned, { estimator: slowSparse });
    expect(new Set(seen)).toEqual(new Set(['ep_conv2d_s8', 'ep_sparse_conv2d_s8', 'ep_dense_s8', 'ep_sparse_dense_s8']));
    const fc = lib.steps.find((s) => s.nodes[0] === 'fc')!;
    expect(fc.sparse!.kernel).toBe('dense');
    expect(fc.sparse!.reason).toMatch(/\(target cost model\)$/);
    const unknown = compileToC(pruned, { estimator: () => undefined });
    expect(unknown.steps.find((s) => s.nodes[0] === 'fc')!.sparse!.kernel).toBe('sparse');
  });

  it('chooses by the rule: sparse only when faster and no larger', () => {
    const w = new Int8Array(256 * 10).fill(1);
    expect(chooseSparseDenseS8('auto', w, 1, 256, 10, true).kernel).toBe('dense');
    for (let i = 0; i < w.length; i++) if (i % 10) w[i] = 0;
    const d = chooseSparseDenseS8('auto', w, 1, 256, 10, true);
    expect(d.kernel).toBe('sparse');
    expect(d.sparse!.flashBytes).toBe(10 * 2 + 2 * 256 + 4 * 10);
    expect(d.dense.flashBytes).toBe(2560 + 40);
    const shape = { C: 8, H: 14, W: 14, M: 16, KH: 5, KW: 5, OH: 14, OW: 14, sh: 1, sw: 1, dh: 1, dw: 1, pt: 2, pl: 2, groups: 1 };
    expect(chooseSparseConvS8('auto', new Int8Array(3200).fill(3), shape, true).kernel).toBe('dense');
    // A 5x5 kernel on a 64-wide input reaches 4·64 + 4 = 260 bytes into the plane: no byte offsets, dense whatever the mode.
    const wide = chooseSparseConvS8('always', new Int8Array(2 * 25), { ...shape, C: 1, M: 2, H: 64, W: 64, OH: 64, OW: 64 }, false);
    expect(wide.kernel).toBe('dense');
    expect(wide.reason).toMatch(/tap offsets up to 260 bytes within an input plane do not fit a byte/);
  });
});
