// Per-tensor weights for the dense layers (quantizeModel { denseWeights: 'per-tensor' }, TFLite's fully connected
// scheme): one scale per Int8Gemm weight tensor, convs still per channel, the bias on the one scale, the ONNX round
// trips (edgeprune ops and QDQ) bit for bit, and QAT fake-quantizing those kernels the same way.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { calibrate } from '../../src/quant/calibrate.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { planQuantization } from '../../src/quant/plan.js';
import { quantizeBias, quantizeWeights } from '../../src/quant/qparams.js';
import { assignParams, prepareForQuantization, quantizeModel } from '../../src/quant/quantize.js';
import { installFakeQuant } from '../../src/train/fake-quant-model.js';
import { buildTrainable, dispose, initTraining, predict } from '../../src/train/index.js';
import { VERSION } from '../../src/version.js';
import { runOnnxruntime } from '../support/ort.js';
import { digitsCnn, digitsSplit, interpret } from '../train/helpers.js';
import { feeds, residualModel, smallCnn } from './quant-models.js';

const int8Layers = (g: Graph, op: string) => g.nodes.filter((n) => n.opType === op);
const wScale = (g: Graph, op: string) => int8Layers(g, op).map((n) => g.initializers.get(n.inputs[4])!);

describe('per-tensor dense weights', () => {
  it('quantizeWeights per tensor: one scale fl32(max|w| / 127) for the whole tensor, round half to even', () => {
    // max |w| = 127 → scale 1: 63.5 and 0.5 are half steps (to even: 64 and 0), 1.5 goes to 2.
    const w = Tensor.fromNumbers('float32', [2, 3], [127, -63.5, 0.5, 1.5, 0, -63.5]);
    const { weights, scales } = quantizeWeights(w, 'per-tensor');
    expect(Array.from(scales.data as Float32Array)).toEqual([1]);
    expect(Array.from(weights.data as Int8Array)).toEqual([127, -64, 0, 2, 0, -64]);
    // Per channel, the second row takes its own scale 0.5: finer steps for it.
    const perChannel = quantizeWeights(w);
    expect(Array.from(perChannel.scales.data as Float32Array)).toEqual([1, 0.5]);
    expect(Array.from(perChannel.weights.data as Int8Array)).toEqual([127, -64, 0, 3, 0, -127]);
    // An all-zero tensor: scale 1, every weight 0.
    expect(quantizeWeights(new Tensor('float32', [3, 2]), 'per-tensor').scales.at(0)).toBe(1);
  });

  it('quantizeBias with one weight scale gives every output the same unit x_scale · w_scale', () => {
    const b = quantizeBias([0.5, -0.25, 1e-9], 0.5, Tensor.fromNumbers('float32', [1], [0.01]), 3);
    expect(Array.from(b.data as Int32Array)).toEqual([100, -50, 0]);
  });

  it('gives every Int8Gemm one weight scale and keeps the convs per channel; the default stays per channel', () => {
    const float = residualModel();
    const calibration = feeds(float, 20);
    const pt = quantizeModel(float, calibration, { denseWeights: 'per-tensor' }).graph;
    const pc = quantizeModel(float, calibration).graph;
    expect(wScale(pt, 'Int8Gemm').map((t) => t.shape)).toEqual([[1]]);
    expect(wScale(pc, 'Int8Gemm').map((t) => t.shape)).toEqual([[3]]);
    expect(wScale(pt, 'Int8Conv').map((t) => t.shape)).toEqual(wScale(pc, 'Int8Conv').map((t) => t.shape));
    expect(wScale(pt, 'Int8Conv').every((t) => t.size > 1)).toBe(true);
    // The one scale is the largest of the per-channel ones (max |w| over the tensor).
    const channels = wScale(pc, 'Int8Gemm')[0].toNumbers();
    expect(wScale(pt, 'Int8Gemm')[0].at(0)).toBe(Math.max(...channels));
    // The int8 model still tracks the float one.
    const out = float.outputs[0].name;
    for (const f of calibration.slice(0, 5)) {
      const want = runGraph(float, f).get(out)!.data as Float32Array;
      const got = runGraph(pt, f).get(out)!.data as Float32Array;
      expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])))).toBeLessThan(0.1);
    }
  });

  it('round-trips through ONNX bit for bit: edgeprune ops, and QDQ (a per-tensor DequantizeLinear of the weights), which onnxruntime runs', async () => {
    const float = smallCnn();
    const calibration = feeds(float, 20);
    const { graph } = quantizeModel(float, calibration, { denseWeights: 'per-tensor' });
    const out = graph.outputs[0].name;
    for (const int8Ops of ['edgeprune', 'qdq'] as const) {
      const back = loadOnnxBytes(exportOnnx(graph, VERSION, { int8Ops }), 'per-tensor.onnx', { int8Ops: true });
      expect(wScale(back, 'Int8Gemm').map((t) => Array.from(t.data as Float32Array)), int8Ops).toEqual(wScale(graph, 'Int8Gemm').map((t) => Array.from(t.data as Float32Array)));
      const gemm = int8Layers(back, 'Int8Gemm')[0];
      const orig = int8Layers(graph, 'Int8Gemm')[0];
      expect(Array.from(back.initializers.get(gemm.inputs[7])!.data as Int32Array), int8Ops).toEqual(Array.from(graph.initializers.get(orig.inputs[7])!.data as Int32Array));
      for (const f of calibration.slice(0, 5)) {
        expect(Array.from(runGraph(back, f).get(out)!.data as Float32Array), int8Ops).toEqual(Array.from(runGraph(graph, f).get(out)!.data as Float32Array));
      }
    }
    // onnxruntime opens the QDQ file and agrees (its rounding differs on exact halves only: test/onnx/qdq-export.test.ts).
    const qdq = exportOnnx(graph, VERSION);
    for (const f of calibration.slice(0, 5)) {
      const ours = runGraph(graph, f).get(out)!.data as Float32Array;
      const theirs = (await runOnnxruntime(qdq, f)).get(out)!.data as Float32Array;
      expect(Math.max(...Array.from(ours, (v, i) => Math.abs(v - theirs[i])))).toBeLessThan(0.02);
    }
  });
});

