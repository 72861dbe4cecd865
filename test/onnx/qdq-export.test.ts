// Int8 graphs exported as QDQ ONNX (src/quant/onnx/qdq-export.ts): the form written, onnxruntime loading and running it,
// the round trip through our importer back into the same int8 ops, bit for bit, and where the rounding rules differ.
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { int8DigitsMlp, int8MnistLikeCnn } from '../../src/models/int8-sample-models.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { lowerInt8ToQdq } from '../../src/quant/onnx/qdq-export.js';
import { LsbAgreement } from '../../src/quant/onnx/lsb-agreement.js';
import { VERSION } from '../../src/version.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { feeds, residualModel, smallCnn } from '../quant/quant-models.js';
import { runOnnxruntime } from '../support/ort.js';
import { f32, ints, randomInput } from '../support/quantized-models.js';

const values = (t: Tensor) => Array.from(t.data as ArrayLike<number>);
const int8Nodes = (g: Graph) => g.nodes.filter((n) => n.domain === EDGEPRUNE_DOMAIN);
const byName = (g: Graph, name: string): Node => g.nodes.find((n) => n.name === name)!;

/** Attributes with the clamp spelled out (act_min -128 and act_max 127 are the defaults). */
const withClamp = (attrs: Node['attrs']) => ({ act_min: attr.int(-128), act_max: attr.int(127), ...attrs });

/** One Int8Gemm on an int8 graph input [N, K], its int8 output the graph output. */
function singleGemm(o: { x: number[]; w: number[]; N: number; K: number; xScale: number; wScale: number[]; yScale: number; xZero: number; yZero: number; actMin?: number; actMax?: number; bias?: number[] }): Graph {
  const b = new GraphBuilder('single_gemm');
  const M = o.w.length / o.K;
  const inputs = [
    b.input('x', 'int8', [o.N, o.K]),
    b.initializer('xs', f32([o.xScale])),
    b.initializer('xz', ints('int8', [1], [o.xZero])),
    b.initializer('w', ints('int8', [M, o.K], o.w)),
    b.initializer('ws', f32(o.wScale)),
    b.initializer('ys', f32([o.yScale])),
    b.initializer('yz', ints('int8', [1], [o.yZero])),
    ...(o.bias ? [b.initializer('bias', ints('int32', [M], o.bias))] : []),
  ];
  const clamp = { ...(o.actMin !== undefined ? { act_min: attr.int(o.actMin) } : {}), ...(o.actMax !== undefined ? { act_max: attr.int(o.actMax) } : {}) };
  b.output(b.node('Int8Gemm', inputs, clamp, { name: 'fc', domain: EDGEPRUNE_DOMAIN })[0]);
  return b.build();
}

