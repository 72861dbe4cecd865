// Quantization ops beyond the ONNX node tests: ties, saturation, layouts, errors, MACs, and the requantization rule vs onnxruntime.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/ir/dtype.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { AttrValue, Node } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { ConvInteger } from '../../src/ops/conv-integer.js';
import { DequantizeLinear } from '../../src/ops/dequantize-linear.js';
import { MatMulInteger } from '../../src/ops/matmul-integer.js';
import { readAttrs, type OpDef, type ValueType } from '../../src/ops/op-def.js';
import { QLinearConv } from '../../src/ops/qlinear-conv.js';
import { QLinearMatMul } from '../../src/ops/qlinear-matmul.js';
import { QuantizeLinear } from '../../src/ops/quantize-linear.js';
import { requantize, roundHalfToEven, saturateTo } from '../../src/ops/util/quant-round.js';
import { runOnnxruntime } from '../support/ort.js';

const int = (value: number): AttrValue => ({ kind: 'int', value });

function nodeOf(op: OpDef<unknown>, inputs: number, attrs: Record<string, AttrValue>): Node {
  return { name: 'n', opType: op.opType, domain: '', inputs: Array.from({ length: inputs }, (_, i) => `in${i}`), outputs: ['y'], attrs };
}

/** Infer then evaluate one node; `undefined` marks an omitted optional input. */
function run(op: OpDef<unknown>, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}): Tensor {
  const node = nodeOf(op, inputs.length, attrs);
  const parsed = readAttrs(op, node);
  const [inferred] = op.infer(inputs.map((t) => t && { dtype: t.dtype, shape: t.shape }), parsed, node);
  const [out] = op.evaluate(inputs, parsed, node);
  expect(out.dtype).toBe(inferred.dtype);
  expect(out.shape).toEqual(inferred.shape);
  return out;
}

const f32 = (shape: number[], v: number[]) => Tensor.fromNumbers('float32', shape, v);
const ints = (dtype: DType, shape: number[], v: number[]) => Tensor.fromNumbers(dtype, shape, v);
const values = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

describe('rounding and saturation rule', () => {
  it('rounds exact .5 ties to the even neighbour, both signs', () => {
    const ties = [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5];
    expect(ties.map(roundHalfToEven)).toEqual([0, 2, 2, 4, 0, -2, -2, -4]);
    expect([2.4999999, 2.5000001, -2.4999999, -2.5000001].map(roundHalfToEven)).toEqual([2, 3, -2, -3]);
  });

  it('saturates to each type, NaN to the minimum', () => {
    expect([-1e9, 1e9, NaN].map((v) => saturateTo('int8', v))).toEqual([-128, 127, -128]);
    expect([-1, 256].map((v) => saturateTo('uint8', v))).toEqual([0, 255]);
    expect([-9, 8].map((v) => saturateTo('int4', v))).toEqual([-8, 7]);
  });

  it('requantizes in float32 as onnxruntime does (float64 would give 79 here)', () => {
    // 14021 * 0.0055987448... = 78.5000014 exactly, but 78.5 after rounding the product to float32.
    expect(requantize('int8', 14021, Math.fround(0.005598744843155146), 0)).toBe(78);
  });
});

