// The weight-sparse int8 C kernels (templates/c/lib/ep_int8_sparse.h) on the host against the interpreter's Int8Gemm and
// Int8Conv (which know nothing of sparsity), bit for bit, with literal arguments (the tiled code) and run-time
// arguments (one pixel per tile), built as the Cortex-M3's portable code and as the M4/M7's with its DSP helpers
// emulated (EP_S8_EMULATE_DSP: the requantization's fast path is shared).
import { beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutTools } from '../support/toolchain.js';
import { mismatch, runCases, type CaseResult } from './harness.js';
import { sparseConvCases, sparseDenseCases } from './int8-sparse-cases.js';

const cases = [...sparseDenseCases(), ...sparseConvCases()];
const skip = await skipWithoutTools('test/c-kernels/int8-sparse-kernels.test.ts', ['gcc']);

for (const [path, flags] of [
  ['portable build', []],
  ['DSP build (emulated lanes)', ['-DEP_S8_EMULATE_DSP']],
] as const) {
  describe.skipIf(skip)(`weight-sparse int8 C kernels on the host, ${path}`, () => {
    let results: CaseResult[] = [];
    beforeAll(async () => {
      results = await runCases(cases, [...flags]);
    }, 300_000);

    it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
      expect(mismatch(cases[i], results[i].literal), 'literal arguments').toBeNull();
      expect(mismatch(cases[i], results[i].runtime), 'run-time arguments').toBeNull();
    });
  });
}