describe('QAT with per-tensor dense weights', () => {
  const { train: trainSet, test: testSet } = digitsSplit();
  beforeAll(async () => {
    await initTraining({ seed: 1 });
  });

  it('fake-quantizes the dense kernels per tensor: the model agrees with the per-tensor int8 graph as the per-channel one does with its own', async () => {
    const g = prepareForQuantization(digitsCnn());
    const plan = planQuantization(g);
    const calibration = calibrationInputs(g, trainSet, 200);
    const { params } = assignParams(plan, calibrate(g, calibration, plan.calibrated, {}));
    const grids = new Map(plan.calibrated.map((n) => [n, params.get(n)!]));
    const x = testSet.features.slice(0, 40 * 64);
    const step = grids.get(g.outputs[0].name)!.scale;
    const t = await buildTrainable(g);
    try {
      /** Share of outputs on the same grid point as the int8 graph's, with these kernels fake-quantized per tensor. */
      const agreement = async (int8: Graph, perTensorWeights: Set<string>) => {
        const want = interpret(int8, x);
        const installed = installFakeQuant(t, { activations: grids, perTensorWeights });
        try {
          const fq = (await predict(t, x)).data as Float32Array;
          return fq.filter((v, i) => Math.abs(v - want[i]) < step / 2).length / fq.length;
        } finally {
          installed.remove();
        }
      };
      const perTensorInt8 = quantizeModel(g, calibration, { denseWeights: 'per-tensor' }).graph;
      const dense = new Set(['fc.weight']);
      const matched = await agreement(perTensorInt8, dense);
      const mismatched = await agreement(perTensorInt8, new Set());
      console.log(`per-tensor int8 vs fake quantization: ${(matched * 100).toFixed(1)}% on the same grid point per tensor, ${(mismatched * 100).toFixed(1)}% per channel`);
      expect(matched).toBeGreaterThanOrEqual(0.95);
      expect(matched).toBeGreaterThan(mismatched);
    } finally {
      dispose(t);
    }
  });
});
