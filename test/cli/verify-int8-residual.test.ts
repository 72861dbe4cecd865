// A small residual CNN (Conv → Relu → Conv + skip Add → GlobalAveragePool → Gemm → Softmax) and a two-branch CNN
// (Concat of two convs, an AveragePool with padding), quantized by quantizeModel, written as QDQ ONNX, then verified
// by `edgeprune verify --precision int8` on the Cortex-M3 (lm3s6965) and the Cortex-M4F (mps2-an386): Int8Add, the int8
// average pools, Concat on int8 and the float Softmax tail compile to C and match the interpreter bit for bit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { runCli } from '../support/cli.js';
import { feeds, ModelBuilder } from '../quant/quant-models.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** input 1x2x8x8 → Conv 2→4 + Relu → Conv 4→4, + the Relu's output (skip), Relu → GlobalAveragePool → Flatten → Gemm 4→3 → Softmax. */
function residualCnn(): Graph {
  const m = new ModelBuilder('residual_cnn', 5);
  const x = m.b.input('input', 'float32', [1, 2, 8, 8]);
  const skip = m.b.op('Relu', [m.conv(x, 2, 4, 'conv1')], {}, 'relu1');
  const sum = m.b.op('Add', [m.conv(skip, 4, 4, 'conv2'), skip], {}, 'add');
  let y = m.b.op('GlobalAveragePool', [m.b.op('Relu', [sum], {}, 'relu2')], {}, 'gap');
  y = m.b.op('Flatten', [y], {}, 'flatten');
  m.b.output(m.b.op('Softmax', [m.dense(y, 4, 3, 'fc')], { axis: attr.int(-1) }, 'probabilities'));
  return m.b.build();
}

/** input 1x1x9x9 → two Conv 1→3 + Relu branches → Concat (6 channels) → AveragePool 3x3 stride 2 pad 1 → Flatten → Gemm 150→4. */
function branchCnn(): Graph {
  const m = new ModelBuilder('branch_cnn', 9);
  const x = m.b.input('input', 'float32', [1, 1, 9, 9]);
  const a = m.b.op('Relu', [m.conv(x, 1, 3, 'left')], {}, 'relu_left');
  const b = m.b.op('Relu', [m.conv(x, 1, 3, 'right')], {}, 'relu_right');
  let y = m.b.op('Concat', [a, b], { axis: attr.int(1) }, 'concat');
  y = m.b.op('AveragePool', [y], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, 'avg');
  y = m.b.op('Flatten', [y], {}, 'flatten');
  m.b.output(m.dense(y, 150, 4, 'fc'));
  return m.b.build();
}

/** The float model quantized on 16 seeded inputs, as a QDQ ONNX file. */
function quantizedFile(float: Graph): { file: string; ops: string[] } {
  const { graph } = quantizeModel(float, feeds(float, 16, 3));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-int8-residual-'));
  made.push(dir);
  const file = path.join(dir, `${float.name}.onnx`);
  fs.writeFileSync(file, exportOnnx(graph));
  return { file, ops: graph.nodes.map((n) => n.opType) };
}

describe('quantized CNNs with Int8Add, int8 average pools, Concat and a Softmax tail verify bit-exact in C', () => {
  it('the residual CNN quantizes into Int8Add, Int8GlobalAveragePool and a float Softmax tail', () => {
    expect(quantizedFile(residualCnn()).ops).toEqual(['QuantizeLinear', 'Int8Conv', 'Int8Conv', 'Int8Add', 'Int8GlobalAveragePool', 'Flatten', 'Int8Gemm', 'DequantizeLinear', 'Softmax']);
    expect(quantizedFile(branchCnn()).ops).toEqual(['QuantizeLinear', 'Int8Conv', 'Int8Conv', 'Concat', 'Int8AveragePool', 'Flatten', 'Int8Gemm', 'DequantizeLinear']);
  });

  it.each(['lm3s6965', 'mps2-an386'])('the residual CNN: edgeprune verify --precision int8 --target %s passes, every vector bit-exact', async (target) => {
    const { file } = quantizedFile(residualCnn());
    const r = await runCli(['verify', file, '--precision', 'int8', '--target', target, '--vectors', '6'], { timeout: 300_000 });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('precision: int8 (model is quantized)');
    expect(r.stdout).toMatch(/PASSED: 6\/6 vectors bit-exact with the interpreter; host and target outputs bit-identical/);
  }, 600_000);

  it('the two-branch CNN (Concat on int8, a padded Int8AveragePool): verify --precision int8 --target lm3s6965 passes bit-exact', async () => {
    const { file } = quantizedFile(branchCnn());
    const r = await runCli(['verify', file, '--precision', 'int8', '--target', 'lm3s6965', '--vectors', '6', '--json'], { timeout: 300_000 });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ passed: true, comparison: 'bit-exact', bitExactVectors: 6, vectors: 6, hostBitIdentical: true, maxAbsError: 0 });
  }, 600_000);
});
