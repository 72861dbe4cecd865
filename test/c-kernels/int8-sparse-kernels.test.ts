// The weight-sparse int8 C kernels (templates/c/lib/ep_int8_sparse.h) on the host against the interpreter's Int8Gemm and
// Int8Conv (which know nothing of sparsity), bit for bit, with run-time arguments (one pixel per tile), built as the
// Cortex-M3's portable code and as the M4/M7's with its DSP helpers emulated (EP_S8_EMULATE_DSP: the requantization's
// fast path is shared). The same cases with literal arguments (the tiled code) run in QEMU on both cores:
// test/c-kernels/int8-sparse-qemu.test.ts (Cortex-M4F, Cortex-M3); the host's literal build of those tiles took about
// two thirds of this file's CPU.
import { beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutTools } from '../support/toolchain.js';
import { mismatch, runRuntimeCases } from './harness.js';
import { sparseConvCases, sparseDenseCases } from './int8-sparse-cases.js';

const cases = [...sparseDenseCases(), ...sparseConvCases()];
const skip = await skipWithoutTools('test/c-kernels/int8-sparse-kernels.test.ts', ['gcc']);

for (const [path, flags] of [
  ['portable build', []],
  ['DSP build (emulated lanes)', ['-DEP_S8_EMULATE_DSP']],
] as const) {
  describe.skipIf(skip)(`weight-sparse int8 C kernels on the host, ${path}`, () => {
    let results: Int32Array[] = [];
    beforeAll(async () => {
      results = await runRuntimeCases(cases, [...flags]);
    }, 300_000);

    it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
      expect(mismatch(cases[i], results[i]), 'run-time arguments').toBeNull();
    });
  });
}
