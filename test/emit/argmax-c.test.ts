// The C lowering of ArgMax: float32 and int8 inputs, the int64 index output of the model API (8 bytes per index),
// the outputs read back as int64 and compared exactly, and the refusals (other input dtypes, an index read further).
import { describe, expect, it } from 'vitest';
import { valueBytes } from '../../src/emit/c/arena.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { maxAbsDiff } from '../../src/conformance/compare.js';
import { firstBitDifference, tensorFromBytes } from '../../src/verify/output-bits.js';

function argMaxModel(dtype: DType, shape: number[], axis: number, last = 0) {
  const b = new GraphBuilder('argmax');
  b.output(b.op('ArgMax', [b.input('x', dtype, shape)], { axis: attr.int(axis), keepdims: attr.int(1), select_last_index: attr.int(last) }, 'argmax'));
  return b.build();
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('not refused');
}

describe('ArgMax in C', () => {
  it('passes float32 in, int64_t indices out, with 8 bytes per index in the arena and the API', () => {
    const g = argMaxModel('float32', [2, 5, 3], 1, 1);
    const lib = compileToC(g);
    expect(lib.files.get('model.h')).toMatch(/int model_invoke\(const float \*input0, int64_t \*output0\);/);
    expect(lib.files.get('model.c')).toMatch(/ep_argmax_f32\(MODEL_ARENA_F32\(\d+\), MODEL_ARENA_S64\(\d+\), 2, 5, 3, 1\);/);
    expect(lib.files.get('model.c')).toMatch(/static const unsigned model_output_sizes\[1\] = \{ 48 \};/);
    expect(valueBytes(g, lib.steps).get('argmax_out')).toBe(2 * 3 * 8);
  });

  it('takes int8 inputs with ep_argmax_s8', () => {
    const lib = compileToC(argMaxModel('int8', [1, 10], -1));
    expect(lib.files.get('model.h')).toMatch(/int model_invoke\(const int8_t \*input0, int64_t \*output0\);/);
    expect(lib.files.get('model.c')).toMatch(/ep_argmax_s8\(MODEL_ARENA_S8\(\d+\), MODEL_ARENA_S64\(\d+\), 1, 10, 1, 0\);/);
  });

  it('refuses ArgMax on other dtypes, and an index that another op reads, by node', () => {
    expect(refusal(() => compileToC(argMaxModel('int64', [1, 4], 1)))).toBe(
      "not supported by the C backend: node 'argmax' (ArgMax): value 'x' is int64; the C backend runs ArgMax on float32 or int8 values",
    );
    const b = new GraphBuilder('argmax_reshaped');
    const index = b.op('ArgMax', [b.input('x', 'float32', [1, 4])], { axis: attr.int(1) }, 'argmax');
    b.output(b.op('Reshape', [index, b.initializer('shape', Tensor.fromNumbers('int64', [1], [1]))], {}, 'reshape'));
    expect(refusal(() => compileToC(b.build()))).toMatch(/^not supported by the C backend: node 'reshape' \(Reshape\): value 'argmax_out' is int64; /);
  });

  it('reads an int64 output back from its bytes and compares it exactly', () => {
    const want = new Tensor('int64', [2], BigInt64Array.from([3n, 7n]));
    const bytes = new Uint8Array(BigInt64Array.from([3n, 6n]).buffer);
    const got = tensorFromBytes(bytes, want);
    expect(Array.from(got.data as BigInt64Array)).toEqual([3n, 6n]);
    expect(firstBitDifference(got, want)).toBe('element 1 is 6, the interpreter\'s 7');
    expect(maxAbsDiff(got, want)).toBe(1);
  });
});
