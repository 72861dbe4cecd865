// `edgeprune quantize`: the int8 model written atomically, its report, and the errors (exit 2) for bad models, data and flags.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/import/load-model.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { writeOnnx } from '../../src/onnx/export.js';
import { runCli } from '../support/cli.js';

const CNN = path.resolve('examples/models/digits-cnn.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-quantize-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('edgeprune quantize', () => {
  it('writes an int8 ONNX model and reports layers, ranges, constants and both accuracies', async () => {
    // A folder of its own: the check below that nothing else is left must not see the other tests' outputs.
    const own = fs.mkdtempSync(path.join(dir, 'int8-'));
    const out = path.join(own, 'cnn-int8.onnx');
    const r = await runCli(['quantize', CNN, '--data', DIGITS, '--out', out, '--samples', '100', '--tensor-calibration', 'relu1_out=minmax', '--json'], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.calibration).toMatchObject({ method: 'mse', samples: 100, perTensor: { relu1_out: 'minmax' } });
    expect(j.layers.map((l: { to: string }) => l.to)).toEqual(["merged into the QuantizeLinear of 'input'", 'Int8Conv', 'Int8Conv', 'MaxPool (int8)', 'Flatten (int8)', 'Int8Gemm', 'Int8Gemm']);
    expect(j.tensors.map((t: { method: string }) => t.method)).toEqual(['mse', 'minmax', 'mse', 'mse', 'mse']);
    expect(j.weightBytes.int8 / j.weightBytes.float).toBeLessThan(0.27);
    expect(j.accuracy).toMatchObject({ split: 'test', samples: 359 });
    expect(j.accuracy.float.accuracy - j.accuracy.int8.accuracy).toBeLessThanOrEqual(0.01);
    // Written through a temporary file renamed into place: nothing else is left in the folder.
    expect(fs.readdirSync(own)).toEqual(['cnn-int8.onnx']);
    const g = await loadModel(out);
    expect(g.nodes.map((n) => n.opType)).toContain('Int8Conv');
    const e = await runCli(['eval', out, '--data', DIGITS, '--split', 'test', '--json']);
    expect(JSON.parse(e.stdout).accuracy).toBe(j.accuracy.int8.accuracy);
  });

  it('prints the tables and the accuracy line, and refuses to replace the output without --force', async () => {
    const out = path.join(dir, 'cnn-minmax.onnx');
    const r = await runCli(['quantize', CNN, '--data', DIGITS, '--out', out, '--samples', '60', '--calibration', 'minmax'], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^calibration: 60 samples of the train split, minmax by default$/m);
    expect(r.stdout).toMatch(/conv1 +Conv\+Relu +Int8Conv/);
    expect(r.stdout).toMatch(/^constants: 38\.3 KiB float → \d+\.\d KiB int8 \(0\.2\dx\)$/m);
    expect(r.stdout).toMatch(/^test accuracy \(359 samples\): float 97\.77% · int8 9\d\.\d\d% \([+-]\d\.\d\d points\)$/m);
    expect(r.stdout).toMatch(new RegExp(`^wrote ${out.replace(/[.]/g, '\\.')}$`, 'm'));
    const before = fs.readFileSync(out);
    const again = await runCli(['quantize', CNN, '--data', DIGITS, '--out', out, '--samples', '10']);
    expect(again.exitCode, String(again.stderr)).toBe(2);
    expect(again.stderr.trim()).toBe(`edgeprune: error: '${out}' exists; pass --force to replace it, or choose another --out`);
    expect(fs.readFileSync(out).equals(before)).toBe(true);
  });

  it('refuses an unsupported model naming the node and op, and leaves nothing behind', async () => {
    const b = new GraphBuilder('sigmoid');
    const x = b.input('x', 'float32', [1, 64]);
    const h = b.op('Sigmoid', [b.op('Gemm', [x, b.initializer('W', Tensor.fromNumbers('float32', [10, 64], new Array(640).fill(0.01)))], { transB: attr.int(1) }, 'fc')], {}, 'squash');
    b.output(h);
    const model = path.join(dir, 'sigmoid.onnx');
    writeOnnx(b.build(), model);
    const out = path.join(dir, 'sigmoid-int8.onnx');
    const r = await runCli(['quantize', model, '--data', DIGITS, '--out', out, '--samples', '10']);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/^edgeprune: error: node 'squash' \(Sigmoid\): op Sigmoid cannot be quantized to int8; the int8 quantizer supports Conv, Gemm and MatMul/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('sigmoid-int8'))).toEqual([]);
  });

  it('refuses data of the wrong shape, with what the model expects and what the data has', async () => {
    const csv = path.join(dir, 'ten.csv');
    fs.writeFileSync(csv, Array.from({ length: 40 }, (_, i) => [...Array.from({ length: 10 }, (_, j) => (i * j) % 7), i % 2].join(',')).join('\n'));
    const r = await runCli(['quantize', CNN, '--data', csv, '--out', path.join(dir, 'ten.onnx')]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/^edgeprune: error: data '.*ten\.csv' \(train split\) has 10 features per sample \(10\), but the model's input 'input' takes 64 per sample \(1x8x8\)/);
  });

  it('refuses bad flags: an unknown method, a malformed --tensor-calibration, a TF.js --out, a percentile out of range', async () => {
    const out = path.join(dir, 'flags.onnx');
    const cases: [string[], RegExp][] = [
      [['--calibration', 'kl'], /--calibration 'kl' is not a calibration method; known: minmax, percentile, mse/],
      [['--tensor-calibration', 'relu1_out'], /--tensor-calibration takes name=method/],
      [['--tensor-calibration', 'relu1_out=best'], /--tensor-calibration 'best' is not a calibration method/],
      [['--percentile', '30'], /--percentile must be a number greater than 50 and at most 100/],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['quantize', CNN, '--data', DIGITS, '--out', out, ...flags]);
      expect(r.exitCode, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const tfjs = await runCli(['quantize', CNN, '--data', DIGITS, '--out', path.join(dir, 'model.json')]);
    expect(tfjs.exitCode, String(tfjs.stderr)).toBe(2);
    expect(tfjs.stderr).toMatch(/must be an \.onnx file: a TF\.js layers model cannot hold int8 ops/);
    const unknown = await runCli(['quantize', CNN, '--data', DIGITS, '--out', out, '--samples', '5', '--tensor-calibration', 'nope=mse']);
    expect(unknown.exitCode, String(unknown.stderr)).toBe(2);
    expect(unknown.stderr).toMatch(/no calibrated tensor is named 'nope'; tensors with a range of their own: 'input_norm_out', 'relu1_out'/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
