// The int8 C kernels (templates/c/lib/ep_int8_*.h) on the host against the interpreter's Int8Conv, Int8Gemm, Int8Add,
// Int8AveragePool, Int8GlobalAveragePool, the float Softmax tail of an int8 model (ep_softmax_tail_f32),
// QuantizeLinear, DequantizeLinear and MaxPool, bit for bit, with run-time arguments (the generic loops), built twice:
// the portable path (the Cortex-M3's, with its integer QuantizeLinear division: EP_S8_QUANT_INT) and the Cortex-M4/M7
// DSP path with its lane instructions emulated in C (EP_S8_EMULATE_DSP, and the float division). The same cases with
// literal arguments (the register-tiled code the emitter gets) run in QEMU on both paths' real cores:
// test/c-kernels/int8-qemu.test.ts (Cortex-M4F with the DSP extension, Cortex-M3); building those tiles on the host as
// well took about 49 of this file's 54 CPU-s.
import { describe, expect, it, beforeAll } from 'vitest';
import { skipWithoutTools } from '../support/toolchain.js';
import { allInt8Cases } from './int8-cases.js';
import { mismatch, runRuntimeCases } from './harness.js';

const cases = allInt8Cases();
const skip = await skipWithoutTools('test/c-kernels/int8-kernels.test.ts', ['gcc']);

for (const [path, flags] of [
  ['portable path', ['-DEP_S8_QUANT_INT']],
  ['DSP path (emulated lanes)', ['-DEP_S8_EMULATE_DSP']],
] as const) {
  describe.skipIf(skip)(`int8 C kernels on the host, ${path}`, () => {
    let results: Int32Array[] = [];
    beforeAll(async () => {
      results = await runRuntimeCases(cases, [...flags]);
    }, 300_000);

    it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
      expect(mismatch(cases[i], results[i]), 'run-time arguments').toBeNull();
    });
  });
}
