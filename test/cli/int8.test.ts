// int8 models through compile, verify and build: --precision and its defaults, refusals, host C and QEMU bit-exact with
// the interpreter on every vector (Cortex-M4F and the FPU-less Cortex-M3), and the float model as a reference.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/onnx/export.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { Random } from '../../src/util/random.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { runCli } from '../support/cli.js';
import { int8MovesModel } from '../support/int8-models.js';
import { execa } from 'execa';
import { loadDataset } from '../../src/data/load-dataset.js';
import { pickSplit } from '../../src/cli/data-options.js';
import { labelRank } from '../../src/data/metrics.js';
import { loadModel } from '../../src/import/load-model.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { int8MnistLikeCnn } from '../../src/models/int8-sample-models.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { quantizeModel } from '../../src/quant/quantize.js';

const FLOAT_CNN = path.resolve('examples/models/mnist-like-cnn.onnx');
const DIGITS_CNN = path.resolve('examples/models/digits-cnn.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-int8-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function modelFile(g: Graph, name: string, dir = tmp()): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, exportOnnx(g));
  return file;
}

/** One error line on stderr, exit code 2, nothing on stdout. */
function expectUserError(r: { exitCode: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.exitCode, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^edgeprune: error: /);
  expect(r.stderr).toMatch(pattern);
}

