// A classifier ending in ArgMax (the firmware returns an int64 class index): the float model compiles to C and
// `edgeprune verify` passes on the Cortex-M3 (lm3s6965) and the Cortex-M4F (mps2-an386); its int8 form (ArgMax on the
// int8 logits, no DequantizeLinear) verifies bit-exact on lm3s6965.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { runCli } from '../support/cli.js';
import { feeds, ModelBuilder } from '../quant/quant-models.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** input 1x1x6x6 → Conv 1→4 + Relu → Flatten → Gemm 144→10 → (Softmax) → ArgMax(axis 1, keepdims 0): one int64 class. */
export function argMaxClassifier(softmax = false): Graph {
  const m = new ModelBuilder(softmax ? 'softmax_argmax' : 'argmax_classifier', 11);
  const x = m.b.input('input', 'float32', [1, 1, 6, 6]);
  let y = m.b.op('Flatten', [m.b.op('Relu', [m.conv(x, 1, 4, 'conv')], {}, 'relu')], {}, 'flatten');
  y = m.dense(y, 144, 10, 'fc');
  if (softmax) y = m.b.op('Softmax', [y], { axis: attr.int(1) }, 'probabilities');
  m.b.output(m.b.op('ArgMax', [y], { axis: attr.int(1), keepdims: attr.int(0) }, 'class'));
  return m.b.build();
}

export function modelFile(g: Graph, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `edgeprune-${prefix}-`));
  made.push(dir);
  const file = path.join(dir, `${g.name}.onnx`);
  fs.writeFileSync(file, exportOnnx(g));
  return file;
}

describe('a float classifier ending in ArgMax compiles to C and verifies', () => {
  it('compile writes a model API whose output is int64_t', async () => {
    const file = modelFile(argMaxClassifier(), 'argmax-compile');
    const out = path.join(path.dirname(file), 'c');
    const r = await runCli(['compile', file, '--out', out], { timeout: 120_000 });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const header = fs.readFileSync(path.join(out, 'model.h'), 'utf8');
    expect(header).toMatch(/int model_invoke\(const float \*input0, int64_t \*output0\);/);
    expect(fs.readFileSync(path.join(out, 'model.c'), 'utf8')).toMatch(/ep_argmax_f32\(MODEL_ARENA_F32\(\d+\), MODEL_ARENA_S64\(\d+\), 1, 10, 1, 0\);/);
  }, 200_000);

  it('edgeprune verify --target lm3s6965 (soft float) passes with the class index equal to the interpreter\'s', async () => {
    const file = modelFile(argMaxClassifier(), 'argmax-verify');
    const r = await runCli(['verify', file, '--precision', 'float32', '--target', 'lm3s6965', '--vectors', '8', '--json'], { timeout: 300_000 });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ passed: true, vectors: 8, bitExactVectors: 8, hostBitIdentical: true, maxAbsError: 0 });
  }, 600_000);

  // (the Cortex-M4F's run: this one verify, with the trace, rather than a second one without it)
  it('edgeprune verify --target mps2-an386 --trace passes with the class index equal to the interpreter\'s, comparing every layer, the int64 index included', async () => {
    const file = modelFile(argMaxClassifier(), 'argmax-trace');
    const r = await runCli(['verify', file, '--precision', 'float32', '--target', 'mps2-an386', '--vectors', '8', '--trace', '--json'], { timeout: 300_000 });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ passed: true, vectors: 8, bitExactVectors: 8, hostBitIdentical: true, maxAbsError: 0 });
    const last = report.trace.layers.at(-1);
    expect(last).toMatchObject({ op: 'ArgMax', dtype: 'int64', mismatches: 0, maxAbsDiff: 0 });
    expect(report.trace.firstDiverging).toBeNull();
  }, 600_000);
});

describe('the int8 form of an ArgMax classifier runs ArgMax on the int8 logits and verifies bit-exact', () => {
  it('quantizes into ArgMax on int8 without a DequantizeLinear, dropping a Softmax over the same axis', () => {
    for (const softmax of [false, true]) {
      const { graph, report } = quantizeModel(argMaxClassifier(softmax), feeds(argMaxClassifier(softmax), 16, 3));
      expect(graph.nodes.map((n) => n.opType)).toEqual(['QuantizeLinear', 'Int8Conv', 'Flatten', 'Int8Gemm', 'ArgMax']);
      const argmax = graph.nodes[4];
      expect(graph.values.get(argmax.inputs[0])?.dtype).toBe('int8');
      expect(graph.outputs.map((o) => [o.name, graph.values.get(o.name)?.dtype])).toEqual([['class_out', 'int64']]);
      if (softmax) expect(report.layers).toContainEqual({ name: 'probabilities', from: 'Softmax', to: 'dropped (monotonic: the ArgMax after it reads its input)' });
    }
  });

  it('the int8 class is the ArgMax of the dequantized int8 logits (first index on ties)', () => {
    const float = argMaxClassifier(true);
    const { graph } = quantizeModel(float, feeds(float, 16, 3));
    const gemm = graph.nodes[3];
    const scale = graph.initializers.get(gemm.inputs[5])!.at(0);
    const zero = graph.initializers.get(gemm.inputs[6])!.at(0);
    for (const feed of feeds(float, 24, 8, -2, 2)) {
      const values = runGraph(graph, feed, { keepIntermediates: true });
      const logits = Array.from(values.get(gemm.outputs[0])!.data as Int8Array, (q) => (q - zero) * scale);
      const best = logits.indexOf(Math.max(...logits));
      expect(values.get('class_out')!.data as BigInt64Array).toEqual(BigInt64Array.from([BigInt(best)]));
    }
  });

  it.each([false, true])('edgeprune verify --precision int8 --target lm3s6965 passes bit-exact (Softmax before the ArgMax: %s)', async (softmax) => {
    const float = argMaxClassifier(softmax);
    const file = modelFile(quantizeModel(float, feeds(float, 16, 3)).graph, 'argmax-int8');
    const r = await runCli(['verify', file, '--precision', 'int8', '--target', 'lm3s6965', '--vectors', '8', '--json'], { timeout: 300_000 });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ passed: true, comparison: 'bit-exact', bitExactVectors: 8, vectors: 8, hostBitIdentical: true, maxAbsError: 0 });
  }, 600_000);
});
