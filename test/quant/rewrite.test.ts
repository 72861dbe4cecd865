// The float → int8 rewrite: node structure, fused clamps, weight layouts, shared scales, and closeness to the float model.
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { activationClamp } from '../../src/quant/qparams.js';
import { feeds, ModelBuilder, residualModel, run, smallCnn } from './quant-models.js';

const ops = (g: Graph) => g.nodes.map((n) => n.opType);
const node = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)!;
const init = (g: Graph, name: string) => g.initializers.get(name)!;
const num = (g: Graph, name: string) => init(g, name).at(0);
const intAttr = (n: Node, k: string) => (n.attrs[k] as { value: number }).value;
/** Scale and zero point of the value whose scale initializer is input `i` of `n`. */
const paramsAt = (g: Graph, n: Node, i: number) => ({ scale: num(g, n.inputs[i]), zeroPoint: num(g, n.inputs[i + 1]) });
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('quantizeModel: structure', () => {
  const float = smallCnn();
  const calibration = feeds(float, 40);
  const { graph: g, report } = quantizeModel(float, calibration);

  it('quantizes after the input, runs int8 ops, and dequantizes before a float Softmax', () => {
    expect(ops(g)).toEqual(['QuantizeLinear', 'Int8Conv', 'MaxPool', 'Flatten', 'Int8Gemm', 'DequantizeLinear', 'Softmax']);
    expect(g.nodes.filter((n) => n.opType.startsWith('Int8')).every((n) => n.domain === EDGEPRUNE_DOMAIN)).toBe(true);
    expect(g.inputs).toEqual(float.inputs);
    expect(g.outputs).toEqual(float.outputs);
    expect(g.values.get('relu_out')!.dtype).toBe('int8');
    expect(report.layers.map((l) => `${l.from}→${l.to}`)).toEqual([
      'Conv+Relu→Int8Conv', 'MaxPool→MaxPool (int8)', 'Flatten→Flatten (int8)', 'Gemm→Int8Gemm', 'Softmax→Softmax (float, after DequantizeLinear)',
    ]);
  });
  it('fuses the ReLU as act_min = the output zero point, and keeps the Conv attributes', () => {
    const conv = node(g, 'conv');
    const y = paramsAt(g, conv, 5);
    expect(y.zeroPoint).toBe(-128); // a ReLU output's range starts at 0
    expect(intAttr(conv, 'act_min')).toBe(y.zeroPoint);
    expect(intAttr(conv, 'act_max')).toBe(127);
    expect(conv.attrs.pads).toEqual(attr.ints([1, 1, 1, 1]));
  });
  it('stores per-channel int8 weights, their scales and an int32 bias', () => {
    const conv = node(g, 'conv');
    const w = init(g, conv.inputs[3]);
    expect(w.dtype).toBe('int8');
    expect(w.shape).toEqual([2, 1, 3, 3]);
    expect(init(g, conv.inputs[4]).shape).toEqual([2]);
    // Each channel reaches ±127 (its largest magnitude) and never −128.
    for (let m = 0; m < 2; m++) expect(Math.max(...Array.from((w.data as Int8Array).slice(m * 9, m * 9 + 9), Math.abs))).toBe(127);
    expect(init(g, conv.inputs[7]).dtype).toBe('int32');
  });
  it('gives pass-through ops their input scale (shared initializers)', () => {
    const gemm = node(g, 'fc');
    expect(gemm.inputs.slice(1, 3)).toEqual(node(g, 'conv').inputs.slice(5, 7));
  });
  it('stays close to the float model', () => {
    for (const f of feeds(float, 10, 99)) expect(maxDiff(run(g, f), run(float, f))).toBeLessThan(0.05);
  });
  it('counts the constants as stored: int8 weights are about a quarter of the float ones', () => {
    expect(report.weightBytes.float).toBe([...float.initializers.values()].reduce((s, t) => s + 4 * t.size, 0));
    expect(report.weightBytes.int8).toBeLessThan(report.weightBytes.float * 0.6);
  });
});