describe('--precision', () => {
  it('compile says which precision it chose and why: the FPU default, soft float without FPU, int8 for a quantized model', async () => {
    const dir = tmp();
    const json = async (args: string[]) => {
      const r = await runCli(['compile', ...args, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { precision: string; precisionReason: string };
    };
    expect(await json([FLOAT_CNN, '--target', 'stm32f405', '--out', path.join(dir, 'f405')])).toEqual(expect.objectContaining({
      precision: 'float32', precisionReason: "float32 (the default: stm32f405's cortex-m4 has an FPU, fpv4-sp-d16)",
    }));
    const soft = await runCli(['compile', FLOAT_CNN, '--target', 'lm3s6965', '--out', path.join(dir, 'm3')]);
    expect(soft.exitCode, soft.stderr).toBe(0);
    expect(soft.stdout).toMatch(/precision: float32 in soft float: lm3s6965's cortex-m3 has no FPU, where int8 is the default, but the model is not quantized/);
    const int8 = modelFile(int8MovesModel(), 'moves.onnx');
    expect(await json([int8, '--target', 'lm3s6965', '--out', path.join(dir, 'int8')])).toEqual(expect.objectContaining({ precision: 'int8', precisionReason: 'int8 (model is quantized)' }));
    expect((await json([int8, '--precision', 'int8', '--out', path.join(dir, 'int8-flag')])).precision).toBe('int8');
  });

  it('refuses a precision the model cannot run in, before writing anything', async () => {
    const dir = tmp();
    const int8 = modelFile(int8MovesModel(), 'moves.onnx', dir);
    const out = path.join(dir, 'out');
    expectUserError(await runCli(['compile', int8, '--precision', 'float32', '--out', out]), /--precision float32: the model is quantized \(node 'transpose' \(Transpose\) computes int8 values\).*; drop --precision/);
    expectUserError(await runCli(['compile', FLOAT_CNN, '--precision', 'int8', '--out', out]), /--precision int8: the model is float32, and quantizing it needs calibration data; give --calibration-data <file> to quantize it here, or run edgeprune quantize .* first, then compile that model/);
    expectUserError(await runCli(['compile', FLOAT_CNN, '--precision', 'int16', '--out', out]), /--precision must be float32 or int8, got 'int16'/);
    expectUserError(await runCli(['verify', FLOAT_CNN, '--precision', 'int8']), /then verify that model/);
    expectUserError(await runCli(['build', int8, '--data', DIGITS, '--ram-kb', '64', '--out', out]), /build prunes and fine-tunes a float model; this one is quantized/);
    expectUserError(await runCli(['build', FLOAT_CNN, '--data', DIGITS, '--ram-kb', '64', '--precision', 'float32', '--qat-epochs', '1', '--out', out]), /--qat-epochs sets the int8 quantization of the pruned model, and this build is float32/);
    expect(fs.readdirSync(dir)).toEqual(['moves.onnx']);
  });

  it('compile quantizes a float model on --calibration-data: by default on the FPU-less core, or with --precision int8', async () => {
    const dir = tmp();
    const r = await runCli(['compile', DIGITS_CNN, '--target', 'lm3s6965', '--calibration-data', DIGITS, '--out', path.join(dir, 'm3'), '--json'], { timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.precision).toBe('int8');
    expect(summary.precisionReason).toMatch(/^int8 \(the default: lm3s6965's cortex-m3 has no FPU; the float model is quantized here on 500 samples of .*digits\.csv\.gz\)$/);
    expect(summary.arenaBytes).toBe(summary.arenaLowerBoundBytes);
    const model = fs.readFileSync(path.join(dir, 'm3', 'model.c'), 'utf8');
    expect(model).toMatch(/ep_conv2d_s8\(/);
    expect(model).toMatch(/ep_quantize_f32_s8\(MODEL_ARENA_F32\(/);
    const float = await runCli(['compile', DIGITS_CNN, '--target', 'stm32f405', '--calibration-data', DIGITS, '--out', path.join(dir, 'f405'), '--json']);
    expect(JSON.parse(float.stdout)).toMatchObject({ precision: 'float32', precisionReason: "float32 (the default: stm32f405's cortex-m4 has an FPU, fpv4-sp-d16; --calibration-data is not used)" });
    const asked = await runCli(['compile', DIGITS_CNN, '--target', 'stm32f405', '--precision', 'int8', '--calibration-data', DIGITS, '--out', path.join(dir, 'f405-int8'), '--json'], { timeout: 300_000 });
    expect(JSON.parse(asked.stdout).precision).toBe('int8');
    // Calibration data that does not fit the model: refused, nothing written.
    expectUserError(await runCli(['compile', FLOAT_CNN, '--precision', 'int8', '--calibration-data', DIGITS, '--out', path.join(dir, 'bad')]), /784/);
    expect(fs.existsSync(path.join(dir, 'bad'))).toBe(false);
  }, 600_000);

  it('refuses --float-model for a float model, and a reference whose inputs differ', async () => {
    const int8 = modelFile(int8MovesModel(), 'moves.onnx');
    expectUserError(await runCli(['verify', FLOAT_CNN, '--float-model', FLOAT_CNN]), /--float-model 'mnist-like-cnn': the model verified is not quantized/);
    expectUserError(await runCli(['verify', int8, '--float-model', FLOAT_CNN]), /--float-model 'mnist-like-cnn': its input 0 'input' is float32 1x1x28x28, the quantized model's 'x' is int8 1x2x3x5/);
  });
});

describe('int8 data movement on the host and in QEMU', () => {
  it.each(['mps2-an386', 'lm3s6965'])('Transpose, Concat and Flatten of int8 values are bit-exact on %s', async (name) => {
    const g = int8MovesModel();
    const rng = new Random(7);
    const inputs = Array.from({ length: 4 }, () => [Tensor.fromNumbers('int8', [1, 2, 3, 5], Array.from({ length: 30 }, () => rng.int(256) - 128))]);
    const r = await verifyOnTarget(g, 'int8_moves', { target: findMcuTarget(name), vectors: { inputs, source: 'random int8' } });
    expect(r.results.map((v) => v.problem)).toEqual([undefined, undefined, undefined, undefined]);
    expect(r).toMatchObject({ passed: true, comparison: 'bit-exact', bitExactVectors: 4, vectors: 4, hostBitIdentical: true, maxAbsError: 0 });
    expect(r.precision.precision).toBe('int8');
    expect(r.arenaBytes).toBe(r.arenaLowerBoundBytes);
  }, 300_000);
});

describe('int8 models through the CLI: bit-exact with the interpreter on every vector', () => {
  it.each(['mps2-an386', 'lm3s6965'])('the int8 MNIST-like CNN (Int8Conv, MaxPool, Int8Gemm) compiles, builds with make, and verifies on %s', async (name) => {
    const dir = tmp();
    const file = modelFile(int8MnistLikeCnn(), 'int8-cnn.onnx', dir);
    const out = path.join(dir, 'lib');
    const compiled = await runCli(['compile', file, '--target', name, '--out', out]);
    expect(compiled.exitCode, compiled.stderr).toBe(0);
    expect(compiled.stdout).toContain('precision: int8 (model is quantized)');
    expect(compiled.stdout).toMatch(/arena 7\.7 KiB \(RAM; lower bound 7\.7 KiB\)/);
    const made = await execa('make', ['-C', out], { timeout: 300_000, reject: false });
    expect(made.exitCode, String(made.stderr)).toBe(0);
    expect(fs.existsSync(path.join(out, 'libmodel.a'))).toBe(true);

    const r = await runCli(['verify', file, '--target', name, '--vectors', '3', '--json'], { timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ passed: true, vectors: 3, comparison: 'bit-exact', bitExactVectors: 3, hostBitIdentical: true, maxAbsError: 0, macs: 786_560 });
    expect(report.precision).toEqual({ precision: 'int8', reason: 'int8 (model is quantized)' });
    expect(report.arenaBytes).toBe(report.arenaLowerBoundBytes);
    expect(report.weightBytes).toBe(6266);
    expect(report.instructions).toBeGreaterThan(0);
  }, 600_000);

  it('inspect shows each tensor\'s dtype, scale and zero point, and weights as stored (1 byte per int8 weight)', async () => {
    const g = int8MnistLikeCnn();
    const file = modelFile(g, 'int8-cnn.onnx');
    const table = await runCli(['inspect', file]);
    expect(table.exitCode, table.stderr).toBe(0);
    const yScale = (g.initializers.get('conv1.y_scale')!.at(0) as number).toPrecision(4);
    expect(table.stdout).toMatch(new RegExp(`conv1\\s+Int8Conv\\s+1x1x28x28\\s+1x8x28x28\\s+208\\s+156,800\\s+6\\.1 KiB\\s+[\\d.]+%\\s+int8 s=${Number(yScale)} zp=-128\\s+200 B int8 \\+ 32 B int32`));
    expect(table.stdout).toMatch(/input_quantize\s+QuantizeLinear .* int8 s=0\.003922 zp=-128\s+-/);
    expect(table.stdout).toMatch(/weights: 6\.0 KiB as stored/);
    const report = JSON.parse((await runCli(['inspect', file, '--json'])).stdout);
    const tensor = (name: string) => report.tensors.find((t: { name: string }) => t.name === name);
    expect(tensor('conv2.weight')).toMatchObject({ role: 'weight', dtype: 'int8', shape: [16, 8, 5, 5], bytes: 3200, axis: 0 });
    expect(tensor('conv2.weight').scale).toHaveLength(16);
    expect(tensor('conv2.bias')).toMatchObject({ role: 'bias', dtype: 'int32', bytes: 64, zeroPoint: 0 });
    expect(tensor('pool1_out')).toMatchObject({ role: 'activation', dtype: 'int8', bytes: 1568, zeroPoint: -128, scale: g.initializers.get('conv1.y_scale')!.at(0) });
    expect(tensor('input')).toMatchObject({ role: 'input', dtype: 'float32', scale: null, zeroPoint: null });
    // Weights (1 byte each) and int32 biases: the parameters as stored.
    expect(report.totals.weightBytes).toBe(5960 + 34 * 4);
  });

  it('quantizes a float model with --calibration-data (the default on the FPU-less Cortex-M3) and reports both accuracies on labelled data; the text report gives the count and "bit-exact"', async () => {
    const vectors = 20;
    const r = await runCli(['verify', DIGITS_CNN, '--target', 'lm3s6965', '--calibration-data', DIGITS, '--data', DIGITS, '--vectors', String(vectors), '--json'], { timeout: 600_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ passed: true, comparison: 'bit-exact', bitExactVectors: vectors, vectors });
    expect(report.precision.precision).toBe('int8');
    expect(report.precision.reason).toMatch(/^int8 \(the default: lm3s6965's cortex-m3 has no FPU; the float model is quantized here on 500 samples of .*digits\.csv\.gz\)$/);

    // The same quantization and the same rows (the first of the test split), by the interpreter: the accuracies verify reports.
    const float = await loadModel(DIGITS_CNN);
    const data = loadDataset(DIGITS);
    const int8 = quantizeModel(float, calibrationInputs(float, data)).graph;
    const test = pickSplit(DIGITS, { seed: 0, validation: 0.15 }, 'test');
    const rows = calibrationInputs(float, test, vectors);
    const correct = (g: typeof float) => rows.filter((feed, i) => labelRank(runGraph(g, { [g.inputs[0].name]: feed[float.inputs[0].name] }).get(g.outputs[0].name)!.data as Float32Array, test.labels[i]) === 0).length;
    const ref = report.floatReference;
    expect(ref.model).toBe('digits-cnn');
    expect(ref.labelled).toBe(vectors);
    expect(ref.accuracy.int8).toBe(correct(int8) / vectors);
    expect(ref.accuracy.float).toBe(correct(float) / vectors);
    expect(ref.accuracy.dropPoints).toBeCloseTo((ref.accuracy.float - ref.accuracy.int8) * 100, 10);
    expect(ref.top1Agreement).toBeGreaterThan(0.5);
    expect(ref.maxAbsDiff).toBeGreaterThan(0);

    // The text report, with the float model named explicitly this time.
    const int8File = modelFile(int8, 'digits-int8.onnx');
    const text = await runCli(['verify', int8File, '--target', 'mps2-an386', '--float-model', DIGITS_CNN, '--data', DIGITS, '--vectors', String(vectors)], { timeout: 600_000 });
    expect(text.exitCode, text.stderr).toBe(0);
    // (the text report: the count, "bit-exact", host and target bit-identical, and why int8)
    expect(text.stdout).toMatch(new RegExp(`PASSED: ${vectors}/${vectors} vectors bit-exact with the interpreter; host and target outputs bit-identical`));
    expect(text.stdout).toContain('precision: int8 (model is quantized)');
    expect(text.stdout).toMatch(new RegExp(`against the float model digits-cnn: top-1 agreement [\\d.]+% of ${vectors} vectors · largest difference [\\d.e+-]+ · accuracy on ${vectors} labelled vectors: int8 [\\d.]+%, float [\\d.]+% \\((?:[-+][\\d.]+|0\\.0) points\\)`));
  }, 900_000);
});