describe('QDQ export of int8 ops', () => {
  it('writes only standard ops: DequantizeLinear of x, of per-channel weights (axis 0) and of the int32 bias, the float op, Relu/Clip, QuantizeLinear', () => {
    const int8 = int8MnistLikeCnn();
    const qdq = lowerInt8ToQdq(int8);
    expect(qdq.nodes.every((n) => n.domain === '')).toBe(true);
    const conv1 = byName(qdq, 'conv1');
    expect(conv1.opType).toBe('Conv');
    const [xDq, wDq, bDq] = conv1.inputs.map((v) => qdq.nodes.find((n) => n.outputs[0] === v)!);
    expect([xDq.opType, wDq.opType, bDq.opType]).toEqual(['DequantizeLinear', 'DequantizeLinear', 'DequantizeLinear']);
    expect(xDq.inputs[0]).toBe('input_quantize_out');
    expect(wDq.inputs[0]).toBe('conv1.weight');
    expect(wDq.attrs.axis).toEqual(attr.int(0));
    const wScale = int8.initializers.get('conv1.w_scale')!;
    const xScale = int8.initializers.get('conv1.x_scale')!.at(0);
    expect(bDq.inputs[0]).toBe('conv1.bias');
    expect(values(qdq.initializers.get(bDq.inputs[1])!)).toEqual(values(wScale).map((s) => Math.fround(xScale * s)));
    // conv1: ReLU with output zero point -128 is the QuantizeLinear's own saturation; conv2 clamps at 100: a Clip.
    expect(qdq.nodes.find((n) => n.inputs[0] === conv1.outputs[0])!.opType).toBe('QuantizeLinear');
    const conv2Next = qdq.nodes.find((n) => n.inputs[0] === byName(qdq, 'conv2').outputs[0])!;
    expect(conv2Next.opType).toBe('Clip');
    expect(conv2Next.inputs[1]).toBe(''); // the lower bound -128 is saturation
    expect(byName(qdq, 'fc').opType).toBe('Gemm');
    expect(byName(qdq, 'fc').attrs.transB).toEqual(attr.int(1));
  });

  it('onnxruntime loads and runs it: every int8 layer output within 1 LSB of the interpreter, 99.9% equal', async () => {
    for (const make of [int8MnistLikeCnn, int8DigitsMlp]) {
      const model = make();
      const layerOutputs = int8Nodes(model).map((n) => n.outputs[0]);
      const g = { ...model, outputs: [...model.outputs, ...layerOutputs.map((name) => ({ ...model.values.get(name)! }))] };
      const bytes = exportOnnx(g);
      const stats = new LsbAgreement();
      for (let seed = 0; seed < 8; seed++) {
        const feeds = randomInput(g, seed);
        const ours = runGraph(g, feeds);
        const theirs = await runOnnxruntime(bytes, feeds);
        for (const name of layerOutputs) stats.add(ours.get(name)!, theirs.get(name)!);
      }
      expect(stats.elements).toBeGreaterThan(0);
      expect(stats.maxLsb).toBeLessThanOrEqual(1);
      expect(stats.equalShare).toBeGreaterThanOrEqual(0.999);
    }
  });

  it('rounds exact halves differently from onnxruntime: edgeprune half up, onnxruntime (y / scale, QuantizeLinear) half to even', async () => {
    // acc = x, real multiplier 0.5: 1.5 → 2 and 2; 2.5 → 3 (ours) and 2 (onnxruntime); -1.5 → -1 and -2; -2.5 → -2 and -2; 0.75 → 1 and 1.
    const g = singleGemm({ x: [3, 5, -3, -5], w: [1], N: 4, K: 1, xScale: 1, wScale: [0.5], yScale: 1, xZero: 0, yZero: 0 });
    const x = Tensor.fromNumbers('int8', [4, 1], [3, 5, -3, -5]);
    expect(values(runGraph(g, { x }).get(g.outputs[0].name)!)).toEqual([2, 3, -1, -2]);
    expect(values((await runOnnxruntime(exportOnnx(g), { x })).get(g.outputs[0].name)!)).toEqual([2, 2, -2, -2]);
  });

  it('reproduces the fused clamp exactly in onnxruntime (Relu at the zero point, Clip elsewhere, zero points at the extremes)', async () => {
    const x = Tensor.fromNumbers('int8', [16, 1], Array.from({ length: 16 }, (_, i) => -128 + i * 17));
    const cases = [
      { yZero: 0, actMin: 0 },
      { yZero: -128, actMin: -128, actMax: 5 },
      { yZero: 127, actMin: -3, actMax: 126 },
      { yZero: 10, actMin: -50, actMax: 60 },
      { yZero: -20, actMin: -20, actMax: 90 },
    ];
    for (const c of cases) {
      const g = singleGemm({ x: [], w: [2], N: 16, K: 1, xScale: 0.5, wScale: [0.37], yScale: 0.3, xZero: 0, ...c });
      const ours = values(runGraph(g, { x }).get(g.outputs[0].name)!);
      expect(Math.min(...ours)).toBe(c.actMin);
      const theirs = values((await runOnnxruntime(exportOnnx(g), { x })).get(g.outputs[0].name)!);
      expect(theirs).toEqual(ours);
    }
  });
});

