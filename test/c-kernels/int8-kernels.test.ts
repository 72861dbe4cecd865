// The int8 C kernels (templates/c/lib/ep_int8_*.h) on the host against the interpreter's Int8Conv, Int8Gemm, Int8Add,
// Int8AveragePool, Int8GlobalAveragePool, the float Softmax tail of an int8 model (ep_softmax_tail_f32),
// QuantizeLinear, DequantizeLinear and MaxPool, bit for bit: each case with literal arguments (the register-tiled
// code) and run-time arguments (the generic loops), built twice: the portable path (the Cortex-M3's, with its integer
// QuantizeLinear division: EP_S8_QUANT_INT) and the Cortex-M4/M7 DSP path with its lane instructions emulated in C
// (EP_S8_EMULATE_DSP, and the float division).
import { describe, expect, it, beforeAll } from 'vitest';
import { skipWithoutTools } from '../support/toolchain.js';
import { allInt8Cases } from './int8-cases.js';
import { mismatch, runCases, type CaseResult } from './harness.js';

const cases = allInt8Cases();
const skip = await skipWithoutTools('test/c-kernels/int8-kernels.test.ts', ['gcc']);

for (const [path, flags] of [
  ['portable path', ['-DEP_S8_QUANT_INT']],
  ['DSP path (emulated lanes)', ['-DEP_S8_EMULATE_DSP']],
] as const) {
  describe.skipIf(skip)(`int8 C kernels on the host, ${path}`, () => {
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
