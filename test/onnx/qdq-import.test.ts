// Quantized ONNX → int8 ops (src/passes/convert-quantized-onnx.ts): QDQ as onnxruntime and PyTorch write it, the
// QLinear and integer forms, the exact uint8 → int8 shift, and the layer parts (weights, bias, clamp) carried over.
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { convertQuantizedGraph, holdsQuantizedOnnx } from '../../src/passes/convert-quantized-onnx.js';
import { LsbAgreement } from '../../src/quant/onnx/lsb-agreement.js';
import { shiftUint8ToInt8 } from '../../src/quant/onnx/uint8-to-int8.js';
import { Random } from '../../src/util/random.js';
import { f32, ints, qdqCnn, qlinearCnn, randomInput, randomInts, scalar } from '../support/quantized-models.js';
import { runOnnxruntime } from '../support/ort.js';
import { halveIntegerWeights } from '../support/ort-safe-weights.js';

const ops = (g: Graph) => g.nodes.map((n) => n.opType);
const node = (g: Graph, opType: string): Node => g.nodes.find((n) => n.opType === opType)!;
const constant = (g: Graph, n: Node, i: number) => g.initializers.get(n.inputs[i])!;
const values = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

/** Agreement of the converted graph with the original on seeded inputs, in LSB of the output scale. */
function agreement(original: Graph, converted: Graph, outputScale: number, inputs = 40): LsbAgreement {
  const stats = new LsbAgreement();
  for (let seed = 0; seed < inputs; seed++) {
    const feeds = randomInput(original, seed, -0.5, 1);
    stats.add(runGraph(converted, feeds).get(converted.outputs[0].name)!, runGraph(original, feeds).get(original.outputs[0].name)!, outputScale);
  }
  return stats;
}

