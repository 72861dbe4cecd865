// `edgeprune build --levels` on the FPU-less lm3s6965: int8 by default, two nested int8 levels of the digits MLP in one
// library, each run in QEMU through model_run_level and bit-exact with the interpreter, the report's int8 fields; the
// refusal of QAT with levels.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { skipWithoutTools } from '../support/toolchain.js';

const MLP = path.resolve('examples/models/digits-mlp.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const skip = await skipWithoutTools('test/levels/int8-levels-qemu.test.ts', ['arm-none-eabi-gcc', 'qemu-system-arm']);

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

interface Level {
  keep: Record<string, number>;
  test: number;
  int8: { test: number; testDrop: number } | null;
  measured: { comparison: string; outputsMatch: boolean; vectors: number; instructions: number; worstMeasured: number; bound: number; problem: string | null };
}

describe.skipIf(skip)('edgeprune build --levels (int8)', () => {
  it('builds int8 levels on lm3s6965 by default, each bit-exact in QEMU, with shared weight bytes and per-level accuracies reported', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-int8-levels-'));
    made.push(dir);
    const out = path.join(dir, 'out');
    // One joint epoch, few vectors: the test is about the int8 library and its checks (the MLP's weights are random).
    const r = await runCli(['build', MLP, '--data', DIGITS, '--target', 'lm3s6965', '--levels', '1,0.6', '--level-epochs', '1', '--max-drop', '100', '--verify-vectors', '5', '--out', out], { timeout: 600_000 });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    // Every level's measured counts within its worst-case bound (each level's adversarial vectors run in QEMU).
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(report.failed).toEqual([]);
    for (const l of report.levels as Level[]) expect(l.measured.worstMeasured).toBeLessThanOrEqual(l.measured.bound);
    expect(report.precision.precision).toBe('int8');
    expect(report.precision.reason).toMatch(/the default: lm3s6965's cortex-m3 has no FPU/);
    expect(report.levels).toHaveLength(2);
    report.levels.forEach((l: Level, k: number) => {
      expect(l.measured.comparison, `level ${k}`).toBe('bit-exact');
      expect(l.measured.outputsMatch, `level ${k}: ${l.measured.problem}`).toBe(true);
      expect(l.measured.vectors).toBe(5);
      expect(l.int8!.test).toBeGreaterThanOrEqual(0);
      expect(l.int8!.testDrop).toBeCloseTo((report.dense.test - l.int8!.test) * 100, 6);
    });
    expect(report.levels[1].measured.instructions).toBeLessThan(report.levels[0].measured.instructions);
    expect(r.stdout).toMatch(/level 1 \(0\.6 of the dense instructions\): .* int8 test [\d.]+% \(drop -?[\d.]+\), on target [\d.]+%, outputs bit-exact/);
    // Level 1 reads its kept rows from level 0's arrays: fc1's leading rows, fc2's and fc3's leading blocks of level 0's
    // rows (the inputs it narrowed) through a row stride; its biases, multipliers and shifts are its own.
    const q = report.quantization;
    expect(q).toMatchObject({ scheme: 'ptq', calibration: 'mse', calibrationSamples: 500, denseWeights: 'per-channel' });
    expect(q.levels[0].sharedBytes).toBe(0);
    expect(q.levels[1].sharedBytes).toBeGreaterThanOrEqual(64 * report.levels[1].keep.fc1);
    expect(q.levels[1].ownWeightBytes).toBe(0);
    // Kernel functions shared by the levels (--level-kernels shared, the default): fc1 and fc2 (both 64 inputs in rows of
    // 64, their outputs at run time) call one, fc3 (10 outputs in both levels) another.
    expect(q.kernels).toEqual({ mode: 'shared', shared: [{ kernel: 'ep_dense_nb_s8', calls: 4 }, { kernel: 'ep_dense_ldw_s8', calls: 2 }] });
    expect(report.flash.copiedWeightBytes).toBe(q.levels[1].ownWeightBytes + q.levels[1].ownParameterBytes);
    expect(report.flash.levelsBytes).toBeLessThan(report.flash.aloneBytes[0] + report.flash.aloneBytes[1]);
    expect(report.flash.ratioToLargest).toBeCloseTo(report.flash.levelsBytes / report.flash.aloneBytes[0], 9);
    const header = fs.readFileSync(path.join(out, 'c', 'model.h'), 'utf8');
    expect(header).toContain('int model_run_level(int level, const float *input0, float *output0);');
    const source = fs.readFileSync(path.join(out, 'c', 'model.c'), 'utf8');
    expect(source).toMatch(/^MODEL_STEP model_k0\(.*\) \{\n(  if \(a\d+ < -?\d+ \|\| a\d+ > -?\d+\) EP__UNREACHABLE\(\);\n)+  ep_dense_nb_s8\(/m);
    expect(source).not.toMatch(/ep_dense_f32/);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/<h2>int8<\/h2>[\s\S]*read from level 0/);
  }, 900_000);
});

describe('edgeprune build --levels (int8 refusal)', () => {
  it('refuses quantization-aware fine-tuning of int8 levels: one line, exit 2, no folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-int8-levels-'));
    made.push(dir);
    const out = path.join(dir, 'bad');
    const r = await runCli(['build', MLP, '--target', 'lm3s6965', '--qat-epochs', '1', '--data', DIGITS, '--levels', '1,0.6', '--out', out], { timeout: 120_000 });
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/--qat-epochs with --levels: int8 levels are quantized post-training.*drop --qat-epochs/s);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  }, 120_000);
});
