// The ArgMax C kernels (templates/c/lib/ep_argmax.h: ep_argmax_f32, ep_argmax_s8) on the host against the interpreter's
// ArgMax: axes of 2-D and 3-D tensors, ties (first index, or the last with select_last_index), NaN and infinities,
// int8 extremes. The int64 indices travel as pairs of 32-bit words (little-endian) and are compared bit for bit.
import { ArgMax } from '../../src/ops/arg-max.js';
import { attr, evalOp, inp, type KernelCase, kernelSuite, OUT, Random, Tensor } from './harness.js';
import { packS8, randomS8 } from './int8-cases.js';

/** The interpreter's int64 indices as the words the kernel writes. */
function indexWords(y: Tensor): Int32Array {
  const words = new BigInt64Array(y.data as BigInt64Array);
  return new Int32Array(words.buffer);
}

function around(shape: number[], axis: number): [number, number, number] {
  const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  return [product(shape.slice(0, axis)), shape[axis], product(shape.slice(axis + 1))];
}

function argMaxCase(name: string, x: Tensor, axis: number, last: boolean): KernelCase {
  const y = evalOp(ArgMax, [x], { axis: attr.int(axis), keepdims: attr.int(0), select_last_index: attr.int(last ? 1 : 0) });
  const [outer, len, inner] = around(x.shape, axis);
  const s8 = x.dtype === 'int8';
  return {
    name: `${s8 ? 'int8' : 'float'} ${name} ${x.shape.join('x')} axis ${axis}${last ? ' (last index)' : ''}`,
    fn: s8 ? 'ep_argmax_s8' : 'ep_argmax_f32',
    args: [s8 ? '(const int8_t *)in0' : inp(0), OUT, outer, len, inner, last ? 1 : 0],
    inputs: [s8 ? packS8(x.data as Int8Array) : (x.data as Float32Array)],
    expected: indexWords(y),
    exact: true,
  };
}

/** Float values drawn from a few integers, so that ties are frequent. */
function tiedFloats(rng: Random, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers('float32', shape, Array.from({ length: n }, () => rng.int(4) - 2));
}

function cases(): KernelCase[] {
  const rng = new Random(7);
  const out: KernelCase[] = [];
  const logits = Tensor.fromNumbers('float32', [1, 10], Array.from({ length: 10 }, () => rng.uniform(-5, 5)));
  out.push(argMaxCase('logits', logits, 1, false));
  for (const last of [false, true]) {
    for (const axis of [0, 1, 2]) out.push(argMaxCase('ties', tiedFloats(rng, [3, 5, 4]), axis, last));
    const specials = Tensor.fromNumbers('float32', [4, 5], [
      1, NaN, 3, NaN, 2, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, Infinity, 7, Infinity, NaN, -0, 0, -0, 0, 0, -1,
    ]);
    out.push(argMaxCase('NaN, infinities and signed zeros', specials, 1, last));
    out.push(argMaxCase('ties', Tensor.fromNumbers('int8', [2, 7, 3], randomS8(rng, 42, -2, 2)), 1, last));
    const extremes = Tensor.fromNumbers('int8', [3, 4], [-128, -128, -128, -128, 127, -128, 127, 0, -1, 127, -128, 127]);
    out.push(argMaxCase('extremes', extremes, 1, last));
    out.push(argMaxCase('random', Tensor.fromNumbers('int8', [5, 9], randomS8(rng, 45)), 0, last));
  }
  out.push(argMaxCase('one element per row', Tensor.fromNumbers('int8', [6, 1], randomS8(rng, 6)), 1, false));
  return out;
}

await kernelSuite('test/c-kernels/argmax.test.ts', 'ArgMax C kernels on the host against the interpreter', cases());
