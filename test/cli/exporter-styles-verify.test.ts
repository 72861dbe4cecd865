// Third-party-style models (CNTK, PyTorch, keras2onnx exports) verified against their own test data, which onnxruntime
// computes from the original file; the two Cortex-M4F boards (mps2-an386, stm32f405) shared between the models.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { writeTensorFile } from '../../src/onnx/tensor-proto.js';
import { runCli } from '../support/cli.js';
import { cntkMnist, kerasCnn, pytorchMlp, rand } from '../support/exporter-style-models.js';
import { runOnnxruntime } from '../support/ort.js';

interface Case {
  name: string;
  /** The board it verifies on: the import is the model's own property, the board's port is tested on every model. */
  target: string;
  bytes: Uint8Array;
  input: string;
  shape: number[];
  fixShape?: string;
}

const CASES: Case[] = [
  { name: 'cntk-mnist', target: 'mps2-an386', bytes: cntkMnist(), input: 'Input3', shape: [1, 1, 28, 28] },
  { name: 'pytorch-mlp', target: 'stm32f405', bytes: pytorchMlp(), input: 'input', shape: [1, 1, 8, 8], fixShape: 'input=1x1x8x8' },
  { name: 'keras-cnn', target: 'stm32f405', bytes: kerasCnn(), input: 'input_1', shape: [1, 8, 8, 1], fixShape: 'input_1=1x8x8x1' },
];

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A model folder as the ONNX model zoo ships them: model.onnx and test_data_set_0..1. */
async function modelFolder(c: Omit<Case, 'target'>): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `edgeprune-${c.name}-`));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'model.onnx'), c.bytes);
  for (let s = 0; s < 2; s++) {
    const set = path.join(dir, `test_data_set_${s}`);
    fs.mkdirSync(set);
    const x = rand(c.shape);
    const out = await runOnnxruntime(c.bytes, { [c.input]: x });
    writeTensorFile(path.join(set, 'input_0.pb'), x);
    [...out.values()].forEach((t: Tensor, i) => writeTensorFile(path.join(set, `output_${i}.pb`), t));
  }
  return dir;
}

describe('exporter-style models verify against their own test data', () => {
  for (const { target, ...c } of CASES) {
    it(`${c.name} on ${target}`, async () => {
      const dir = await modelFolder(c);
      const args = ['verify', path.join(dir, 'model.onnx'), '--target', target, '--data', dir, '--json'];
      if (c.fixShape) args.push('--input-shape', c.fixShape);
      const r = await runCli(args, { timeout: 120_000 });
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ passed: true, vectors: 2, hostBitIdentical: true });
      expect(report.maxAbsErrorExpected).toBeLessThan(1e-4);
    });
  }
});
