// `edgeprune build --precision int8`: prune in float, quantize, budgets checked on the measured int8 firmware (bit-exact
// with the interpreter), both accuracies reported; the FPU-less default; QAT keeping pruned zeros; refusals. The builds
// fine-tune in this process (--workers 0): the same bytes as the side-by-side default (test/build/search-fanout.test.ts),
// which test/cli/build-recovery.test.ts runs end to end; a local worker's start here tested nothing more.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelPrecision } from '../../src/analysis/model-precision.js';
import { loadModel } from '../../src/import/load-model.js';
import type { Graph } from '../../src/ir/graph.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { applyMasks, magnitudeMasks } from '../../src/prune/weight-masks.js';
import { runCli } from '../support/cli.js';

const CNN = path.resolve('examples/models/digits-cnn.onnx');
// A trained digits MLP (test/fixtures/trained/README.md), for the unmet budget.
const MLP = path.resolve('test/fixtures/trained/digits-mlp32-10epochs-seed0.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-build-int8-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const readReport = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));

/** The int8 weights of node `name` (Int8Conv/Int8Gemm: input 3). */
function int8Weights(g: Graph, name: string): Int8Array {
  const node = g.nodes.find((n) => n.name === name)!;
  expect(node.opType).toMatch(/^Int8(Conv|Gemm)$/);
  return g.initializers.get(node.inputs[3])!.data as Int8Array;
}

/** An int8 build's files and report: int8 model.onnx and C (`layer`'s weights int8), both accuracies, bit-exact verification. */
async function expectInt8Build(out: string, layer = 'conv2') {
  const report = readReport(out);
  expect(report.precision).toBe('int8');
  expect(report.verification).toMatchObject({ comparison: 'bit-exact', passed: true, hostBitIdentical: true });
  expect(report.verification.bitExactVectors).toBe(report.verification.vectors);
  expect(report.verification.precision.precision).toBe('int8');
  for (const k of ['dense', 'prunedFloat', 'final']) expect(report.accuracy[k], k).toBeGreaterThan(0.5);
  expect(report.accuracy.dropPoints).toBeCloseTo((report.accuracy.dense - report.accuracy.final) * 100, 4);
  const model = await loadModel(path.join(out, 'model.onnx'));
  expect(modelPrecision(model).precision).toBe('int8');
  const c = fs.readFileSync(path.join(out, 'c/model.c'), 'utf8');
  expect(c).toMatch(new RegExp(`extern const int8_t model_w_${layer}_weight\\w*\\[`));
  expect(c).toMatch(/ep_quantize_f32_s8\(/);
  expect(c).not.toMatch(/const float model_w_/);
  expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('final (int8)');
  return { report, model };
}

describe('edgeprune build --precision int8', () => {
  it('is the default on the FPU-less lm3s6965, says so, and meets three quarters of the dense int8 instructions as measured in QEMU', async () => {
    // Three quarters of the dense int8 firmware's instructions (178,240 on lm3s6965; the build's dense check measures
    // them, asserted below): a search of three steps; half takes seven, each fine-tuning its proposals, and tests
    // nothing more. (verify's own int8 default on the FPU-less core: test/cli/int8.test.ts)
    // --no-uniform-contender: the contender (13 of the build's 60 epochs) lost here, so the build, its report and every
    // figure below are the same without it (session 17: report.json compared field by field, timings aside); its fine-tune
    // beside the final one runs end to end in test/cli/build-recovery.test.ts, and is checked in
    // test/build/uniform-contender.test.ts (build-recovery's contender is fine-tuned and chosen). Saved: 2.5 and 2.8 CPU-s
    // in two pairs of runs of this file (60.9/58.4, 61.7/58.9 before/after, loaded machine); the command alone 39.0/30.8.
    const maxInstructions = 134_700;

    const out = path.join(tmp(), 'build');
    const r = await runCli(['build', CNN, '--target', 'lm3s6965', '--data', DIGITS, '--max-instructions', String(maxInstructions), '--no-uniform-contender', '--verify-vectors', '4', '--workers', '0', '--out', out], { timeout: 500_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^precision: int8 \(the default: lm3s6965's cortex-m3 has no FPU; build prunes in float32, then quantizes the pruned model\)\nmeasuring the dense model on [\w-]+ \(qemu [\w-]+\): [^\n]+\nthe dense model measured [\d,]+ instructions, predicted [\d,]+ \([+-]\d+\.\d%\): the search aims at [^\n]+\nsearching under the budgets/);
    expect(r.stderr).toMatch(/quantizing the pruned model to int8 \(post-training, mse ranges\)/);
    expect(r.stdout).toMatch(/precision: int8 \(the default: lm3s6965's cortex-m3 has no FPU/);
    expect(r.stdout).toMatch(/accuracy \(test\): dense float [\d.]+% → pruned float [\d.]+% → final int8 [\d.]+% \(dense float → int8: -?[\d.]+ points; allowed 1.5\)/);
    expect(r.stdout).toMatch(/int8: post-training quantization, mse activation ranges on 500 train samples; the search priced each candidate's int8 deployment/);
    expect(r.stdout).toMatch(/ALL BUDGETS MET/);
    const { report } = await expectInt8Build(out);
    expect(maxInstructions / report.denseCheck.measured.instructions, 'the budget is no longer three quarters of the dense int8 instructions: update it').toBeCloseTo(0.75, 1);
    expect(report.budgets[0]).toMatchObject({ name: 'instructions', limit: maxInstructions, pass: true });
    expect(report.budgets[0].measured).toBe(report.verification.instructions);
    expect(report.budgets[0].measured).toBeLessThanOrEqual(maxInstructions);
    // The search priced int8 deployments: the cost model's estimate of the int8 firmware is within 10% of QEMU.
    expect(Math.abs(report.budgets[0].estimated - report.budgets[0].measured) / report.budgets[0].measured).toBeLessThan(0.1);
    expect(report.quantization).toMatchObject({ scheme: 'ptq', calibration: 'mse', calibrationSamples: 500, qatEpochs: null });
    expect(report.accuracy.dropPoints).toBeLessThanOrEqual(1.5);
    expect(report.steps.length).toBeGreaterThanOrEqual(2);
  }, 700_000);

  it('--precision int8 on an FPU core: exits 3 with the int8 report written when the budget cannot be met', async () => {
    const out = path.join(tmp(), 'unmet');
    // The digits MLP: 5.1 CPU-s for the command against 15 with the CNN (its int8 dense check and verification build and
    // run convolutions); what is checked here (exit 3 with the int8 report, --calibration reaching it) does not depend on
    // the layers. The int8 CNN on this core, bit-exact in QEMU: test/cli/int8.test.ts ('the int8 MNIST-like CNN ...
    // verifies on mps2-an386'), and built under a budget on lm3s6965 above.
    const r = await runCli(['build', MLP, '--target', 'mps2-an386', '--precision', 'int8', '--calibration', 'minmax', '--data', DIGITS, '--max-instructions', '2000', '--max-iterations', '1', '--proposal-epochs', '0', '--final-epochs', '0', '--verify-vectors', '2', '--workers', '0', '--out', out], { timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^precision: int8 \(--precision int8: build prunes in float32, then quantizes the pruned model\)/);
    expect(r.stdout).toMatch(/NOT MET: instructions per inference: [\d,]+ > 2,000/);
    const { report } = await expectInt8Build(out, 'fc1');
    expect(report.passed).toBe(false);
    expect(report.budgets[0].measured).toBeGreaterThan(2000);
    expect(report.quantization).toMatchObject({ scheme: 'ptq', calibration: 'minmax' });
  }, 300_000);

  it('--qat-epochs fine-tunes with fake quantization and keeps the pruned weights at zero in the int8 model', async () => {
    const dir = tmp();
    // A weight-pruned start model (half of each kernel's weights zero), under a budget it already meets: a RAM budget,
    // so that no dense check runs (it measures the dense model's instructions for an instruction budget only): 9.7
    // against 14.7 CPU-s for the command with --max-instructions 100000000.
    const g = await loadModel(CNN);
    const pruned = applyMasks(g, magnitudeMasks(g, 0.5, 'layer'));
    const file = path.join(dir, 'pruned.onnx');
    fs.writeFileSync(file, exportOnnx(pruned));
    const out = path.join(dir, 'qat');
    const r = await runCli(['build', file, '--target', 'lm3s6965', '--data', DIGITS, '--ram-kb', '16', '--final-epochs', '0', '--qat-epochs', '1', '--verify-vectors', '2', '--max-drop', '5', '--workers', '0', '--out', out], { timeout: 300_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/quantizing the pruned model to int8 \(after 1 epoch\(s\) of quantization-aware fine-tuning, mse ranges\)/);
    expect(r.stdout).toMatch(/int8: 1 epoch of quantization-aware fine-tuning \(pruned weights kept at zero\)/);
    const { report, model } = await expectInt8Build(out);
    expect(report.quantization).toMatchObject({ scheme: 'qat', qatEpochs: 1 });
    expect(report.quantization.qat.loss).toHaveLength(1);
    expect(report.quantization.qat.masked).toEqual(expect.arrayContaining(['conv2.weight', 'fc1.weight']));
    for (const [node, weight] of [['conv2', 'conv2.weight'], ['fc1', 'fc1.weight']]) {
      const float = pruned.initializers.get(weight)!.data as Float32Array;
      const int8 = int8Weights(model, node);
      expect(int8.length).toBe(float.length);
      const zeros = [...float.keys()].filter((i) => float[i] === 0);
      expect(zeros.length).toBeGreaterThanOrEqual(float.length / 2 - 1);
      expect(zeros.filter((i) => int8[i] !== 0), node).toEqual([]);
      // The kept weights are not all rounded away.
      expect(int8.some((v) => v !== 0)).toBe(true);
    }
  }, 300_000);

  it('refuses int8-only flags on a float32 build and a bad --calibration, one line, exit 2, nothing written', async () => {
    const out = path.join(tmp(), 'x');
    // (each flag on an explicit float32 build, and the unknown method: checkInt8Flags in
    // test/cli/command-line-errors.test.ts; --precision float32 --qat-epochs through build: test/cli/int8.test.ts; a
    // count below 1: parseIntOption there too)
    const cases: [string[], RegExp][] = [
      [['--qat-epochs', '2'], /--qat-epochs sets the int8 quantization of the pruned model, and this build is float32; pass --precision int8, or drop --qat-epochs/],
      [['--precision', 'int8', '--calibration', 'entropy'], /--calibration 'entropy' is not a calibration method; known: minmax, percentile, mse/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['build', CNN, '--data', DIGITS, '--max-instructions', '1000', '--out', out, ...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(fs.existsSync(out)).toBe(false);
    }
  });
});
