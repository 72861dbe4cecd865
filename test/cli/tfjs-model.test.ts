// compile, verify and build on a TF.js layers model (model.json + weight shard, as `edgeprune prune --out dir/` writes it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const CNN = path.resolve('examples/models/digits-cnn.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
let dir: string;
let modelJson: string;
let sameAsOnnx: string;
/** `verify model.json` (the default stm32f405) on three data rows: checked below, and the dense instruction count the build's budget is set from. */
let dense: { exitCode: number; stderr: string; stdout: string };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-tfjs-'));
  const prune = (out: string) => runCli(['prune', CNN, '--data', DIGITS, '--sparsity', '0.5', '--steps', '1', '--epochs', '0', '--final-epochs', '0', '--max-drop', '100', '--out', out], { timeout: 120_000 });
  sameAsOnnx = path.join(dir, 'cnn.onnx');
  const [tfjs, onnx] = await Promise.all([prune(path.join(dir, 'cnn') + path.sep), prune(sameAsOnnx)]);
  expect(tfjs.exitCode, tfjs.stderr).toBe(0);
  expect(onnx.exitCode, onnx.stderr).toBe(0);
  modelJson = path.join(dir, 'cnn', 'model.json');
  expect(fs.readdirSync(path.join(dir, 'cnn')).sort()).toEqual(['.edgeprune-output', 'group1-shard1of1.bin', 'model.json']);
  dense = await runCli(['verify', modelJson, '--data', DIGITS, '--vectors', '3', '--json'], { timeout: 120_000 });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a TF.js model.json through the MCU commands', () => {
  it('is the same model as the ONNX the same prune wrote (inspect totals, eval on the test split)', async () => {
    const totals = async (file: string) => JSON.parse((await runCli(['inspect', file, '--json'])).stdout).totals;
    expect(await totals(modelJson)).toEqual(await totals(sameAsOnnx));
    const accuracy = async (file: string) => JSON.parse((await runCli(['eval', file, '--data', DIGITS, '--split', 'test', '--json'])).stdout).accuracy;
    expect(await accuracy(modelJson)).toBe(await accuracy(sameAsOnnx));
  });

  it('compiles model.json to the C library', async () => {
    const out = path.join(dir, 'c');
    const r = await runCli(['compile', modelJson, '--target', 'stm32f405', '--out', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote \d+ files to .* for stm32f405/);
    for (const f of ['model.c', 'model.h', 'model_weights.c', 'Makefile', 'ep_conv.h']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(out, 'model.h'), 'utf8')).toMatch(/int model_invoke\(const float \*\w+, float \*\w+\);/);
  });

  it('verifies model.json on the host and in QEMU against the interpreter, bit-identical', async () => {
    expect(dense.exitCode, dense.stderr).toBe(0);
    const v = JSON.parse(dense.stdout);
    expect(v).toMatchObject({ passed: true, hostBitIdentical: true, target: 'stm32f405', vectors: 3, macs: 86_848 });
  });

  // (no fine-tuning and no accuracy limit: what is specific to model.json is its loading, not the search's training;
  // --workers 0: no local worker beside this process, the same bytes as the default, which build-recovery runs)
  it('builds model.json under an instruction budget: pruned ONNX, C library and report, measured in QEMU', async () => {
    expect(dense.exitCode, dense.stderr).toBe(0);
    const limit = Math.floor(JSON.parse(dense.stdout).instructions * 0.85);
    const out = path.join(dir, 'build');
    const r = await runCli(['build', modelJson, '--data', DIGITS, '--max-instructions', String(limit), '--proposal-epochs', '0', '--final-epochs', '0', '--max-drop', '100', '--max-iterations', '6', '--verify-vectors', '2', '--workers', '0', '--out', out], { timeout: 300_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ALL BUDGETS MET/);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    // No --target: build's default target (the other CLI builds on stm32f405 name it).
    expect(report.target.name).toBe('stm32f405');
    expect(report.budgets[0]).toMatchObject({ name: 'instructions', limit, pass: true });
    expect(report.budgets[0].measured).toBeLessThanOrEqual(limit);
    for (const f of ['model.onnx', 'c/model.c', 'c/Makefile', 'report.html']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    const again = await runCli(['verify', path.join(out, 'model.onnx'), '--vectors', '1', '--json'], { timeout: 120_000 });
    expect(JSON.parse(again.stdout).instructions).toBe(report.verification.instructions);
  }, 300_000);
});
