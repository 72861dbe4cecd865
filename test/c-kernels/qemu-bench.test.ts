// The C kernels on QEMU mps2-an386 (Cortex-M4F): the MNIST-like CNN within its instructions-per-MAC and
// code-size goals, and host and target builds bit-identical (the CNN, and every transcendental kernel).
import { describe, expect, it } from 'vitest';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { formatMathIdentity, runMathIdentity } from '../../bench/kernels/math-identity.js';
import { formatMnistBench, runMnistBench } from '../../bench/kernels/mnist-cnn.js';
import { skipForMissingTools } from '../support/toolchain.js';

const skip = skipForMissingTools('test/c-kernels/qemu-bench.test.ts', await missingTools());

describe.skipIf(skip)('C kernels on QEMU mps2-an386', () => {
  it('runs the MNIST-like CNN in at most 1.5 instructions per MAC and 4 KiB of code, bit-identical to the host', async () => {
    const r = await runMnistBench();
    console.log(formatMnistBench(r));
    expect(r.instructionsPerMac).toBeLessThanOrEqual(1.5);
    expect(r.modelCodeBytes).toBeLessThanOrEqual(4096);
    expect(r.stackBytes).toBeLessThan(1024);
    expect(r.targetOutputs.every(Number.isFinite)).toBe(true);
    expect(r.targetOutputs).toEqual(r.hostOutputs);
  });

  it('gives the same bits on the host and the target for exp, log, tanh, erf, sigmoid, softmax and pow', async () => {
    const rows = await runMathIdentity();
    console.log(formatMathIdentity(rows));
    expect(rows.length).toBeGreaterThanOrEqual(9);
    expect(rows.filter((r) => !r.identical).map((r) => r.name)).toEqual([]);
  });
});
