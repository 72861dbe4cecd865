// The int8 C kernels on QEMU, bit for bit against the interpreter: mps2-an386 (Cortex-M4F: the DSP path, SMLAD and
// friends; in assembly and in C) and lm3s6965 (Cortex-M3: the portable path), every case of int8-cases.ts with literal
// arguments; and the int8 MNIST-like CNN bench within its instructions-per-MAC goals on both, bit-identical to the
// host and the interpreter.
import { describe, expect, it, beforeAll } from 'vitest';
import { LM3S6965, missingTools, MPS2_AN386 } from '../../bench/kernels/bench-lib.js';
import { formatMnistS8Bench, runMnistS8Bench } from '../../bench/kernels/mnist-cnn-s8.js';
import { skipForMissingTools } from '../support/toolchain.js';
import { mismatch } from './harness.js';
import { allInt8Cases } from './int8-cases.js';
import { runCasesOnTarget } from './int8-target.js';

const skip = skipForMissingTools('test/c-kernels/int8-qemu.test.ts', await missingTools());
const cases = allInt8Cases();

// (EP_S8_NO_ASM: the DSP path's C code with its accumulators bound to registers, which the M4/M7 runs when a tile
// does not fit the assembly's immediate offsets. It changes only ep_int8_conv.h, the one header that includes
// ep_int8_asm.h: that build runs the conv cases; the other kernels' code is the assembly build's.)
const convCases = cases.filter((c) => c.fn === 'ep_conv2d_s8' || c.fn === 'ep_conv2d_ldw_s8');
for (const [target, flags, what, run] of [
  [MPS2_AN386, [], 'assembly tiles', cases],
  [MPS2_AN386, ['-DEP_S8_NO_ASM'], 'C tiles', convCases],
  [LM3S6965, [], 'assembly tiles', cases],
] as const) {
  describe.skipIf(skip)(`int8 C kernels on QEMU ${target.name} (${what})`, () => {
    let outputs: Int32Array[] = [];
    beforeAll(async () => {
      // (two firmwares: all the cases' code and data overflow the lm3s6965's 256 KiB of flash)
      const half = Math.ceil(run.length / 2);
      for (const part of [run.slice(0, half), run.slice(half)]) outputs.push(...(await runCasesOnTarget(part, target, [...flags])));
    }, 600_000);

    it.each(run.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
      expect(mismatch(run[i], outputs[i])).toBeNull();
    });
  });
}

describe.skipIf(skip)('int8 MNIST-like CNN bench on QEMU', () => {
  for (const [target, goal] of [[MPS2_AN386, 1.5], [LM3S6965, 2.5]] as const) {
    it(`runs in at most ${goal} instructions per MAC on ${target.name}, every int8 tensor bit-identical to the host and the interpreter`, async () => {
      const r = await runMnistS8Bench({ target });
      console.log(formatMnistS8Bench(r));
      expect(r.mismatches).toEqual([]);
      expect(Object.keys(r.interpreter).length).toBe(25);
      expect(r.instructionsPerMac).toBeLessThanOrEqual(goal);
      expect(r.stackBytes).toBeLessThan(1024);
    }, 300_000);
  }
});
