// C data-movement kernels (transpose, pad, concat blocks) against the interpreter's Transpose / Pad / Concat (bit-exact, float32 and int32).
import { Concat } from '../../src/ops/concat.js';
import { Pad } from '../../src/ops/pad.js';
import { Transpose } from '../../src/ops/transpose.js';
import type { Data } from './harness.js';
import { attr, evalOp, float, inp, ints, type KernelCase, kernelSuite, OUT, Random, Tensor, uniform } from './harness.js';

const PAD_MODES = { constant: 0, edge: 1, reflect: 2, wrap: 3 } as const;

function data(t: Tensor): Data {
  return t.data as Float32Array | Int32Array;
}

function int32Input(rng: Random, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  // Includes bit patterns that are NaNs as floats: they must pass through unchanged.
  const values = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0x7fc00001 + i : i % 11 === 5 ? -1 : rng.int(2_000_000) - 1_000_000));
  return Tensor.fromNumbers('int32', shape, values);
}

function transposeCase(shape: number[], perm: number[], seed: number, int32 = false): KernelCase {
  const rng = new Random(seed);
  const x = int32 ? int32Input(rng, shape) : uniform(rng, shape);
  const y = evalOp(Transpose, [x], { perm: attr.ints(perm) });
  return {
    name: `Transpose ${shape.join('x')} perm ${perm.join(',')}${int32 ? ' (int32)' : ''}`,
    fn: 'ep_transpose_f32',
    args: [inp(0), OUT, shape.length, ints(shape), ints(perm)],
    inputs: [data(x)],
    expected: data(y),
    exact: true,
  };
}

function padCase(shape: number[], pads: number[], mode: keyof typeof PAD_MODES, seed: number, value?: number): KernelCase {
  const x = uniform(new Random(seed), shape);
  const rank = shape.length;
  const inputs = [x, Tensor.fromNumbers('int64', [2 * rank], pads)];
  if (value !== undefined) inputs.push(Tensor.scalar('float32', value));
  const y = evalOp(Pad, inputs, { mode: attr.string(mode) });
  return {
    name: `Pad ${mode} ${shape.join('x')} pads ${pads.join(',')}${value !== undefined ? ` value ${value}` : ''}`,
    fn: 'ep_pad_f32',
    args: [inp(0), OUT, rank, ints(shape), ints(pads.slice(0, rank)), ints(pads.slice(rank)), PAD_MODES[mode], float(value ?? 0)],
    inputs: [data(x)],
    expected: data(y),
    exact: true,
  };
}

/** Concat along `axis` as the emitter lowers it: one ep_copy_blocks_f32 per input into its slice of the output. */
function concatCase(shapes: number[][], axis: number, seed: number): KernelCase {
  const rng = new Random(seed);
  const xs = shapes.map((s) => uniform(rng, s));
  const y = evalOp(Concat, xs, { axis: attr.int(axis) });
  const outer = y.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = y.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outRow = y.shape[axis] * inner;
  let offset = 0;
  const calls = xs.map((x, i) => {
    const block = x.shape[axis] * inner;
    const call = { fn: 'ep_copy_blocks_f32', args: [`out + ${offset}`, outRow, inp(i), block, block, outer] };
    offset += block;
    return call;
  });
  return {
    name: `Concat ${shapes.map((s) => s.join('x')).join(' + ')} axis ${axis}`,
    calls,
    inputs: xs.map(data),
    expected: data(y),
    exact: true,
  };
}

const CASES: KernelCase[] = [
  transposeCase([2, 3, 4], [2, 0, 1], 1),
  transposeCase([1, 3, 4, 5], [0, 2, 3, 1], 2),
  transposeCase([1, 4, 5, 3], [0, 3, 1, 2], 3),
  transposeCase([2, 1, 3, 1, 2, 3], [5, 2, 4, 0, 3, 1], 4),
  transposeCase([3, 4], [0, 1], 5),
  transposeCase([2, 3, 4, 5], [0, 1, 3, 2], 6, true),
  transposeCase([7], [0], 7),
  padCase([1, 2, 3, 4], [0, 0, 1, 2, 0, 0, 2, 1], 'constant', 10, 1.5),
  padCase([3, 5], [1, -1, -2, 2], 'constant', 11),
  padCase([2, 4, 5], [0, 2, 1, 1, 1, 3], 'edge', 12),
  padCase([2, 4, 5], [0, 3, 4, 0, 2, 4], 'reflect', 13),
  padCase([2, 4, 5], [1, 5, 2, 0, 6, 3], 'wrap', 14),
  padCase([6], [2, 3], 'reflect', 15),
  padCase([4, 6], [-1, 2, 1, -2], 'edge', 16),
  padCase([2, 3], [0, 0, 0, 0], 'constant', 17),
  concatCase([[2, 3, 4], [2, 5, 4]], 1, 20),
  concatCase([[3, 2], [3, 1], [3, 4]], 1, 21),
  concatCase([[2, 3], [1, 3]], 0, 22),
];

await kernelSuite('test/c-kernels/data.test.ts', 'C data-movement kernels vs the interpreter (bit-exact)', CASES);
