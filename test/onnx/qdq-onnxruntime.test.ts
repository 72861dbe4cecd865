// Models quantized by onnxruntime's own quantize_static (test/fixtures/ort-quantized/make-models.py): QDQ with uint8 and
// int8 activations, and the QOperator form, imported into int8 ops and compared with onnxruntime running the same file.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { loadOnnx, loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { EDGEPRUNE_DOMAIN } from '../../src/ops/util/int8-params.js';
import { LsbAgreement } from '../../src/quant/onnx/lsb-agreement.js';
import { runOnnxruntime } from '../support/ort.js';
import { halveIntegerWeights } from '../support/ort-safe-weights.js';
import { randomInput } from '../support/quantized-models.js';

const FIXTURES = path.resolve('test/fixtures/ort-quantized');
const fixture = (name: string) => path.join(FIXTURES, name);
const values = (t: Tensor) => t.toNumbers();

/** The scale of the DequantizeLinear that makes the float output. */
const outputScale = (g: Graph) => g.initializers.get(g.nodes.find((n) => n.outputs[0] === g.outputs[0].name)!.inputs[1])!.at(0);

const CASES: [file: string, ops: string[]][] = [
  ['qdq-u8.onnx', ['QuantizeLinear', 'Int8Conv', 'MaxPool', 'Int8Conv', 'Int8Add', 'Int8GlobalAveragePool', 'Flatten', 'Int8Gemm', 'DequantizeLinear']],
  ['qdq-s8.onnx', ['QuantizeLinear', 'Int8Conv', 'MaxPool', 'Int8Conv', 'Int8Add', 'Int8GlobalAveragePool', 'Flatten', 'Int8Gemm', 'DequantizeLinear']],
  ['qoperator-u8.onnx', ['QuantizeLinear', 'Int8Conv', 'MaxPool', 'Int8Conv', 'Flatten', 'Int8Gemm', 'DequantizeLinear']],
];

describe('models quantized by onnxruntime quantize_static', () => {
  for (const [file, ops] of CASES) {
    it(`${file}: every layer becomes an int8 op; outputs within 1 LSB of onnxruntime on the same file`, async () => {
      expect(loadOnnx(fixture(file), { int8Ops: true }).nodes.map((n) => n.opType)).toEqual(ops);
      // The QOperator file's integer weights halved on both sides, so that onnxruntime multiplies them exactly on every
      // x86 CPU (test/support/ort-safe-weights.ts); the QDQ files run in float there and are compared as they are.
      const bytes = file.startsWith('qoperator') ? exportOnnx(halveIntegerWeights(loadOnnx(fixture(file)))) : fs.readFileSync(fixture(file));
      const g = loadOnnxBytes(bytes, file, { int8Ops: true });
      expect(g.nodes.map((n) => n.opType)).toEqual(ops);
      expect([...g.values.values()].filter((v) => v.dtype === 'uint8')).toEqual([]);
      const stats = new LsbAgreement();
      for (let seed = 0; seed < 30; seed++) {
        const feeds = randomInput(g, seed);
        stats.add(runGraph(g, feeds).get('logits')!, (await runOnnxruntime(bytes, feeds)).get('logits')!, outputScale(g));
      }
      expect(stats.maxLsb).toBeLessThanOrEqual(1);
      expect(stats.equalShare).toBeGreaterThanOrEqual(0.99);
    });
  }

  it('keeps the weights onnxruntime wrote, and turns uint8 zero points into int8 ones 128 lower', () => {
    const plain = loadOnnx(fixture('qdq-u8.onnx'));
    const g = loadOnnx(fixture('qdq-u8.onnx'), { int8Ops: true });
    const conv = g.nodes.find((n) => n.opType === 'Int8Conv')!;
    const weightDq = plain.nodes.find((n) => n.opType === 'DequantizeLinear' && plain.initializers.get(n.inputs[0])?.shape.length === 4)!;
    expect(values(g.initializers.get(conv.inputs[3])!)).toEqual(values(plain.initializers.get(weightDq.inputs[0])!));
    const inputQ = plain.nodes.find((n) => n.opType === 'QuantizeLinear')!;
    expect(plain.initializers.get(inputQ.inputs[2])!.dtype).toBe('uint8');
    expect(g.initializers.get(conv.inputs[2])!.at(0)).toBe(plain.initializers.get(inputQ.inputs[2])!.at(0) - 128);
  });

  it('exports back as QDQ that onnxruntime runs and that imports into the same int8 graph, bit for bit', async () => {
    const g = loadOnnx(fixture('qdq-u8.onnx'), { int8Ops: true });
    const bytes = exportOnnx(g);
    const back = loadOnnxBytes(bytes, 'again.onnx', { int8Ops: true });
    expect(back.nodes.map((n) => [n.name, n.opType, n.domain])).toEqual(g.nodes.map((n) => [n.name, n.opType, n.domain]));
    expect(back.nodes.filter((n) => n.domain === EDGEPRUNE_DOMAIN)).toHaveLength(5);
    for (let seed = 0; seed < 10; seed++) {
      const feeds = randomInput(g, seed);
      const ours = runGraph(g, feeds).get('logits')!;
      expect(values(runGraph(back, feeds).get('logits')!)).toEqual(values(ours));
      const theirs = (await runOnnxruntime(bytes, feeds)).get('logits')!;
      const stats = new LsbAgreement();
      stats.add(ours, theirs, outputScale(g));
      expect(stats.maxLsb).toBeLessThanOrEqual(1);
    }
  });
});