describe('quantizeModel: layers', () => {
  it('folds a BatchNormalization into the Conv before it and a Clip into its clamp', () => {
    const m = new ModelBuilder('bn_clip');
    const x = m.b.input('input', 'float32', [1, 2, 5, 5]);
    const y = m.b.op('Clip', [m.batchNorm(m.conv(x, 2, 3, 'conv'), 3, 'bn'), m.b.initializer('lo', Tensor.scalar('float32', -0.25)), m.b.initializer('hi', Tensor.scalar('float32', 0.5))], {}, 'clip');
    m.b.output(m.b.op('Flatten', [y], {}, 'flat'));
    const float = m.b.build();
    const calibration = feeds(float, 30, 3, -2, 2);
    const { graph: g } = quantizeModel(float, calibration);
    expect(ops(g)).toEqual(['QuantizeLinear', 'Int8Conv', 'Flatten', 'DequantizeLinear']);
    const conv = node(g, 'conv');
    const clamp = activationClamp({ min: -0.25, max: 0.5 }, paramsAt(g, conv, 5));
    expect([intAttr(conv, 'act_min'), intAttr(conv, 'act_max')]).toEqual([clamp.actMin, clamp.actMax]);
    for (const f of calibration.slice(0, 5)) expect(maxDiff(run(g, f), run(float, f))).toBeLessThan(0.05);
  });

  it('turns MatMul + bias Add + Relu into one Int8Gemm with the weights transposed to M x K (the Add folded into its bias)', () => {
    const b = new GraphBuilder('matmul');
    const x = b.input('x', 'float32', [1, 2]);
    const mm = b.op('MatMul', [x, b.initializer('B', Tensor.fromNumbers('float32', [2, 3], [1, 2, 3, 4, 5, 6]))], {}, 'mm');
    const added = b.op('Add', [mm, b.initializer('bias', Tensor.fromNumbers('float32', [3], [0.5, -0.5, 1]))], {}, 'bias_add');
    b.output(b.op('Relu', [added], {}, 'relu'));
    const float = b.build();
    const { graph: g, report } = quantizeModel(float, feeds(float, 20));
    expect(ops(g)).toEqual(['QuantizeLinear', 'Int8Gemm', 'DequantizeLinear']);
    expect(report.layers[0].from).toBe('Gemm+Relu');
    const gemm = node(g, 'mm');
    // Rows [1, 4], [2, 5], [3, 6] with scales 4/127, 5/127, 6/127: 31.75 → 32, 50.8 → 51, 63.5 → 64 (even).
    expect(Array.from(init(g, gemm.inputs[3]).data as Int8Array)).toEqual([32, 127, 51, 127, 64, 127]);
    const sx = num(g, gemm.inputs[1]);
    const sw = Array.from(init(g, gemm.inputs[4]).data as Float32Array);
    expect(Array.from(init(g, gemm.inputs[7]).data as Int32Array)).toEqual([0.5, -0.5, 1].map((v, m) => Math.round(v / (sx * sw[m]))));
    expect(intAttr(gemm, 'act_min')).toBe(num(g, gemm.inputs[6]));
  });

  it('folds a CNTK-style bias Add after a bias-less Conv into one Int8Conv with that bias and the fused ReLU', () => {
    const b = new GraphBuilder('conv_add');
    const x = b.input('x', 'float32', [1, 1, 4, 4]);
    const w = Tensor.fromNumbers('float32', [2, 1, 3, 3], [1, 0, -1, 2, 0, -2, 1, 0, -1, 0.5, 0.5, 0.5, 0, 0, 0, -0.5, -0.5, -0.5]);
    const conv = b.op('Conv', [x, b.initializer('w', w)], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }, 'conv');
    const added = b.op('Add', [conv, b.initializer('bias', Tensor.fromNumbers('float32', [2, 1, 1], [0.25, -0.75]))], {}, 'bias_add');
    b.output(b.op('Relu', [added], {}, 'relu'));
    const float = b.build();
    const calibration = feeds(float, 30);
    const { graph: g, report } = quantizeModel(float, calibration);
    expect(ops(g)).toEqual(['QuantizeLinear', 'Int8Conv', 'DequantizeLinear']);
    expect(report.layers[0].from).toBe('Conv+Relu');
    const q = node(g, 'conv');
    const sx = num(g, q.inputs[1]);
    const sw = Array.from(init(g, q.inputs[4]).data as Float32Array);
    expect(Array.from(init(g, q.inputs[7]).data as Int32Array)).toEqual([0.25, -0.75].map((v, m) => Math.round(v / (sx * sw[m]))));
    expect(intAttr(q, 'act_min')).toBe(num(g, q.inputs[6]));
    for (const f of calibration.slice(0, 5)) expect(maxDiff(run(g, f), run(float, f))).toBeLessThan(0.05);
  });

  it('applies Gemm alpha to the weights and beta to the bias, transposing B without transB', () => {
    const b = new GraphBuilder('gemm');
    const x = b.input('x', 'float32', [1, 2]);
    const B = b.initializer('B', Tensor.fromNumbers('float32', [2, 2], [1, -2, 0.5, 4])); // K x M
    b.output(b.op('Gemm', [x, B, b.initializer('C', Tensor.fromNumbers('float32', [1, 2], [1, -1]))], { alpha: attr.float(2), beta: attr.float(0.5) }, 'gemm'));
    const float = b.build();
    const { graph: g } = quantizeModel(float, feeds(float, 20));
    const gemm = node(g, 'gemm');
    // alpha·Bᵀ = rows [2, 1] and [−4, 8]: scales 2/127 and 8/127.
    expect(Array.from(init(g, gemm.inputs[4]).data as Float32Array)).toEqual([Math.fround(2 / 127), Math.fround(8 / 127)]);
    expect(Array.from(init(g, gemm.inputs[3]).data as Int8Array)).toEqual([127, 64, -64, 127]);
    const sx = num(g, gemm.inputs[1]);
    expect(Array.from(init(g, gemm.inputs[7]).data as Int32Array)).toEqual([Math.round(0.5 / (sx * Math.fround(2 / 127))), Math.round(-0.5 / (sx * Math.fround(8 / 127)))]);
    for (const f of feeds(float, 5, 8)) expect(maxDiff(run(g, f), run(float, f))).toBeLessThan(0.1);
  });

  it('quantizes a residual Add with its ReLU, an AveragePool counting padding, and a GlobalAveragePool', () => {
    const float = residualModel();
    const { graph: g } = quantizeModel(float, feeds(float, 40));
    expect(ops(g)).toEqual(['QuantizeLinear', 'Int8Conv', 'Int8Conv', 'Int8Add', 'Int8AveragePool', 'Int8GlobalAveragePool', 'Flatten', 'Int8Gemm', 'DequantizeLinear']);
    const add = node(g, 'add');
    expect(add.inputs[0]).toBe('conv2_out');
    expect(add.inputs[3]).toBe('relu1_out');
    expect(add.inputs.slice(1, 3)).toEqual(node(g, 'conv2').inputs.slice(5, 7)); // a's scale is conv2's output scale
    expect(intAttr(add, 'act_min')).toBe(num(g, add.inputs[7]));
    const avg = node(g, 'avg');
    expect(intAttr(avg, 'count_include_pad')).toBe(1);
    expect(avg.attrs.pads).toEqual(attr.ints([1, 1, 1, 1]));
    for (const f of feeds(float, 10, 5)) expect(maxDiff(run(g, f), run(float, f))).toBeLessThan(0.05);
  });

  it('gives the inputs of a Concat the Concat output scale and zero point', () => {
    const m = new ModelBuilder('concat');
    const x = m.b.input('input', 'float32', [1, 1, 4, 4]);
    const a = m.b.op('Relu', [m.conv(x, 1, 2, 'a')], {}, 'relu_a');
    const c = m.conv(x, 1, 3, 'c');
    m.b.output(m.b.op('Concat', [a, c], { axis: attr.int(1) }, 'cat'));
    const float = m.b.build();
    const calibration = feeds(float, 30);
    const { graph: g } = quantizeModel(float, calibration);
    expect(ops(g)).toEqual(['QuantizeLinear', 'Int8Conv', 'Int8Conv', 'Concat', 'DequantizeLinear']);
    const pa = paramsAt(g, node(g, 'a'), 5);
    expect(paramsAt(g, node(g, 'c'), 5)).toEqual(pa);
    expect(paramsAt(g, node(g, 'cat_out_dequantize'), 1)).toEqual(pa);
    expect(pa.zeroPoint).toBeGreaterThan(-128); // the shared range holds c's negative values
    expect(intAttr(node(g, 'a'), 'act_min')).toBe(pa.zeroPoint); // a's ReLU still clamps at real 0
    for (const f of calibration.slice(0, 5)) expect(maxDiff(run(g, f), run(float, f))).toBeLessThan(0.05);
  });
});

