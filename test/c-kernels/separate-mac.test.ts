// The kernels' multiply-accumulate on cores without an FPU (EP_SEPARATE_MAC, templates/c/lib/ep_mac.h): a float32
// multiply then add, the bias last, which gives the reference interpreter's bits exactly, on the host (-D
// EP_SEPARATE_MAC=1) and on QEMU lm3s6965 (Cortex-M3, soft float, where the headers choose it themselves); with fmaf
// (cores with an FPU, the default on the host) the bits differ and only the tolerance holds.
import { describe, expect, it } from 'vitest';
import { missingTools } from '../../bench/kernels/bench-lib.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { shapeSize } from '../../src/ir/tensor.js';
import { Conv } from '../../src/ops/conv.js';
import { ConvTranspose } from '../../src/ops/conv-transpose.js';
import { Gemm } from '../../src/ops/gemm.js';
import { Relu } from '../../src/ops/relu.js';
import { kernelDefines } from '../../src/targets/flags.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { skipForMissingTools, skipWithoutTools } from '../support/toolchain.js';
import { evalOp, f32, float, inp, type KernelCase, mismatch, NULLPTR, OUT, Random, runCases, Tensor, uniform } from './harness.js';

function convCase(name: string, C: number, H: number, W: number, M: number, K: number, pad: number, groups: number, relu: boolean, seed: number): KernelCase {
  const rng = new Random(seed);
  const x = uniform(rng, [1, C, H, W]);
  const w = uniform(rng, [M, C / groups, K, K], -0.5, 0.5);
  const b = uniform(rng, [M], -0.2, 0.2);
  let y = evalOp(Conv, [x, w, b], { kernel_shape: attr.ints([K, K]), pads: attr.ints([pad, pad, pad, pad]), group: attr.int(groups) });
  if (relu) y = evalOp(Relu, [y]);
  const [, , OH, OW] = y.shape;
  return {
    name,
    fn: 'ep_conv2d_f32',
    args: [inp(0), inp(1), inp(2), OUT, C, H, W, M, K, K, OH, OW, 1, 1, 1, 1, pad, pad, groups, float(relu ? 0 : -Infinity), float(Infinity)],
    inputs: [f32(x), f32(w), f32(b)],
    expected: f32(y),
    exact: true,
  };
}

function denseCase(name: string, rows: number, K: number, N: number, seed: number): KernelCase {
  const rng = new Random(seed);
  const x = uniform(rng, [rows, K]);
  const w = uniform(rng, [N, K], -0.3, 0.3);
  const b = uniform(rng, [N], -0.2, 0.2);
  const y = evalOp(Gemm, [x, w, b], { transB: attr.int(1) });
  return { name, fn: 'ep_dense_f32', args: [inp(0), inp(1), inp(2), OUT, rows, K, N, float(-Infinity), float(Infinity)], inputs: [f32(x), f32(w), f32(b)], expected: f32(y), exact: true };
}

function convTransposeCase(seed: number): KernelCase {
  const rng = new Random(seed);
  const x = uniform(rng, [1, 3, 5, 5]);
  const w = uniform(rng, [3, 2, 3, 3], -0.5, 0.5);
  const b = uniform(rng, [2], -0.2, 0.2);
  const y = evalOp(ConvTranspose, [x, w, b], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) });
  const [, , OH, OW] = y.shape;
  return {
    name: 'ConvTranspose 3x3 stride 2 (bias last in both variants)',
    fn: 'ep_conv_transpose2d_f32',
    args: [inp(0), inp(1), inp(2), OUT, 3, 5, 5, 2, 3, 3, OH, OW, 2, 2, 1, 1, 1, 1, 1],
    inputs: [f32(x), f32(w), f32(b)],
    expected: f32(y),
    exact: true,
  };
}

const CASES: KernelCase[] = [
  convCase('conv 5x5 1->8 pad 2 + ReLU (one-channel tiles, masked borders)', 1, 12, 12, 8, 5, 2, 1, true, 1),
  convCase('conv 3x3 3->6 pad 1 (two-channel tiles)', 3, 9, 11, 6, 3, 1, 1, false, 2),
  convCase('conv 1x1 8->12 (four-channel tiles)', 8, 5, 7, 12, 1, 0, 1, true, 3),
  convCase('depthwise 3x3, 4 channels', 4, 8, 8, 4, 3, 1, 4, false, 4),
  denseCase('dense 64 -> 10, one row (inputs in registers)', 1, 64, 10, 5),
  denseCase('dense 3 rows, 40 -> 13 (row pairs, remainder tiles)', 3, 40, 13, 6),
  convTransposeCase(7),
];

