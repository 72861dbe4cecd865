// The weight-sparse int8 kernels on QEMU, bit for bit against the interpreter: mps2-an386 (Cortex-M4F, DSP extension) and
// lm3s6965 (Cortex-M3), every case of int8-sparse-cases.ts with literal arguments; and the int8 MNIST-like CNN pruned to
// 80% through the real pipeline: 'auto' picks sparse kernels, verify finds every vector bit-exact, and against
// sparse: 'never' the same output bits with fewer instructions and less flash on both targets.
import { beforeAll, describe, expect, it } from 'vitest';
import { LM3S6965, missingTools, MPS2_AN386 } from '../../bench/kernels/bench-lib.js';
import { prunedS8, runModelBench } from '../../bench/sparse-kernels-s8.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { int8MnistLikeCnn } from '../../src/models/int8-sample-models.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { skipForMissingTools } from '../support/toolchain.js';
import { mismatch } from './harness.js';
import { sparseConvCases, sparseDenseCases } from './int8-sparse-cases.js';
import { runCasesOnTarget } from './int8-target.js';

const skip = skipForMissingTools('test/c-kernels/int8-sparse-qemu.test.ts', await missingTools());
const cases = [...sparseDenseCases(), ...sparseConvCases()];

for (const target of [MPS2_AN386, LM3S6965]) {
  describe.skipIf(skip)(`weight-sparse int8 C kernels on QEMU ${target.name}`, () => {
    let outputs: Int32Array[] = [];
    beforeAll(async () => {
      outputs = await runCasesOnTarget(cases, target);
    }, 600_000);

    it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
      expect(mismatch(cases[i], outputs[i])).toBeNull();
    });
  });
}

describe.skipIf(skip)('the 80%-pruned int8 MNIST-like CNN with sparse kernels on QEMU', () => {
  const g = prunedS8(int8MnistLikeCnn(), 0.8);

  it('verifies bit-exact on mps2-an386 and lm3s6965 with the sparse kernels auto picks', async () => {
    expect(compileToC(g).steps.some((s) => s.calls.some((c) => c.kernel.startsWith('ep_sparse_')))).toBe(true);
    for (const name of ['mps2-an386', 'lm3s6965']) {
      const r = await verifyOnTarget(g, 'mnist-s8-80', { target: findMcuTarget(name), vectors: loadVectors(g, { count: 3, seed: 1 }) });
      expect(r.results.map((v) => v.problem ?? 'ok'), name).toEqual(['ok', 'ok', 'ok']);
      expect(r.bitExactVectors, name).toBe(3);
      expect(r.hostBitIdentical, name).toBe(true);
    }
  }, 600_000);

  it("gives sparse: 'never''s bits with fewer instructions and less flash on both targets", async () => {
    const rows = await runModelBench();
    expect(rows.map((r) => r.target)).toEqual(['mps2-an386', 'lm3s6965']);
    for (const r of rows) {
      expect(r.identical, r.target).toBe(true);
      expect(r.sparseLayers.length, r.target).toBeGreaterThan(0);
      expect(r.auto.instructions, r.target).toBeLessThan(r.never.instructions);
      expect(r.auto.flashBytes, r.target).toBeLessThan(r.never.flashBytes);
      expect(r.auto.weightBytes, r.target).toBeLessThan(r.never.weightBytes);
    }
  }, 900_000);
});
