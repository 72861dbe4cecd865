// `edgeprune quantize --qat-epochs N`: a pruned model fine-tuned with fake quantization then converted, its report, and the flag refusals (exit 2).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/import/load-model.js';
import { writeOnnx } from '../../src/onnx/export.js';
import { applyMasks, magnitudeMasks } from '../../src/prune/weight-masks.js';
import { runCli } from '../support/cli.js';

const CNN = path.resolve('examples/models/digits-cnn.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
let dir: string;
let pruned: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-quantize-qat-'));
  // The bundled CNN with 80% of its weights zeroed by magnitude (a pruned model, as `edgeprune prune` writes one).
  const g = await loadModel(CNN);
  pruned = path.join(dir, 'pruned.onnx');
  writeOnnx(applyMasks(g, magnitudeMasks(g, 0.8, 'global')), pruned);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('edgeprune quantize --qat-epochs', () => {
  it('fine-tunes a pruned model with fake quantization, keeps its zeros in the int8 weights, and reports float, PTQ-only and QAT accuracy', async () => {
    const out = path.join(dir, 'qat.onnx');
    const r = await runCli(['quantize', pruned, '--data', DIGITS, '--out', out, '--samples', '200', '--qat-epochs', '2', '--lr', '0.0005', '--json'], { timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.qat).toMatchObject({ epochs: 2, learningRate: 0.0005, batchSize: 32 });
    expect(j.qat.loss).toHaveLength(2);
    expect(j.qat.masked.sort()).toEqual(['conv1.weight', 'conv2.weight', 'fc1.weight', 'logits.weight']);
    expect(j.qat.fakeQuant.weights).toHaveLength(4);
    expect(j.qat.fakeQuant.activations.map((a: { name: string }) => a.name)).toEqual(j.tensors.map((t: { name: string }) => t.name));
    expect(j.accuracy).toHaveProperty('ptq.accuracy');
    expect(j.accuracy.int8.accuracy).toBeGreaterThanOrEqual(j.accuracy.ptq.accuracy - 0.015);
    // The pruned zeros are int8 zeros (convolution weights keep the OIHW layout).
    const float = await loadModel(pruned);
    const int8 = await loadModel(out);
    for (const name of ['conv1', 'conv2']) {
      const node = int8.nodes.find((n) => n.name === name && n.opType === 'Int8Conv')!;
      const q = int8.initializers.get(node.inputs[3])!.data as Int8Array;
      const w = float.initializers.get(`${name}.weight`)!.data as Float32Array;
      expect(w.some((v) => v === 0)).toBe(true);
      w.forEach((v, i) => v === 0 && expect(q[i]).toBe(0));
    }
    const e = await runCli(['eval', out, '--data', DIGITS, '--split', 'test', '--json']);
    expect(JSON.parse(e.stdout).accuracy).toBe(j.accuracy.int8.accuracy);
  });

  it('prints the fine-tuning line and the three accuracies', async () => {
    const out = path.join(dir, 'qat-text.onnx');
    const r = await runCli(['quantize', pruned, '--data', DIGITS, '--out', out, '--samples', '100', '--qat-epochs', '1', '--batch-size', '64'], { timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^quantization-aware fine-tuning: 1 epoch on the train split \(Adam, lr 0\.0001, batch 64\), 4 kernels and 5 activations fake-quantized; loss \d+\.\d{4}$/m);
    expect(r.stdout).toMatch(/^pruned weights kept at zero in conv1\.weight, conv2\.weight, fc1\.weight, logits\.weight$/m);
    expect(r.stdout).toMatch(/^test accuracy \(359 samples\): float \d+\.\d\d% · PTQ-only int8 \d+\.\d\d% \([+-]\d+\.\d\d points\) · QAT int8 \d+\.\d\d% \([+-]\d+\.\d\d points\)$/m);
    expect(fs.existsSync(out)).toBe(true);
  });

  // (a fraction or a word for the same flag: parseIntOption's own tests in test/cli/command-line-errors.test.ts)
  it.each([
    [['--qat-epochs', '0'], "--qat-epochs must be an integer from 1 to 100,000 in decimal notation, got '0'"],
    [['--qat-epochs', '1', '--lr', '0'], "--lr must be a number greater than 0 in decimal notation, got '0'"],
    [['--qat-epochs', '1', '--batch-size', '0'], "--batch-size must be an integer from 1 to 65,536 in decimal notation, got '0'"],
    [['--lr', '0.001'], '--lr sets the quantization-aware fine-tuning, which runs only with --qat-epochs; add --qat-epochs <n>, or drop --lr'],
    [['--batch-size', '16'], '--batch-size sets the quantization-aware fine-tuning, which runs only with --qat-epochs; add --qat-epochs <n>, or drop --batch-size'],
  ])('refuses %j with exit 2 and writes nothing', async (flags, message) => {
    const out = path.join(dir, 'refused.onnx');
    const r = await runCli(['quantize', CNN, '--data', DIGITS, '--out', out, ...flags]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr.trim()).toBe(`edgeprune: error: ${message}`);
    expect(fs.existsSync(out)).toBe(false);
  });
});