describe('QDQ form (onnxruntime quantize_static, PyTorch export)', () => {
  it('a uint8 QDQ CNN becomes QuantizeLinear → Int8Conv → MaxPool → Flatten → Int8Gemm → DequantizeLinear, within 1 LSB of the QDQ graph', () => {
    const qdq = qdqCnn({ activations: 'uint8' });
    const { graph, made } = convertQuantizedGraph(qdq);
    expect(ops(graph)).toEqual(['QuantizeLinear', 'Int8Conv', 'MaxPool', 'Flatten', 'Int8Gemm', 'DequantizeLinear']);
    expect(Object.fromEntries(made)).toEqual({ Int8Conv: 1, MaxPool: 1, Flatten: 1, Int8Gemm: 1 });
    expect(graph.nodes.filter((n) => n.opType.startsWith('Int8')).every((n) => n.domain === EDGEPRUNE_DOMAIN)).toBe(true);
    for (const v of graph.values.values()) expect(v.dtype).not.toBe('uint8');
    const stats = agreement(qdq, graph, 0.021);
    expect(stats.maxLsb).toBeLessThanOrEqual(1);
    expect(stats.equalShare).toBeGreaterThan(0.95);
  });

  it('carries the layer: names, per-channel weight scales, the int32 bias, x and y parameters (uint8 zero points − 128)', () => {
    const { graph } = convertQuantizedGraph(qdqCnn({ activations: 'uint8' }));
    const conv = node(graph, 'Int8Conv');
    expect(conv.name).toBe('conv');
    expect(values(constant(graph, conv, 1))).toEqual([Math.fround(0.0123)]);
    expect(values(constant(graph, conv, 2))).toEqual([-7]);
    expect(values(constant(graph, conv, 4))).toEqual([0.0031, 0.0047, 0.0029, 0.0052].map(Math.fround));
    expect(values(constant(graph, conv, 6))).toEqual([3]);
    expect(values(constant(graph, conv, 7))).toEqual([1200, -3400, 250, 7]);
    expect(conv.attrs.kernel_shape).toEqual(attr.ints([3, 3]));
    expect(conv.attrs.pads).toEqual(attr.ints([1, 1, 1, 1]));
    expect(node(graph, 'Int8Gemm').name).toBe('fc');
  });

  it('int8 and uint8 activations give the same int8 graph, bit for bit', () => {
    const fromUint8 = convertQuantizedGraph(qdqCnn({ activations: 'uint8' })).graph;
    const fromInt8 = convertQuantizedGraph(qdqCnn({ activations: 'int8' })).graph;
    for (let seed = 0; seed < 10; seed++) {
      const feeds = randomInput(fromUint8, seed, -0.5, 1);
      expect(values(runGraph(fromUint8, feeds).get('fc_out_DequantizeLinear_out')!)).toEqual(values(runGraph(fromInt8, feeds).get('fc_out_DequantizeLinear_out')!));
    }
  });

  it('Relu clamps at the output zero point; Clip bounds quantize with the output scale into act_min/act_max', () => {
    const relu = node(convertQuantizedGraph(qdqCnn({ activation: 'relu' })).graph, 'Int8Conv');
    expect(relu.attrs.act_min).toEqual(attr.int(-100));
    expect(relu.attrs.act_max).toBeUndefined();
    const clip = node(convertQuantizedGraph(qdqCnn({ activation: 'clip' })).graph, 'Int8Conv');
    // 0 → the zero point -90; 0.6 / 0.0094 = 63.8 → 64 − 90 = -26.
    expect(clip.attrs.act_min).toEqual(attr.int(-90));
    expect(clip.attrs.act_max).toEqual(attr.int(-26));
    for (const activation of ['relu', 'clip'] as const) {
      const qdq = qdqCnn({ activation });
      const stats = agreement(qdq, convertQuantizedGraph(qdq).graph, 0.021);
      expect(stats.maxLsb).toBeLessThanOrEqual(1);
    }
  });

  it('a float bias becomes round(b / (x_scale · w_scale[m])) in int32', () => {
    const { graph } = convertQuantizedGraph(qdqCnn({ floatBias: true }));
    const conv = node(graph, 'Int8Conv');
    const expected = [0.05, -0.11, 0.2, 0.013].map((b, m) => Math.round(Math.fround(b) / (Math.fround(0.0123) * Math.fround([0.0031, 0.0047, 0.0029, 0.0052][m]))));
    expect(values(constant(graph, conv, 7))).toEqual(expected);
  });

  it('a bias dequantized with another scale than x_scale · w_scale is rescaled, one rounding', () => {
    const b = new GraphBuilder('bias_scale');
    const xq = b.op('QuantizeLinear', [b.input('x', 'float32', [1, 2]), b.initializer('xs', scalar('float32', 0.5)), b.initializer('xz', scalar('int8', 0))]);
    const x = b.op('DequantizeLinear', [xq, 'xs', 'xz']);
    const w = b.op('DequantizeLinear', [b.initializer('w', ints('int8', [1, 2], [3, -5])), b.initializer('ws', scalar('float32', 0.25))]);
    const bias = b.op('DequantizeLinear', [b.initializer('bq', ints('int32', [1], [7])), b.initializer('bs', f32([0.25]))]);
    const y = b.op('Gemm', [x, w, bias], { transB: attr.int(1) }, 'fc');
    b.output(b.op('DequantizeLinear', [b.op('QuantizeLinear', [y, b.initializer('ys', scalar('float32', 0.1)), b.initializer('yz', scalar('int8', 0))]), 'ys', 'yz']));
    const { graph } = convertQuantizedGraph(b.build());
    // 7 × 0.25 = 1.75 in units of 0.5 × 0.25 = 0.125: 14.
    expect(values(constant(graph, node(graph, 'Int8Gemm'), 7))).toEqual([14]);
  });

  it('MatMul (+ Add bias) with per-column weight scales becomes Int8Gemm with its weights transposed', () => {
    const rng = new Random(3);
    const b = new GraphBuilder('matmul');
    const xq = b.op('QuantizeLinear', [b.input('x', 'float32', [1, 4]), b.initializer('xs', scalar('float32', 0.02)), b.initializer('xz', scalar('uint8', 120))]);
    const x = b.op('DequantizeLinear', [xq, 'xs', 'xz']);
    const wValues = randomInts(rng, 12, -127, 127);
    const w = b.op('DequantizeLinear', [b.initializer('w', ints('int8', [4, 3], wValues)), b.initializer('ws', f32([0.01, 0.02, 0.03])), b.initializer('wz', ints('int8', [3], [0, 0, 0]))], { axis: attr.int(1) });
    const y = b.op('Add', [b.op('MatMul', [x, w], {}, 'fc'), b.initializer('bias', f32([0.1, -0.2, 0.3]))], {}, 'fc_bias');
    b.output(b.op('DequantizeLinear', [b.op('QuantizeLinear', [y, b.initializer('ys', scalar('float32', 0.05)), b.initializer('yz', scalar('uint8', 128))]), 'ys', 'yz']));
    const original = b.build();
    const { graph } = convertQuantizedGraph(original);
    expect(ops(graph)).toEqual(['QuantizeLinear', 'Int8Gemm', 'DequantizeLinear']);
    const gemm = node(graph, 'Int8Gemm');
    const wt = constant(graph, gemm, 3);
    expect(wt.shape).toEqual([3, 4]);
    for (let m = 0; m < 3; m++) for (let k = 0; k < 4; k++) expect(wt.at(m * 4 + k)).toBe(wValues[k * 3 + m]);
    expect(agreement(original, graph, 0.05).maxLsb).toBeLessThanOrEqual(1);
  });

  it('Gemm without transB takes [K, M] weights per output column', () => {
    const b = new GraphBuilder('gemm_k_m');
    const x = b.op('DequantizeLinear', [b.op('QuantizeLinear', [b.input('x', 'float32', [1, 2]), b.initializer('xs', scalar('float32', 0.1)), b.initializer('xz', scalar('int8', 0))]), 'xs', 'xz']);
    const w = b.op('DequantizeLinear', [b.initializer('w', ints('int8', [2, 3], [1, 2, 3, 4, 5, 6])), b.initializer('ws', f32([0.1, 0.2, 0.3]))], { axis: attr.int(1) });
    const y = b.op('Gemm', [x, w], {}, 'fc');
    b.output(b.op('DequantizeLinear', [b.op('QuantizeLinear', [y, b.initializer('ys', scalar('float32', 0.05)), b.initializer('yz', scalar('int8', 0))]), 'ys', 'yz']));
    const { graph } = convertQuantizedGraph(b.build());
    const gemm = node(graph, 'Int8Gemm');
    expect(values(constant(graph, gemm, 3))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(values(constant(graph, gemm, 4))).toEqual([0.1, 0.2, 0.3].map(Math.fround));
  });

  it('a layer whose result leaves the quantized region (a float graph output) stays as it is', () => {
    const b = new GraphBuilder('float_tail');
    const x = b.op('DequantizeLinear', [b.op('QuantizeLinear', [b.input('x', 'float32', [1, 2]), b.initializer('xs', scalar('float32', 0.1)), b.initializer('xz', scalar('int8', 0))]), 'xs', 'xz']);
    const w = b.op('DequantizeLinear', [b.initializer('w', ints('int8', [1, 2], [1, 2])), b.initializer('ws', scalar('float32', 0.1))]);
    b.output(b.op('Gemm', [x, w], { transB: attr.int(1) }, 'fc'));
    const original = b.build();
    const { graph, made } = convertQuantizedGraph(original);
    expect(made.size).toBe(0);
    expect(ops(graph)).toEqual(ops(original));
  });

  it('loads from a file only when asked (LoadOptions.int8Ops); a plain import keeps the standard ops', () => {
    const bytes = exportOnnx(qdqCnn());
    const deployed = loadOnnxBytes(bytes, 'qdq.onnx', { int8Ops: true });
    expect(ops(deployed)).toEqual(['QuantizeLinear', 'Int8Conv', 'MaxPool', 'Flatten', 'Int8Gemm', 'DequantizeLinear']);
    const plain = loadOnnxBytes(bytes, 'qdq.onnx');
    expect(holdsQuantizedOnnx(plain)).toBe(true);
    expect(plain.nodes.some((n) => n.domain === EDGEPRUNE_DOMAIN)).toBe(false);
    expect(ops(plain)).toContain('Conv');
  });
});

describe('QOperator and integer forms', () => {
  it('QLinearConv → Int8Conv and QLinearMatMul → Int8Gemm (weights transposed), within 1 LSB of onnxruntime', async () => {
    // Weights onnxruntime multiplies exactly on every x86 CPU (test/support/ort-safe-weights.ts).
    const qlinear = halveIntegerWeights(qlinearCnn('uint8'));
    const { graph } = convertQuantizedGraph(qlinear);
    expect(ops(graph)).toEqual(['QuantizeLinear', 'Int8Conv', 'MaxPool', 'Flatten', 'Int8Gemm', 'DequantizeLinear']);
    const gemm = node(graph, 'Int8Gemm');
    expect(constant(graph, gemm, 3).shape).toEqual([3, 36]);
    expect(values(constant(graph, gemm, 3)).slice(0, 3)).toEqual([0, 3, 6].map((i) => qlinear.initializers.get('fc.b')!.at(i)));
    const stats = new LsbAgreement();
    const bytes = exportOnnx(qlinear);
    for (let seed = 0; seed < 10; seed++) {
      const feeds = randomInput(qlinear, seed, -0.5, 1);
      stats.add(runGraph(graph, feeds).get('output_out')!, (await runOnnxruntime(bytes, feeds)).get('output_out')!, 0.021);
    }
    expect(stats.maxLsb).toBeLessThanOrEqual(1);
    expect(stats.equalShare).toBeGreaterThan(0.9);
  });

  it('ConvInteger → Cast → Mul(x_scale·w_scale) → Add(bias) → Relu → QuantizeLinear becomes one Int8Conv', () => {
    const b = new GraphBuilder('conv_integer');
    const xq = b.op('QuantizeLinear', [b.input('x', 'float32', [1, 1, 4, 4]), b.initializer('xs', scalar('float32', 0.02)), b.initializer('xz', scalar('uint8', 130))]);
    const acc = b.op('ConvInteger', [xq, b.initializer('w', ints('int8', [2, 1, 3, 3], randomInts(new Random(5), 18, -127, 127))), 'xz'], { kernel_shape: attr.ints([3, 3]) }, 'conv');
    const scaled = b.op('Mul', [b.op('Cast', [acc], { to: attr.int(1) }), b.initializer('xw', f32([0.02 * 0.01, 0.02 * 0.03], [1, 2, 1, 1]))]);
    const biased = b.op('Add', [scaled, b.initializer('bias', f32([0.05, -0.05], [1, 2, 1, 1]))]);
    const y = b.op('QuantizeLinear', [b.op('Relu', [biased]), b.initializer('ys', scalar('float32', 0.03)), b.initializer('yz', scalar('int8', -20))]);
    b.output(b.op('DequantizeLinear', [y, 'ys', 'yz']));
    const original = b.build();
    const { graph } = convertQuantizedGraph(original);
    expect(ops(graph)).toEqual(['QuantizeLinear', 'Int8Conv', 'DequantizeLinear']);
    const conv = node(graph, 'Int8Conv');
    expect(values(constant(graph, conv, 2))).toEqual([2]); // 130 − 128
    expect(conv.attrs.act_min).toEqual(attr.int(-20));
    expect(values(constant(graph, conv, 4))).toEqual([Math.fround(Math.fround(0.02 * 0.01) / Math.fround(0.02)), Math.fround(Math.fround(0.02 * 0.03) / Math.fround(0.02))]);
    expect(agreement(original, graph, 0.03).maxLsb).toBeLessThanOrEqual(1);
  });

  it('MatMulInteger → Cast → Mul → QuantizeLinear becomes Int8Gemm', () => {
    const b = new GraphBuilder('matmul_integer');
    const xq = b.op('QuantizeLinear', [b.input('x', 'float32', [1, 3]), b.initializer('xs', scalar('float32', 0.02)), b.initializer('xz', scalar('int8', 4))]);
    const acc = b.op('MatMulInteger', [xq, b.initializer('w', ints('int8', [3, 2], [10, -20, 30, -40, 50, -60])), 'xz'], {}, 'fc');
    const scaled = b.op('Mul', [b.op('Cast', [acc], { to: attr.int(1) }), b.initializer('xw', scalar('float32', 0.02 * 0.005))]);
    b.output(b.op('DequantizeLinear', [b.op('QuantizeLinear', [scaled, b.initializer('ys', scalar('float32', 0.01)), b.initializer('yz', scalar('int8', 0))]), 'ys', 'yz']));
    const original = b.build();
    const { graph } = convertQuantizedGraph(original);
    expect(ops(graph)).toEqual(['QuantizeLinear', 'Int8Gemm', 'DequantizeLinear']);
    expect(values(constant(graph, node(graph, 'Int8Gemm'), 3))).toEqual([10, 30, 50, -20, -40, -60]);
    expect(agreement(original, graph, 0.01).maxLsb).toBeLessThanOrEqual(1);
  });
});

describe('uint8 → int8', () => {
  it('is exact: every converted value is the uint8 value − 128, outputs bit-identical (QDQ and QOperator forms)', () => {
    for (const uint8 of [qdqCnn({ activations: 'uint8' }), qlinearCnn('uint8')]) {
      const int8 = shiftUint8ToInt8(uint8);
      expect([...int8.values.values()].filter((v) => v.dtype === 'uint8')).toEqual([]);
      for (let seed = 0; seed < 10; seed++) {
        const feeds = randomInput(uint8, seed, -2, 3); // beyond the range: saturation at both ends
        const before = runGraph(uint8, feeds, { keepIntermediates: true });
        const after = runGraph(int8, feeds, { keepIntermediates: true });
        for (const [name, v] of uint8.values) {
          const a = after.get(name)!;
          if (v.dtype === 'uint8') {
            expect(a.dtype).toBe('int8');
            expect(values(a)).toEqual(values(before.get(name)!).map((u) => u - 128));
          } else {
            expect(values(a)).toEqual(values(before.get(name)!));
          }
        }
      }
    }
  });

  it('uint8 weights with zero point 128 are symmetric int8 weights', () => {
    const b = new GraphBuilder('uint8_weights');
    const x = b.op('DequantizeLinear', [b.op('QuantizeLinear', [b.input('x', 'float32', [1, 2]), b.initializer('xs', scalar('float32', 0.1)), b.initializer('xz', scalar('int8', 0))]), 'xs', 'xz']);
    const w = b.op('DequantizeLinear', [b.initializer('w', ints('uint8', [1, 2], [1, 255])), b.initializer('ws', scalar('float32', 0.1)), b.initializer('wz', scalar('uint8', 128))]);
    const y = b.op('Gemm', [x, w], { transB: attr.int(1) }, 'fc');
    b.output(b.op('DequantizeLinear', [b.op('QuantizeLinear', [y, b.initializer('ys', scalar('float32', 0.05)), b.initializer('yz', scalar('int8', 0))]), 'ys', 'yz']));
    const { graph } = convertQuantizedGraph(b.build());
    expect(values(constant(graph, node(graph, 'Int8Gemm'), 3))).toEqual([-127, 127]);
  });

  it('leaves a uint8 value that is a graph output as it is (and the layer producing it unconverted)', () => {
    const b = new GraphBuilder('uint8_output');
    const q = b.op('QuantizeLinear', [b.input('x', 'float32', [1, 4]), b.initializer('s', scalar('float32', 0.1)), b.initializer('z', scalar('uint8', 128))]);
    b.output(q);
    const g = b.build();
    const shifted = shiftUint8ToInt8(g);
    expect(shifted.outputs[0].dtype).toBe('uint8');
    const feeds = { x: Tensor.fromNumbers('float32', [1, 4], [-1, 0, 0.55, 99]) };
    expect(values(runGraph(shifted, feeds).get(q)!)).toEqual([118, 128, 134, 255]);
  });
});