describe('QDQ round trip: export → import (int8Ops) → the same int8 graph', () => {
  for (const make of [int8MnistLikeCnn, int8DigitsMlp]) {
    it(`${make.name}: same layers, constants and clamps; bit-exact outputs`, () => {
      const int8 = make();
      const back = loadOnnxBytes(exportOnnx(int8), 'model.onnx', { int8Ops: true });
      expect(back.nodes.map((n) => [n.name, n.opType])).toEqual(int8.nodes.map((n) => [n.name, n.opType]));
      for (const n of int8Nodes(int8)) {
        const m = byName(back, n.name);
        expect(m.domain).toBe(EDGEPRUNE_DOMAIN);
        expect(withClamp(m.attrs)).toEqual(withClamp(n.attrs));
        n.inputs.forEach((input, i) => {
          const want = int8.initializers.get(input);
          if (want) expect(values(back.initializers.get(m.inputs[i])!), `${n.name} input ${i}`).toEqual(values(want));
          else expect(m.inputs[i]).toBe(input);
        });
      }
      for (let seed = 0; seed < 10; seed++) {
        const feeds = randomInput(int8, seed, -0.2, 1.2);
        expect(values(runGraph(back, feeds).get(back.outputs[0].name)!)).toEqual(values(runGraph(int8, feeds).get(int8.outputs[0].name)!));
      }
    });
  }

  it('every clamp survives the round trip exactly, for zero points and scales across the range', () => {
    const zeros = [-128, -127, -1, 0, 1, 77, 126, 127];
    const scales = [1e-4, 0.0037, 0.3, 7.5];
    for (const yZero of zeros) {
      for (const yScale of scales) {
        for (const [actMin, actMax] of [[yZero, 127], [-128, Math.max(-128, yZero - 1)], [Math.min(yZero, 100), 100], [-100, -100], [-127, 126]]) {
          const g = singleGemm({ x: [], w: [1], N: 1, K: 1, xScale: 0.01, wScale: [0.02], yScale, xZero: 0, yZero, actMin, actMax });
          const back = loadOnnxBytes(exportOnnx(g), 'clamp.onnx', { int8Ops: true });
          const fc = byName(back, 'fc');
          expect([fc.attrs.act_min?.value ?? -128, fc.attrs.act_max?.value ?? 127], `zero ${yZero} scale ${yScale}`).toEqual([actMin, actMax]);
        }
      }
    }
  });

  it('models quantized by edgeprune quantize (Int8Conv, Int8Add, Int8AveragePool, Int8GlobalAveragePool, Int8Gemm, Softmax tail): same ops, bit-exact', async () => {
    for (const float of [residualModel(), smallCnn()]) {
      const calibration = feeds(float, 30);
      const { graph: int8 } = quantizeModel(float, calibration);
      const bytes = exportOnnx(int8);
      const back = loadOnnxBytes(bytes, 'quantized.onnx', { int8Ops: true });
      expect(back.nodes.map((n) => [n.name, n.opType, withClamp(n.attrs)])).toEqual(int8.nodes.map((n) => [n.name, n.opType, withClamp(n.attrs)]));
      const out = int8.outputs[0].name;
      const stats = new LsbAgreement();
      for (const f of calibration.slice(0, 8)) {
        const ours = runGraph(int8, f).get(out)!;
        expect(values(runGraph(back, f).get(out)!)).toEqual(values(ours));
        // onnxruntime runs the same file (a float Softmax at the end of one model: compared to 1e-5, not in LSB).
        const theirs = (await runOnnxruntime(bytes, f)).get(out)!;
        stats.add(ours, theirs, int8.nodes.at(-1)!.opType === 'Softmax' ? 1e-5 : 1);
      }
      expect(stats.maxLsb).toBeLessThanOrEqual(1);
    }
  });

  it("int8Ops: 'edgeprune' keeps the ai.edgeprune ops in the file, which import as they are", () => {
    const int8 = int8DigitsMlp();
    const bytes = exportOnnx(int8, VERSION, { int8Ops: 'edgeprune' });
    const back = loadOnnxBytes(bytes, 'native.onnx');
    expect(int8Nodes(back).map((n) => n.opType)).toEqual(['Int8Gemm', 'Int8Gemm']);
    const feeds = randomInput(int8, 1);
    expect(values(runGraph(back, feeds).get(back.outputs[0].name)!)).toEqual(values(runGraph(int8, feeds).get(int8.outputs[0].name)!));
  });

  it('is deterministic, and a graph without int8 ops exports as before', () => {
    expect(Buffer.from(exportOnnx(int8MnistLikeCnn())).equals(Buffer.from(exportOnnx(int8MnistLikeCnn())))).toBe(true);
    const b = new GraphBuilder('float');
    b.output(b.op('Relu', [b.input('x', 'float32', [1, 4])]));
    const g = b.build();
    expect(Buffer.from(exportOnnx(g)).equals(Buffer.from(exportOnnx(g, VERSION, { int8Ops: 'edgeprune' })))).toBe(true);
  });

  it('QDQ → int8 ops → QDQ gives the same bytes: names, scales and biases unchanged', () => {
    const once = exportOnnx(int8MnistLikeCnn());
    const twice = exportOnnx(loadOnnxBytes(once, 'once.onnx', { int8Ops: true }));
    const third = exportOnnx(loadOnnxBytes(twice, 'twice.onnx', { int8Ops: true }));
    expect(Buffer.from(twice).equals(Buffer.from(once))).toBe(true);
    expect(Buffer.from(third).equals(Buffer.from(twice))).toBe(true);
  });
});
