// `edgeprune verify`: the full path (C → host and QEMU builds → comparison), data sources, and clear errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const CNN = path.resolve('examples/models/mnist-like-cnn.onnx');
const MLP = path.resolve('examples/models/digits-mlp.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const CASE = path.resolve('test/fixtures/onnx-node-tests/test_averagepool_2d_pads');
const made: string[] = [];
const tmp = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function verifyJson(args: string[]) {
  const r = await runCli(['verify', ...args, '--json'], { timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return JSON.parse(r.stdout);
}

describe('edgeprune verify', () => {
  it('verifies the MNIST-like CNN on mps2-an386 and reports every figure', async () => {
    const r = await verifyJson([CNN, '--target', 'mps2-an386', '--vectors', '2']);
    expect(r).toMatchObject({ passed: true, vectors: 2, hostBitIdentical: true, arenaBytes: 31360, arenaLowerBoundBytes: 31360, macs: 786_560 });
    for (const k of ['maxAbsError', 'instructions', 'estimatedMs', 'flashBytes', 'ramBytes', 'firmwareFlashBytes', 'firmwareRamBytes', 'stackBytes']) {
      expect(typeof r[k], k).toBe('number');
    }
    expect(r.maxAbsError).toBeLessThan(1e-4);
    expect(r.instructionsPerMac).toBeLessThan(2);
    expect(r.flashBytes).toBeLessThanOrEqual(r.weightBytes + 4096);
    expect(r.flashBytes).toBeGreaterThan(r.weightBytes);
    expect(r.ramBytes).toBeGreaterThanOrEqual(r.arenaBytes);
    expect(r.firmwareFlashBytes).toBeGreaterThan(r.flashBytes);
    expect(r.estimateBasis).toMatch(/estimate/);
    // Instruction counts are deterministic: the same for every vector of this data-independent model.
    expect(new Set(r.results.map((v: { instructions: number }) => v.instructions)).size).toBe(1);
    // Without --trace the report has no trace (with it: test/cli/verify-trace.test.ts).
    expect('trace' in r).toBe(false);
  });

  it('compares with the expected outputs of an ONNX test-data folder, or one test_data_set folder', async () => {
    const all = await verifyJson([path.join(CASE, 'model.onnx'), '--target', 'stm32f405', '--data', CASE]);
    expect(all.passed).toBe(true);
    expect(all.vectorSource).toMatch(/ONNX test data/);
    expect(all.maxAbsErrorExpected).toBeLessThan(1e-5);
    const one = await verifyJson([path.join(CASE, 'model.onnx'), '--target', 'stm32f405', '--data', path.join(CASE, 'test_data_set_0')]);
    expect(one.vectors).toBe(1);
  });

  it('takes the test split of a CSV as inputs and runs soft-float on the Cortex-M3', async () => {
    const r = await verifyJson([MLP, '--target', 'lm3s6965', '--data', DIGITS, '--vectors', '3']);
    expect(r).toMatchObject({ passed: true, vectors: 3, hostBitIdentical: true });
    expect(r.vectorSource).toMatch(/3 of the 359 samples of data '.*digits\.csv\.gz' \(test split\)/);
  });

  it('runs a test split on the emulated board and reports the on-target accuracy next to eval\'s', async () => {
    const TRAINED = path.resolve('examples/models/digits-cnn.onnx');
    const r = await verifyJson([TRAINED, '--target', 'mps2-an386', '--data', DIGITS, '--limit', '150']);
    const evaluated = await runCli(['eval', TRAINED, '--data', DIGITS, '--limit', '150', '--split', 'test', '--json']);
    const interpreter = JSON.parse(evaluated.stdout);
    expect(r.vectors).toBe(interpreter.samples);
    expect(r.accuracy).toMatchObject({ vectors: interpreter.samples, interpreter: interpreter.accuracy, agreement: 1 });
    expect(r.accuracy.onTarget).toBe(r.accuracy.interpreter); // float32 within 1e-4: no class changes on this data
    expect(r.accuracy.onTarget).toBeGreaterThan(0.9);
    expect(r.accuracy.maxAbsDiff).toBe(r.maxAbsError);
  });

  it('prints a readable report', async () => {
    const r = await runCli(['verify', MLP, '--target', 'mps2-an500', '--vectors', '2'], { timeout: 120_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stdout).toMatch(/PASSED: 2\/2 vectors/);
    expect(r.stdout).toMatch(/instructions per inference: [\d,]+ \([\d.]+ per MAC\) → [\d.]+ ms \(estimate: instructions × 0\.9 cycles\/instruction at 25 MHz/);
    expect(r.stdout).toMatch(/arena [\d.]+ (B|KiB), lower bound/);
    expect(r.stdout).not.toMatch(/layer trace/); // (without --trace)
  });
});

describe('edgeprune verify errors', () => {
  it('data that does not fit the model', async () => {
    const r = await runCli(['verify', CNN, '--target', 'mps2-an386', '--data', DIGITS]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/\(test split\) has 64 features per sample \(64\), but the model's input 'input' takes 784 per sample \(1x28x28\)/);
  });

  it('a missing data path and a bad --vectors', async () => {
    expect((await runCli(['verify', CNN, '--target', 'mps2-an386', '--data', '/nonexistent'])).stderr).toMatch(/--data '\/nonexistent' does not exist/);
    const bad = await runCli(['verify', CNN, '--target', 'mps2-an386', '--vectors', 'many']);
    expect(bad.exitCode, String(bad.stderr)).toBe(2);
    expect(bad.stderr).toMatch(/--vectors must be an integer/);
  });

  it('a missing cross toolchain names the Debian package', async () => {
    const bin = tmp('edgeprune-path-');
    // A PATH with node and gcc but no arm-none-eabi-gcc.
    for (const tool of ['node', 'gcc', 'cc', 'as', 'ld']) {
      const real = ['/usr/bin', '/usr/local/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
      if (real) fs.symlinkSync(real, path.join(bin, tool));
    }
    const r = await runCli(['verify', MLP, '--target', 'mps2-an386', '--vectors', '1'], { env: { PATH: bin } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/gcc-arm-none-eabi/);
  });

  it('exits 4 and names the vector when the outputs differ from the expected data', async () => {
    const dir = tmp('edgeprune-verify-');
    fs.cpSync(CASE, dir, { recursive: true });
    // Change the last float of the expected output (raw_data ends the TensorProto).
    const file = path.join(dir, 'test_data_set_0', 'output_0.pb');
    const bytes = fs.readFileSync(file);
    bytes.writeFloatLE(bytes.readFloatLE(bytes.length - 4) + 1, bytes.length - 4);
    fs.writeFileSync(file, bytes);
    const r = await runCli(['verify', path.join(dir, 'model.onnx'), '--target', 'mps2-an386', '--data', path.join(dir, 'test_data_set_0')], { timeout: 120_000 });
    expect(r.exitCode, String(r.stderr)).toBe(4);
    expect(r.stdout).toMatch(/vs the expected data/);
  });
});
