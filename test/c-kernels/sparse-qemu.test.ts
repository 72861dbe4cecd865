// Weight-sparse kernels end to end on QEMU mps2-an386 (Cortex-M4F, the assembly block loop): a magnitude-pruned
// digits CNN compiled with sparse kernels verifies (host and target bit-identical, within tolerance of the
// interpreter), and gives the same bits as the same model compiled with sparse: 'never', on the host and on the
// target; so do a layer whose rows hold every count of non-zeros from 0 to 24 (every entry of the jump table) and a
// chain of pruned convs whose geometries take every path of the conv kernel (16-pixel tiles loaded 8 at a time, row
// groups, stride 2 without VLDM, dilation, depthwise, 1x1, rows of 40 in three tiles with an unmasked middle one),
// and a 5x5 conv at 80% zeros runs at least 2.5x fewer instructions than the dense kernel.
import { describe, expect, it } from 'vitest';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { convLayer, digitsCnn, pruned, randomInputs, runLibraries } from '../../bench/sparse-kernels.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { Random } from '../../src/util/random.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { skipForMissingTools } from '../support/toolchain.js';

const skip = skipForMissingTools('test/c-kernels/sparse-qemu.test.ts', await missingTools());

/** Gemm 24→25 (+ ReLU) whose output row n has exactly n non-zeros, run on 3 rows. */
function rowCountsModel() {
  const rng = new Random(5);
  const K = 24;
  const N = 25;
  const w = Array.from({ length: N * K }, (_, i) => (i % K < Math.floor(i / K) ? rng.uniform(-0.5, 0.5) : 0));
  const b = new GraphBuilder('row_counts');
  const x = b.input('input', 'float32', [3, K]);
  const bias = Tensor.fromNumbers('float32', [N], Array.from({ length: N }, () => rng.uniform(-0.2, 0.2)));
  const y = b.op('Gemm', [x, b.initializer('fc.weight', Tensor.fromNumbers('float32', [N, K], w)), b.initializer('fc.bias', bias)], { transB: attr.int(1) }, 'fc');
  b.output(b.op('Relu', [y], {}, 'relu'));
  return b.build();
}

/** Pruned convs in a chain, each geometry another path of ep_sparse_conv2d_f32 (70% of each layer's weights zero). */
function convPathsModel() {
  const rng = new Random(8);
  const b = new GraphBuilder('conv_paths');
  let n = 0;
  const conv = (x: string, C: number, M: number, k: [number, number], o: { pads?: number[]; strides?: number[]; dilations?: number[]; group?: number } = {}) => {
    const group = o.group ?? 1;
    const w = Array.from({ length: M * (C / group) * k[0] * k[1] }, () => (rng.next() < 0.7 ? 0 : rng.uniform(-0.5, 0.5)));
    const attrs = { kernel_shape: attr.ints(k), pads: attr.ints(o.pads ?? [0, 0, 0, 0]), strides: attr.ints(o.strides ?? [1, 1]), dilations: attr.ints(o.dilations ?? [1, 1]), group: attr.int(group) };
    const bias = Tensor.fromNumbers('float32', [M], Array.from({ length: M }, () => rng.uniform(-0.2, 0.2)));
    n++;
    return b.op('Relu', [b.op('Conv', [x, b.initializer(`w${n}`, Tensor.fromNumbers('float32', [M, C / group, ...k], w)), b.initializer(`b${n}`, bias)], attrs, `conv${n}`)], {}, `relu${n}`);
  };
  let x = b.input('input', 'float32', [1, 2, 16, 16]);
  x = conv(x, 2, 4, [5, 5], { pads: [2, 2, 2, 2] }); // 16-pixel rows: two VLDMs of 8
  x = conv(x, 4, 4, [3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }); // stride 2: 8x8
  x = conv(x, 4, 4, [3, 3], { pads: [2, 2, 2, 2], dilations: [2, 2] }); // dilation, rows of 8: groups of 2 rows
  x = conv(x, 4, 4, [3, 3], { pads: [1, 1, 1, 1], group: 4 }); // depthwise
  x = conv(x, 4, 6, [1, 1]); // 1x1: no padding, unmasked tiles only
  b.output(x);
  const y = b.input('wide', 'float32', [1, 2, 6, 40]);
  b.output(conv(conv(y, 2, 3, [3, 3], { pads: [1, 1, 1, 1] }), 3, 3, [1, 5], { pads: [0, 2, 0, 2] })); // 3 tiles of 14
  return b.build();
}