describe('QuantizeLinear', () => {
  it('rounds ties to even after dividing by the scale', () => {
    const y = run(QuantizeLinear, [f32([8], [1, 3, 5, 7, -1, -3, -5, -7]), Tensor.scalar('float32', 2), Tensor.scalar('int8', 0)]);
    expect(values(y)).toEqual([0, 2, 2, 4, 0, -2, -2, -4]);
  });

  it('saturates at both ends of int8, uint8 and int4', () => {
    const x = f32([5], [1000, -1000, Infinity, -Infinity, NaN]);
    const one = Tensor.scalar('float32', 1);
    expect(values(run(QuantizeLinear, [x, one, Tensor.scalar('int8', 0)]))).toEqual([127, -128, 127, -128, -128]);
    expect(values(run(QuantizeLinear, [x, one]))).toEqual([255, 0, 255, 0, 0]);
    const int4 = run(QuantizeLinear, [f32([4], [7.4, 7.6, -8.4, -8.6]), one, Tensor.scalar('int4', 0)]);
    expect(int4.dtype).toBe('int4');
    expect(values(int4)).toEqual([7, 7, -8, -8]);
    expect(values(run(QuantizeLinear, [f32([3], [20, -3, 2]), one], { output_dtype: int(21) }))).toEqual([15, 0, 2]);
  });

  it('quantizes per axis with a negative axis', () => {
    const x = f32([2, 3], [1, 1, 1, 10, 10, 10]);
    const scale = f32([3], [1, 2, 4]);
    const zero = ints('uint8', [3], [0, 10, 100]);
    expect(values(run(QuantizeLinear, [x, scale, zero], { axis: int(-1) }))).toEqual([1, 10, 100, 10, 15, 102]);
    const rows = run(QuantizeLinear, [x, f32([2], [1, 10]), ints('int8', [2], [0, 5])], { axis: int(-2) });
    expect(values(rows)).toEqual([1, 1, 1, 6, 6, 6]);
  });

  it('refuses float8 outputs, mismatched scales and zero points, and non-default precision', () => {
    const x = f32([2, 3], [0, 0, 0, 0, 0, 0]);
    const s = Tensor.scalar('float32', 1);
    expect(() => run(QuantizeLinear, [x, s], { output_dtype: int(17) })).toThrow(/output_dtype.*FLOAT8E4M3FN/);
    expect(() => run(QuantizeLinear, [x, s], { output_dtype: int(23) })).toThrow(/FLOAT4E2M1/);
    expect(() => run(QuantizeLinear, [x, f32([4], [1, 1, 1, 1])])).toThrow(/y_scale has shape 4.*length 3/);
    expect(() => run(QuantizeLinear, [x, f32([2, 1], [1, 1])], { block_size: int(2) })).toThrow(/block_size 2 needs shape 2x2/);
    expect(() => run(QuantizeLinear, [x, f32([3], [1, 1, 1]), ints('uint8', [2], [0, 0])])).toThrow(/y_zero_point has shape 2/);
    expect(() => run(QuantizeLinear, [x, s, Tensor.scalar('int8', 0)], { output_dtype: int(2) })).toThrow(/disagrees/);
    expect(() => run(QuantizeLinear, [x, s], { precision: int(10) })).toThrow(/precision/);
    expect(values(run(QuantizeLinear, [x, s], { precision: int(1) }))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('DequantizeLinear', () => {
  it('is kept by constant folding', () => {
    expect(DequantizeLinear.keepUnfolded).toBe(true);
  });

  it('dequantizes per axis, blocked, and to float16', () => {
    const x = ints('int8', [2, 4], [-128, 0, 1, 127, 10, 20, 30, 40]);
    const perRow = run(DequantizeLinear, [x, f32([2], [0.5, 2]), ints('int8', [2], [1, 10])], { axis: int(0) });
    expect(values(perRow)).toEqual([-64.5, -0.5, 0, 63, 0, 20, 40, 60]);
    const blocked = run(DequantizeLinear, [x, f32([2, 2], [1, 2, 3, 4])], { axis: int(1), block_size: int(2) });
    expect(values(blocked)).toEqual([-128, 0, 2, 254, 30, 60, 120, 160]);
    const half = run(DequantizeLinear, [ints('uint8', [2], [3, 255]), Tensor.scalar('float16', 0.1)]);
    expect(half.dtype).toBe('float16');
    expect(values(half)).toEqual([0.2998046875, 25.5]);
    const widened = run(DequantizeLinear, [ints('uint8', [1], [3]), Tensor.scalar('float16', 0.1)], { output_dtype: int(1) });
    expect(widened.dtype).toBe('float32');
    expect(values(widened)).toEqual([Math.fround(3 * 0.0999755859375)]);
  });

  it('refuses a zero point of another type and a scale of the wrong length', () => {
    const x = ints('int8', [2, 3], [0, 0, 0, 0, 0, 0]);
    expect(() => run(DequantizeLinear, [x, Tensor.scalar('float32', 1), Tensor.scalar('uint8', 0)])).toThrow(/x_zero_point has type uint8/);
    expect(() => run(DequantizeLinear, [x, f32([2], [1, 1])])).toThrow(/x_scale has shape 2/);
  });
});

describe('integer convolutions and matrix products', () => {
  it('QLinearConv requantizes per output channel with weight zero points and bias', () => {
    const x = ints('uint8', [1, 1, 2, 2], [10, 20, 30, 40]);
    const w = ints('int8', [2, 1, 1, 1], [3, -2]);
    const y = run(QLinearConv, [
      x, Tensor.scalar('float32', 0.5), Tensor.scalar('uint8', 10),
      w, f32([2], [1, 0.25]), ints('int8', [2], [1, 0]),
      Tensor.scalar('float32', 1), Tensor.scalar('uint8', 100), ints('int32', [2], [4, 4]),
    ]);
    // channel 0: ((x-10)*2 + 4) * 0.5 + 100; channel 1: ((x-10)*-2 + 4) * 0.125 + 100, where 0.5 and -4.5 tie to even.
    expect(values(y)).toEqual([102, 112, 122, 132, 100, 98, 96, 93]);
  });

  it('ConvInteger subtracts a per-channel weight zero point', () => {
    const y = run(ConvInteger, [ints('int8', [1, 1, 1, 3], [1, 2, 3]), ints('int8', [2, 1, 1, 2], [1, 1, 5, 5]), undefined, ints('int8', [2], [0, 5])]);
    expect(y.dtype).toBe('int32');
    expect(values(y)).toEqual([3, 5, 0, 0]);
  });

  it('MatMulInteger uses per-row A and per-column B zero points', () => {
    const a = ints('uint8', [2, 2], [4, 2, 3, 5]);
    const b = ints('uint8', [2, 2], [2, 0, 3, 4]);
    // (A - [1, 3] per row) x (B - [0, 1] per column) = [[3, 1], [0, 2]] x [[2, -1], [3, 3]]
    const y = run(MatMulInteger, [a, b, ints('uint8', [2], [1, 3]), ints('uint8', [2], [0, 1])]);
    expect(values(y)).toEqual([9, 0, 6, 6]);
  });

  it('QLinearMatMul broadcasts batches with per-row and per-column scales', () => {
    const a = ints('int8', [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const b = ints('int8', [2, 1], [1, 1]);
    const y = run(QLinearMatMul, [
      a, f32([2], [1, 2]), Tensor.scalar('int8', 0), b, f32([1], [0.5]), Tensor.scalar('int8', 0), Tensor.scalar('float32', 1), Tensor.scalar('int8', 0),
    ]);
    expect(y.shape).toEqual([2, 2, 1]);
    expect(values(y)).toEqual([2, 7, 6, 15]);
    expect(() => run(QLinearMatMul, [a, f32([3], [1, 1, 1]), undefined, b, f32([1], [1]), undefined, Tensor.scalar('float32', 1), undefined])).toThrow(/a_scale has shape 3/);
  });

  it('counts multiply-accumulates like Conv and MatMul', () => {
    const t = (dtype: DType, shape: number[]): ValueType => ({ dtype, shape });
    const convIn = [t('uint8', [1, 4, 8, 8]), t('float32', []), t('uint8', []), t('int8', [6, 2, 3, 3])];
    const convOut = [t('uint8', [1, 6, 8, 8])];
    expect(QLinearConv.macs!(convIn, convOut, {} as never)).toBe(6 * 64 * 2 * 9);
    expect(ConvInteger.macs!([convIn[0], convIn[3]], convOut, {} as never)).toBe(6 * 64 * 2 * 9);
    const mmOut = [t('int32', [3, 5, 7])];
    expect(MatMulInteger.macs!([t('int8', [3, 5, 11]), t('int8', [11, 7])], mmOut, {})).toBe(3 * 5 * 7 * 11);
    expect(QLinearMatMul.macs!([t('int8', [5, 11])], [t('int8', [5, 7])], {})).toBe(5 * 7 * 11);
    expect(QLinearConv.paramInputs).toEqual({ 3: 'weight', 8: 'bias' });
  });
});

describe('agreement with onnxruntime', () => {
  it('QLinearConv with per-channel scales, QuantizeLinear ties and DequantizeLinear match bit for bit', async () => {
    const b = new GraphBuilder('quant');
    b.input('x', 'float32', [1, 2, 6, 6]);
    b.initializer('xs', Tensor.scalar('float32', 0.0371));
    b.initializer('xz', Tensor.scalar('uint8', 131));
    // Within [−64, 63]: onnxruntime pairs u8·s8 products in int16 without VNNI (test/support/ort-safe-weights.ts).
    b.initializer('w', ints('int8', [3, 2, 3, 3], Array.from({ length: 54 }, (_, i) => (((i * 37) % 255) - 127) >> 1)));
    b.initializer('ws', f32([3], [0.011, 0.0047, 0.023]));
    b.initializer('wz', ints('int8', [3], [0, 0, 0]));
    b.initializer('ys', Tensor.scalar('float32', 0.173));
    b.initializer('yz', Tensor.scalar('uint8', 117));
    b.initializer('bias', ints('int32', [3], [-1200, 37, 4100]));
    const q = b.op('QuantizeLinear', ['x', 'xs', 'xz']);
    const y = b.op('QLinearConv', [q, 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'bias'], { pads: { kind: 'ints', value: [1, 1, 1, 1] } });
    b.output(q);
    b.output(y);
    b.output(b.op('DequantizeLinear', [y, 'ys', 'yz']));
    const g = b.build();
    // Every third input sits exactly on a .5 tie of x / x_scale.
    const x = Array.from({ length: 72 }, (_, i) => (i % 3 === 0 ? Math.fround((i - 36.5) * 0.0371) : Math.sin(i) * 4));
    const feeds = { x: f32([1, 2, 6, 6], x) };
    const ours = runGraph(g, feeds);
    const theirs = await runOnnxruntime(exportOnnx(g), feeds);
    for (const o of g.outputs) expect(values(ours.get(o.name)!)).toEqual(values(theirs.get(o.name)!));
  });
});
