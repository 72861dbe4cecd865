// What the quantizer refuses, each with a UserError (exit 2) naming the node, op or tensor and what is supported.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { quantizeModel, type QuantizeOptions } from '../../src/quant/quantize.js';
import { feeds, ModelBuilder, smallCnn } from './quant-models.js';

function refusal(g: Graph, options: QuantizeOptions = {}, calibration = feeds(g, 4)): UserError {
  try {
    quantizeModel(g, calibration, options);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('quantizeModel did not refuse');
}

/** input [1, 4] → op → Gemm 4→2. */
function withOp(opType: string, attrs = {}): Graph {
  const m = new ModelBuilder('op');
  const x = m.b.input('x', 'float32', [1, 4]);
  m.b.output(m.dense(m.b.op(opType, [x], attrs, 'the_op'), 4, 2, 'fc'));
  return m.b.build();
}

describe('quantizeModel refuses', () => {
  it('an op it cannot quantize, by node and op, listing what it supports', () => {
    const e = refusal(withOp('Sigmoid'));
    expect(e.message).toBe("node 'the_op' (Sigmoid): op Sigmoid cannot be quantized to int8");
    expect(e.hint).toMatch(/supports Conv, Gemm and MatMul with constant weights, Add .*MaxPool, Flatten, Reshape, Concat.*final Softmax/);
  });
  it('a ReLU that no quantized layer produces alone', () => {
    const m = new ModelBuilder('relu_after_pool');
    let x = m.b.input('x', 'float32', [1, 1, 4, 4]);
    x = m.b.op('MaxPool', [m.conv(x, 1, 2, 'conv')], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
    m.b.output(m.b.op('Flatten', [m.b.op('Relu', [x], {}, 'relu')], {}, 'flat'));
    expect(refusal(m.b.build()).message).toMatch(/^node 'relu' \(Relu\): a Relu is fused into the output clamp of a Conv, Gemm, MatMul, Add.* here it follows 'pool' \(MaxPool\)$/);
  });
  it('a ReLU after a layer whose output other nodes read too', () => {
    const m = new ModelBuilder('shared');
    const x = m.b.input('x', 'float32', [1, 1, 4, 4]);
    const c = m.conv(x, 1, 2, 'conv');
    m.b.output(m.b.op('Add', [m.b.op('Relu', [c], {}, 'relu'), c], {}, 'sum'));
    expect(refusal(m.b.build()).message).toMatch(/here it follows 'conv' \(Conv\), whose output other nodes read too \(or is a graph output\)$/);
  });
  it('a graph input that is also a graph output', () => {
    const m = new ModelBuilder('through');
    const x = m.b.input('x', 'float32', [1, 4]);
    m.b.output(m.dense(x, 4, 2, 'fc'));
    m.b.output(x);
    expect(refusal(m.b.build()).message).toBe("graph input 'x' is also a graph output; there is nothing to quantize on that path");
  });
  it('Gemm with transA, or with computed weights', () => {
    const b = new GraphBuilder('trans_a');
    const x = b.input('x', 'float32', [4, 1]);
    b.output(b.op('Gemm', [x, b.initializer('B', Tensor.fromNumbers('float32', [4, 2], new Array(8).fill(0.5)))], { transA: attr.int(1) }, 'g'));
    expect(refusal(b.build()).message).toMatch(/^node 'g' \(Gemm\): transA=1 is not supported/);
    const c = new GraphBuilder('computed');
    const a = c.input('a', 'float32', [1, 4]);
    const w = c.input('w', 'float32', [2, 4]);
    c.output(c.op('Gemm', [a, w], { transB: attr.int(1) }, 'g'));
    expect(refusal(c.build()).message).toBe("node 'g' (Gemm): its weights B must be a float32 constant (an initializer)");
  });
  it('an Add of a constant that is not a MatMul bias', () => {
    const b = new GraphBuilder('add_const');
    const x = b.input('x', 'float32', [1, 4]);
    b.output(b.op('Add', [x, b.initializer('k', Tensor.fromNumbers('float32', [4], [1, 2, 3, 4]))], {}, 'plus'));
    expect(refusal(b.build()).message).toMatch(/^node 'plus' \(Add\): adds the constant 'k'/);
  });
  it('a Softmax that is not the last op', () => {
    expect(refusal(withOp('Softmax', { axis: attr.int(-1) })).message).toMatch(/^node 'the_op' \(Softmax\): a Softmax is kept only as the last op/);
  });
  it('a Concat whose input does not come from a quantized layer', () => {
    const m = new ModelBuilder('concat');
    const x = m.b.input('x', 'float32', [1, 1, 4, 4]);
    m.b.output(m.b.op('Concat', [x, m.conv(x, 1, 2, 'conv')], { axis: attr.int(1) }, 'cat'));
    expect(refusal(m.b.build()).message).toMatch(/^node 'cat' \(Concat\): its inputs share one scale.* 'x' comes from a graph input$/);
  });
  it('a per-channel input normalization before a padded Conv', () => {
    const m = new ModelBuilder('norm');
    const x = m.b.input('x', 'float32', [1, 2, 4, 4]);
    const n = m.batchNorm(x, 2, 'norm', { mean: [0, 1], variance: [1, 4] });
    m.b.output(m.b.op('Flatten', [m.conv(n, 2, 2, 'conv')], {}, 'flat'));
    const e = refusal(m.b.build());
    expect(e.message).toMatch(/^node 'norm' \(BatchNormalization\): normalizes input 'x' with a different scale or shift for each of its 2 channels, and its output feeds 'conv' \(Conv\)/);
    expect(e.hint).toMatch(/--no-normalize/);
  });
  it('a model without float inputs', () => {
    const b = new GraphBuilder('ints');
    const i = b.input('ids', 'int64', [1, 2]);
    const table = b.initializer('table', Tensor.fromNumbers('float32', [3, 4], new Array(12).fill(1)));
    b.output(b.op('Gather', [table, i], {}, 'lookup'));
    expect(refusal(b.build(), {}, [{ ids: Tensor.fromNumbers('int64', [1, 2], [0, 1]) }]).message).toMatch(/^the model has no float32 input \('ids' int64\)/);
  });
  it('a layer whose int32 accumulator could overflow (more than 66,311 taps)', () => {
    const b = new GraphBuilder('wide');
    const x = b.input('x', 'float32', [1, 66400]);
    b.output(b.op('Gemm', [x, b.initializer('W', Tensor.fromNumbers('float32', [1, 66400], new Array(66400).fill(0.01)))], { transB: attr.int(1) }, 'wide_fc'));
    const e = refusal(b.build(), {}, feeds(b.build(), 2));
    expect(e.message).toMatch(/^node 'wide_fc' \(Gemm\): each output sums 66400 int8 products: at worst .* holds at most 66311 taps without a bias$/);
  });
  it('an empty or wrongly shaped calibration set, and an unknown tensor name', () => {
    const g = smallCnn();
    expect(refusal(g, {}, []).message).toBe('the calibration set is empty');
    const wrong = [{ input: new Tensor('float32', [1, 1, 5, 5]) }];
    expect(refusal(g, {}, wrong).message).toBe("calibration sample 1 gives input 'input' as float32 1x1x5x5; the model expects float32 1x1x6x6");
    expect(refusal(g, {}, [{}]).message).toBe("calibration sample 1 has no value for input 'input' (expected float32 1x1x6x6)");
    const e = refusal(g, { perTensor: { nope: 'mse' } });
    expect(e.message).toBe("no calibrated tensor is named 'nope'");
    expect(e.hint).toBe("tensors with a range of their own: 'input', 'relu_out', 'fc_out'");
    expect(refusal(g, { method: 'percentile', percentile: 40 }).message).toMatch(/percentile is 40; it must be above 50/);
  });
  it('a calibration run that computes NaN', () => {
    const b = new GraphBuilder('nan');
    const x = b.input('x', 'float32', [1, 2]);
    b.output(b.op('Gemm', [x, b.initializer('W', Tensor.fromNumbers('float32', [2, 2], [1, 0, 0, 1]))], { transB: attr.int(1) }, 'fc'));
    const g = b.build();
    expect(refusal(g, {}, [{ x: Tensor.fromNumbers('float32', [1, 2], [NaN, 1]) }]).message).toBe("calibration sample 1: tensor 'x' holds NaN at element 0");
  });
});
