// C kernels ep_dense_f32 (and ep_dense_ldw_f32, its weights in wider rows) and ep_matmul_f32 against the interpreter's Gemm (transB, bias, + Relu / Clip) and MatMul.
import { Clip } from '../../src/ops/clip.js';
import { Gemm } from '../../src/ops/gemm.js';
import { MatMul } from '../../src/ops/mat-mul.js';
import { Relu } from '../../src/ops/relu.js';
import {
  attr, evalOp, f32, float, inp, type KernelCase, kernelSuite, leadingBlock, NULLPTR, OUT, Random, Tensor, uniform,
} from './harness.js';

function denseCase(name: string, rows: number, K: number, N: number, opts: { bias?: boolean; act?: 'relu' | [number, number] }, seed: number): KernelCase {
  const rng = new Random(seed);
  const x = uniform(rng, [rows, K]);
  const w = uniform(rng, [N, K], -1 / Math.sqrt(K), 1 / Math.sqrt(K)); // [N][K]: Gemm with transB = 1
  const b = opts.bias === false ? undefined : uniform(rng, [N], -0.2, 0.2);
  let y = evalOp(Gemm, [x, w, b], { transB: attr.int(1) });
  let lo = -Infinity;
  let hi = Infinity;
  if (opts.act === 'relu') {
    y = evalOp(Relu, [y]);
    lo = 0;
  } else if (opts.act) {
    [lo, hi] = opts.act;
    y = evalOp(Clip, [y, Tensor.scalar('float32', lo), Tensor.scalar('float32', hi)]);
  }
  return {
    name,
    fn: 'ep_dense_f32',
    args: [inp(0), inp(1), b ? inp(2) : NULLPTR, OUT, rows, K, N, float(lo), float(hi)],
    inputs: b ? [f32(x), f32(w), f32(b)] : [f32(x), f32(w)],
    expected: f32(y),
  };
}

function matmulCase(name: string, M: number, K: number, N: number, seed: number): KernelCase {
  const rng = new Random(seed);
  const a = uniform(rng, [M, K]);
  const b = uniform(rng, [K, N], -1 / Math.sqrt(K), 1 / Math.sqrt(K));
  const y = evalOp(MatMul, [a, b]);
  return { name, fn: 'ep_matmul_f32', args: [inp(0), inp(1), OUT, M, K, N], inputs: [f32(a), f32(b)], expected: f32(y) };
}

const CASES: KernelCase[] = [
  denseCase('MNIST fc: 256 -> 10 (two 5-output tiles)', 1, 256, 10, {}, 1),
  denseCase('rows 3, K 17, N 13 (row pair + row, 4-output tiles + remainder), ReLU', 3, 17, 13, { act: 'relu' }, 2),
  denseCase('rows 2, N 6, no bias, clamp [-0.3, 0.3]', 2, 40, 6, { bias: false, act: [-0.3, 0.3] }, 3),
  denseCase('N 1, K 1', 1, 1, 1, {}, 4),
  denseCase('digits MLP layer: 64 -> 64, ReLU', 1, 64, 64, { act: 'relu' }, 5),
  denseCase('rows 5, 32 -> 7 (prime N below 8: one tile)', 5, 32, 7, {}, 6),
  leadingBlock(denseCase('ldw: rows 3, K 17, N 13, ReLU', 3, 17, 13, { act: 'relu' }, 7), 'ep_dense_ldw_f32', 13, 9, 7),
  leadingBlock(denseCase('ldw: 176 -> 22 (a level of the digits CNN fc1)', 1, 176, 22, {}, 8), 'ep_dense_ldw_f32', 22, 80, 7),
  matmulCase('MatMul 5x7 * 7x9 (remainder rows and columns)', 5, 7, 9, 11),
  matmulCase('MatMul 4x16 * 16x8', 4, 16, 8, 12),
  matmulCase('MatMul 1x3 * 3x1', 1, 3, 1, 13),
  matmulCase('MatMul 9x33 * 33x4', 9, 33, 4, 14),
];

await kernelSuite('test/c-kernels/dense.test.ts', 'C dense / matmul kernels vs the interpreter (tolerance 1e-5 + 1e-5·|expected|)', CASES, {
  sameBits: 'gives the same bits with literal and run-time arguments',
});
