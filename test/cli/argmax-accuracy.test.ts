// A trained classifier ending in ArgMax (an int64 class index per sample) is scored on labelled data like one that
// outputs scores: `eval` gives its accuracy (no top-k or loss: there are no scores), `quantize` compares the float
// and int8 accuracies, and `verify --float-model` compares the firmware's classes with the float model's and both with
// the labels.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/import/load-model.js';
import { attr } from '../../src/ir/builder.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { repoPath } from '../../src/util/package-root.js';
import { runCli } from '../support/cli.js';

const DIGITS = repoPath('examples/digits/digits.csv.gz');

describe('a classifier that outputs a class index', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-argmax-accuracy-'));
  const floatModel = path.join(dir, 'digits-argmax.onnx');
  const int8Model = path.join(dir, 'digits-argmax-int8.onnx');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    // The bundled trained digits CNN with an ArgMax over its 10 classes appended.
    const g = await loadModel(repoPath('examples/models/digits-cnn.onnx'));
    const scores = g.outputs[0].name;
    g.nodes.push({ name: 'argmax', opType: 'ArgMax', domain: '', inputs: [scores], outputs: ['class'], attrs: { axis: attr.int(1), keepdims: attr.int(0) } });
    g.outputs = [{ name: 'class', dtype: 'int64', shape: [1] }];
    fs.writeFileSync(floatModel, exportOnnx(g));
  });

  it('eval: the same accuracy as the scores it takes the argmax of', async () => {
    const scores = await runCli(['eval', repoPath('examples/models/digits-cnn.onnx'), '--data', DIGITS, '--split', 'test', '--json']);
    const index = await runCli(['eval', floatModel, '--data', DIGITS, '--split', 'test', '--json']);
    expect(index.exitCode, index.stderr).toBe(0);
    const a = JSON.parse(scores.stdout);
    const b = JSON.parse(index.stdout);
    expect(b.accuracy).toBe(a.accuracy);
    expect(b.topK).toBeNull();
    expect(b.samples).toBe(359);
    const text = await runCli(['eval', floatModel, '--data', DIGITS, '--split', 'test']);
    expect(text.stdout).toMatch(/accuracy 97\.\d\d% \(the model outputs a class index: no top-k or loss\)/);
  });

  it('quantize reports both accuracies, and verify --float-model compares classes and accuracies', async () => {
    const q = await runCli(['quantize', floatModel, '--data', DIGITS, '--out', int8Model]);
    expect(q.exitCode, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/test accuracy \(359 samples\): float \d+\.\d\d% · int8 \d+\.\d\d%/);
    const v = await runCli(['verify', int8Model, '--target', 'lm3s6965', '--data', DIGITS, '--float-model', floatModel]);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/PASSED: \d+\/\d+ vectors bit-exact/);
    expect(v.stdout).toMatch(/top-1 agreement \d+\.\d% of \d+ vectors .* accuracy on \d+ labelled vectors: int8 \d+\.\d%, float \d+\.\d%/);
  });
});