describe('quantizeModel: input normalization', () => {
  it('folds a per-feature normalization into the Gemm after it', () => {
    const m = new ModelBuilder('mlp');
    const x = m.b.input('input', 'float32', [1, 4]);
    const n = m.batchNorm(x, 4, 'norm', { mean: [1, 2, 3, 4], variance: [1, 4, 9, 16] });
    m.b.output(m.dense(n, 4, 2, 'fc'));
    const float = m.b.build();
    const { graph: g } = quantizeModel(float, feeds(float, 30, 2, 0, 8));
    expect(ops(g)).toEqual(['QuantizeLinear', 'Int8Gemm', 'DequantizeLinear']);
    expect(node(g, 'input_quantize').inputs[0]).toBe('input');
    for (const f of feeds(float, 5, 3, 0, 8)) expect(maxDiff(run(g, f), run(float, f))).toBeLessThan(0.05);
  });
  it('merges a one-channel normalization before a padded Conv into the input QuantizeLinear', () => {
    const m = new ModelBuilder('cnn');
    const x = m.b.input('input', 'float32', [1, 1, 5, 5]);
    const n = m.batchNorm(x, 1, 'norm', { mean: [6], variance: [16] });
    m.b.output(m.b.op('Flatten', [m.b.op('Relu', [m.conv(n, 1, 2, 'conv')], {}, 'relu')], {}, 'flat'));
    const float = m.b.build();
    const { graph: g, report } = quantizeModel(float, feeds(float, 30, 2, 0, 16));
    expect(ops(g)).toEqual(['QuantizeLinear', 'Int8Conv', 'Flatten', 'DequantizeLinear']);
    expect(report.layers[0]).toEqual({ name: 'norm', from: 'BatchNormalization', to: "merged into the QuantizeLinear of 'input'" });
    const q = node(g, 'input_quantize');
    const conv = node(g, 'conv');
    expect(q.outputs[0]).toBe(conv.inputs[0]);
    // The QuantizeLinear takes raw values: its scale is the normalized value's times the 4 the normalization divides by.
    expect(num(g, q.inputs[1]) / num(g, conv.inputs[1])).toBeCloseTo(4, 5);
    for (const f of feeds(float, 5, 3, 0, 16)) expect(maxDiff(run(g, f), run(float, f))).toBeLessThan(0.1);
  });
});