describe.skipIf(skip)('weight-sparse kernels on QEMU mps2-an386', () => {
  const cnn = pruned(digitsCnn(), 0.8);

  it('chooses the sparse kernel for every layer of the digits CNN pruned to 80% and verifies it', async () => {
    const lib = compileToC(cnn);
    expect(lib.steps.filter((s) => s.sparse).map((s) => s.sparse!.kernel)).toEqual(['sparse', 'sparse', 'sparse', 'sparse']);
    const r = await verifyOnTarget(cnn, 'digits-cnn-80', { target: findMcuTarget('mps2-an386'), vectors: loadVectors(cnn, { count: 3, seed: 1 }) });
    expect(r.results.map((v) => v.problem ?? 'ok')).toEqual(['ok', 'ok', 'ok']);
    expect(r.passed).toBe(true);
    expect(r.hostBitIdentical).toBe(true);
    expect(r.maxAbsError).toBeLessThan(1e-4);
  });

  it("gives the bits of sparse: 'never' on the host and on the target", async () => {
    const rows = rowCountsModel();
    const paths = convPathsModel();
    const conv5 = pruned(convLayer(8, 16, 14, 5), 0.8);
    const entries = [
      { name: 'cnn_sparse', lib: compileToC(cnn, { prefix: 'cs', sparse: 'always' }), inputs: randomInputs(cnn, 11) },
      { name: 'cnn_dense', lib: compileToC(cnn, { prefix: 'cd', sparse: 'never' }), inputs: randomInputs(cnn, 11) },
      { name: 'rows_sparse', lib: compileToC(rows, { prefix: 'rs', sparse: 'always' }), inputs: randomInputs(rows, 12) },
      { name: 'rows_dense', lib: compileToC(rows, { prefix: 'rd', sparse: 'never' }), inputs: randomInputs(rows, 12) },
      { name: 'paths_sparse', lib: compileToC(paths, { prefix: 'ps', sparse: 'always' }), inputs: randomInputs(paths, 13) },
      { name: 'paths_dense', lib: compileToC(paths, { prefix: 'pd', sparse: 'never' }), inputs: randomInputs(paths, 13) },
      { name: 'conv5_sparse', lib: compileToC(conv5, { prefix: 'c5s', sparse: 'always' }), inputs: randomInputs(conv5, 14) },
      { name: 'conv5_dense', lib: compileToC(conv5, { prefix: 'c5d', sparse: 'never' }), inputs: randomInputs(conv5, 14) },
    ];
    expect(entries.map((e) => e.lib.steps.some((s) => s.calls.some((c) => c.kernel.startsWith('ep_sparse_'))))).toEqual([true, false, true, false, true, false, true, false]);
    expect(entries[4].lib.steps.filter((s) => s.calls.some((c) => c.kernel === 'ep_sparse_conv2d_f32'))).toHaveLength(7);
    const runs = await runLibraries(entries);
    const bytes = (k: number, where: 'host' | 'target') => runs[k][where].outputs.map((o) => Buffer.from(o).toString('hex'));
    for (const [sparse, dense] of [[0, 1], [2, 3], [4, 5], [6, 7]]) {
      expect(bytes(sparse, 'host'), `${entries[sparse].name} host`).toEqual(bytes(dense, 'host'));
      expect(bytes(sparse, 'target'), `${entries[sparse].name} target`).toEqual(bytes(dense, 'target'));
      expect(bytes(sparse, 'target'), `${entries[sparse].name} host vs target`).toEqual(bytes(sparse, 'host'));
    }
    // The pruned CNN runs faster with the sparse kernels; a 5x5 8→16 conv on 14x14 at 80% zeros 2.5x faster
    // (QEMU's instruction count: the same on any machine).
    expect(runs[0].target.instructions!).toBeLessThan(runs[1].target.instructions!);
    expect(runs[7].target.instructions! / runs[6].target.instructions!).toBeGreaterThanOrEqual(2.5);
  });
});