const noGcc = await skipWithoutTools('test/c-kernels/separate-mac.test.ts', ['gcc']);

describe.skipIf(noGcc)('EP_SEPARATE_MAC on the host', () => {
  it('gives the interpreter bits exactly, with literal and run-time arguments', async () => {
    const results = await runCases(CASES, ['-DEP_SEPARATE_MAC=1']);
    CASES.forEach((c, i) => {
      expect(mismatch(c, results[i].literal), `${c.name} (literal)`).toBeNull();
      expect(mismatch(c, results[i].runtime), `${c.name} (run-time)`).toBeNull();
    });
  });

  it('differs from them with fmaf (the default where the core has an FPU), within the tolerance', async () => {
    const convAndDense = CASES.filter((c) => c.fn !== 'ep_conv_transpose2d_f32');
    const results = await runCases(convAndDense);
    const exactly = convAndDense.map((c, i) => mismatch(c, results[i].literal) === null);
    expect(exactly.filter((ok) => ok).length).toBeLessThan(convAndDense.length);
    convAndDense.forEach((c, i) => expect(mismatch({ ...c, exact: false }, results[i].literal), c.name).toBeNull());
  });
});

/** Conv 3x3 + bias + Relu, MaxPool 2, bias-less Conv 3x3 then a per-channel Add (folded into its bias), Gemm. */
function smallCnn() {
  const rng = new Random(9);
  const rand = (shape: number[], scale: number) => Tensor.fromNumbers('float32', shape, Array.from({ length: shapeSize(shape) }, () => rng.uniform(-scale, scale)));
  const b = new GraphBuilder('small_cnn');
  let x = b.input('input', 'float32', [1, 1, 8, 8]);
  x = b.op('Conv', [x, b.initializer('c1.w', rand([4, 1, 3, 3], 0.6)), b.initializer('c1.b', rand([4], 0.1))], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) });
  x = b.op('MaxPool', [b.op('Relu', [x])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
  x = b.op('Conv', [x, b.initializer('c2.w', rand([6, 4, 3, 3], 0.3))], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) });
  x = b.op('Relu', [b.op('Add', [x, b.initializer('c2.plus', rand([6, 1, 1], 0.1))])]);
  x = b.op('Flatten', [x], { axis: attr.int(1) });
  b.output(b.op('Gemm', [x, b.initializer('fc.w', rand([10, 96], 0.2)), b.initializer('fc.b', rand([10], 0.1))], { transB: attr.int(1) }));
  return b.build();
}

const skipQemu = skipForMissingTools('test/c-kernels/separate-mac.test.ts', await missingTools());

describe.skipIf(skipQemu)('soft float on QEMU lm3s6965', () => {
  it('targets without an FPU build with EP_SEPARATE_MAC=1, targets with one with 0', () => {
    expect(kernelDefines(findMcuTarget('lm3s6965'))).toEqual({ EP_SEPARATE_MAC: '1' });
    expect(kernelDefines(findMcuTarget('mps2-an386'))).toEqual({ EP_SEPARATE_MAC: '0' });
  });

  it('verifies a float CNN bit for bit with the interpreter and the host build; with an FPU (fmaf) within the tolerance', async () => {
    const g = smallCnn();
    const vectors = loadVectors(g, { count: 3, seed: 2 });
    const soft = await verifyOnTarget(g, 'small-cnn', { target: findMcuTarget('lm3s6965'), vectors });
    expect(soft.passed).toBe(true);
    expect(soft.hostBitIdentical).toBe(true);
    expect(soft.bitExactVectors).toBe(3);
    const fpu = await verifyOnTarget(g, 'small-cnn', { target: findMcuTarget('mps2-an386'), vectors });
    expect(fpu.passed).toBe(true);
    expect(fpu.hostBitIdentical).toBe(true);
    expect(fpu.bitExactVectors).toBeLessThan(3);
  });
});
