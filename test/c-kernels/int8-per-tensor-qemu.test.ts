// The digits MLP quantized with per-tensor dense weights (quantizeModel { denseWeights: 'per-tensor' }) through the C
// backend: the _pt kernels with one multiplier and shift per layer, less flash than per channel, and bit-exact:
// interpreter = host C = QEMU on mps2-an386 (DSP path) and lm3s6965 (Cortex-M3), dense and 80%-pruned (weight-sparse
// int8 kernels). The kernel-level cases are in int8-cases.ts and int8-sparse-cases.ts (perTensor).
import { beforeAll, describe, expect, it } from 'vitest';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { prunedS8 } from '../../bench/sparse-kernels-s8.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import type { CCall } from '../../src/emit/c/c-step.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { loadModel } from '../../src/import/load-model.js';
import type { Graph } from '../../src/ir/graph.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { findTarget } from '../../src/targets/load-targets.js';
import { repoPath } from '../../src/util/package-root.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { skipForMissingTools } from '../support/toolchain.js';

const skip = skipForMissingTools('test/c-kernels/int8-per-tensor-qemu.test.ts', await missingTools());

let perChannel: Graph;
let perTensor: Graph;

beforeAll(async () => {
  const float = await loadModel(repoPath('examples/models/digits-mlp.onnx'));
  const feeds = calibrationInputs(float, loadDataset(repoPath('examples/digits/digits.csv.gz')), 100);
  perChannel = quantizeModel(float, feeds).graph;
  perTensor = quantizeModel(float, feeds, { denseWeights: 'per-tensor' }).graph;
});

const layerCalls = (g: Graph, sparse?: 'never' | 'always'): CCall[] => compileToC(g, { sparse }).steps.flatMap((s) => s.calls).filter((c) => c.kernel.includes('dense_s8'));

/** The element counts of a call's requantization arrays (mult, shift). */
function requantSizes(c: CCall): number[] {
  return c.args.flatMap((a) => (a.kind === 'weight' && /:requant_(mult|shift)$/.test(a.weight.key) ? [a.weight.tensor.size] : []));
}

describe('the per-tensor digits MLP in C', () => {
  it('calls ep_dense_s8_pt with one multiplier and shift per layer, and stores fewer weight bytes than per channel', () => {
    const pt = layerCalls(perTensor, 'never');
    expect(pt.map((c) => c.kernel)).toEqual(['ep_dense_s8_pt', 'ep_dense_s8_pt', 'ep_dense_s8_pt']);
    for (const c of pt) expect(requantSizes(c)).toEqual([1, 1]);
    const pc = layerCalls(perChannel, 'never');
    expect(pc.map((c) => c.kernel)).toEqual(['ep_dense_s8', 'ep_dense_s8', 'ep_dense_s8']);
    expect(pc.map((c) => requantSizes(c))).toEqual([[64, 64], [32, 32], [10, 10]]);
    const bytes = (g: Graph) => compileToC(g).view.weightBytes;
    // (64 + 32 + 10 - 3) multipliers (4 B) and shifts (1 B) fewer, less the 8-byte alignment of each array.
    expect(bytes(perChannel) - bytes(perTensor)).toBeGreaterThanOrEqual(103 * 5 - 6 * 8);
    // (the sparse choice's own pick at 80%: what verify builds below)
    const sparse = layerCalls(prunedS8(perTensor, 0.8));
    expect(sparse.map((c) => c.kernel)).toEqual(['ep_sparse_dense_s8_pt', 'ep_sparse_dense_s8_pt', 'ep_sparse_dense_s8_pt']);
    for (const c of sparse) expect(requantSizes(c)).toEqual([1, 1]);
  });
});

describe.skipIf(skip)('the per-tensor digits MLP on QEMU: interpreter = host C = target, bit for bit', () => {
  it.each(['mps2-an386', 'lm3s6965'])('dense and 80%%-pruned on %s', async (name) => {
    for (const [label, g] of [['dense', perTensor], ['80% pruned', prunedS8(perTensor, 0.8)]] as const) {
      const r = await verifyOnTarget(g, 'digits_mlp_pt', { target: findTarget(name), vectors: loadVectors(g, { count: 4, seed: 3 }) });
      expect(r.results.map((v) => v.problem ?? 'ok'), label).toEqual(['ok', 'ok', 'ok', 'ok']);
      expect(r.bitExactVectors, label).toBe(4);
      expect(r.hostBitIdentical, label).toBe(true);
    }
  }, 600_000);
});
