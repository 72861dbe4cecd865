// Models written the way CNTK, PyTorch and keras2onnx export them (opsets 8-13): import, counts, and running.
import { describe, expect, it } from 'vitest';
import { modelStats } from '../../src/analysis/model-stats.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { cntkMnist, kerasCnn, pytorchMlp, rand } from '../support/exporter-style-models.js';

function randomInput(shape: number[]): Tensor {
  return rand(shape);
}

describe('CNTK-style MNIST (opset 8)', () => {
  const g = loadOnnxBytes(cntkMnist(), 'mnist-8.onnx');
  const stats = modelStats(g);

  it('counts the parameters and MACs of the model-zoo MNIST network', () => {
    // conv1 8x1x5x5 + 8, conv2 16x8x5x5 + 16, dense 256x10 + 10.
    expect(stats.totals.params).toBe(200 + 8 + 3200 + 16 + 2560 + 10);
    // 28x28x8 outputs x 25, 14x14x16 outputs x 200, 256 x 10.
    expect(stats.totals.macs).toBe(156_800 + 627_200 + 2_560);
  });

  it('folds the weight Reshape into a constant and runs', () => {
    expect(g.nodes.filter((n) => n.opType === 'Reshape').length).toBe(1);
    const out = runGraph(g, { Input3: randomInput([1, 1, 28, 28]) }).get('Plus214_Output_0')!;
    expect(out.shape).toEqual([1, 10]);
    expect(Array.from(out.data as Float32Array).every(Number.isFinite)).toBe(true);
  });
});

describe('PyTorch-style MLP (opset 11, dynamic batch)', () => {
  it('runs a dynamic batch as 1, with a notice naming the flag', () => {
    const notices: string[] = [];
    const g = loadOnnxBytes(pytorchMlp(), 'mlp.onnx', { onNotice: (t) => notices.push(t) });
    expect(notices).toEqual(["input 'input' has a dynamic batch dimension 'batch_size': using 1 (set it with --input-shape input=1x1x8x8)"]);
    expect(g.inputs[0].shape).toEqual([1, 1, 8, 8]);
    expect(runGraph(g, { input: randomInput([1, 1, 8, 8]) }).get('output')!.shape).toEqual([1, 10]);
  });

  it('folds the shape arithmetic once the batch is fixed, and counts correctly', () => {
    const g = loadOnnxBytes(pytorchMlp(), 'mlp.onnx', { inputShapes: { input: [1, 1, 8, 8] } });
    expect(g.nodes.map((n) => n.opType)).toEqual(['Reshape', 'Gemm', 'Relu', 'Gemm']);
    const stats = modelStats(g);
    expect(stats.totals.params).toBe(64 * 32 + 32 + 32 * 10 + 10);
    expect(stats.totals.macs).toBe(64 * 32 + 32 * 10);
    expect(runGraph(g, { input: randomInput([1, 1, 8, 8]) }).get('output')!.shape).toEqual([1, 10]);
  });

  it('takes a batch of 4 as well', () => {
    const g = loadOnnxBytes(pytorchMlp(), 'mlp.onnx', { inputShapes: { input: [4, 1, 8, 8] } });
    expect(modelStats(g).totals.macs).toBe(4 * (64 * 32 + 32 * 10));
  });
});

describe('keras2onnx-style CNN (opset 9, NHWC, Softmax on 2-D)', () => {
  const g = loadOnnxBytes(kerasCnn(), 'keras.onnx', { inputShapes: { input_1: [1, 8, 8, 1] } });

  it('counts conv, batch-norm and dense parameters', () => {
    const stats = modelStats(g);
    expect(stats.totals.params).toBe(36 + 4 + 16 + 640 + 10);
    expect(stats.totals.macs).toBe(8 * 8 * 4 * 9 + 640);
  });

  it('rewrites the opset-9 Softmax without leaving no-op reshapes or the Dropout', () => {
    expect(g.nodes.map((n) => n.opType)).toEqual(['Transpose', 'Conv', 'BatchNormalization', 'Relu', 'MaxPool', 'Transpose', 'Reshape', 'MatMul', 'Add', 'Softmax']);
  });

  it('gives probabilities that sum to 1', () => {
    const out = runGraph(g, { input_1: randomInput([1, 8, 8, 1]) }).get('dense')!;
    const sum = Array.from(out.data as Float32Array).reduce((a, b) => a + b, 0);
    expect(out.shape).toEqual([1, 10]);
    expect(sum).toBeCloseTo(1, 5);
  });
});
