// `edgeprune calibrate`: a partial calibration (--only) through the command, in process: the fit report, an atomically
// written, valid file (the same bytes on a second run: calibrate-jobs.test.ts), and the refusal to overwrite the
// target's calibration with a partial one; --update, which refits some kernels in it and keeps the others; the
// worst-case calibration made after it, beside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerCalibrate } from '../../src/cli/commands/calibrate.js';
import { calibrateTarget } from '../../src/cost/calibrate.js';
import { loadCalibration, readCalibrationFile } from '../../src/cost/calibration.js';
import { readWorstCaseCalibrationFile } from '../../src/cost/worst-case-calibration.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-calibrate-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function calibrate(args: string[]): Promise<string> {
  const program = new Command();
  program.exitOverride();
  registerCalibrate(program);
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['calibrate', ...args], { from: 'user' });
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  return lines.join('\n');
}

describe('edgeprune calibrate', () => {
  it('fits the selected kernels and writes the file', async () => {
    const file = path.join(dir, 'partial.json');
    const out = JSON.parse(await calibrate(['--target', 'mps2-an386', '--only', 'dense.,unary.Relu', '--out', file, '--json']));
    expect(out.file).toBe(file);
    const keys = out.fits.map((f: { key: string }) => f.key);
    expect(keys).toEqual(['ep_dense_f32', 'ep_unary_f32:RELU']);
    for (const f of out.fits) expect(f.instructionsMaxError).toBeLessThan(0.1);
    const cal = readCalibrationFile(file);
    expect(cal.target).toBe('mps2-an386');
    expect(Object.keys(cal.kernels)).toEqual(keys);
    expect(cal.kernels.ep_dense_f32.instructions.fma).toBeGreaterThan(0.5);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Neither kernel depends on the data on an FPU: no worst-case calibration, and why.
    expect(out.worstCase).toEqual({ made: false, why: 'mps2-an386: no data-dependent kernel key among the 2 calibrated' });
    expect(fs.existsSync(path.join(dir, 'worst-case'))).toBe(false);
  });

  it('prints the fit quality, then makes the worst-case calibration of the data-dependent keys it calibrated, beside its file', async () => {
    const file = path.join(dir, 'pools.json');
    const text = await calibrate(['--target', 'stm32f405', '--only', 'gmaxpool.8x8x8,gmaxpool.16x4x4,gmaxpool.4x16x16', '--out', file]);
    const worstFile = path.join(dir, 'worst-case', 'pools.json');
    // The text report: the fit quality of each key, then the files written. (This run prints it rather than a run of
    // its own: that took 10 more cases, 12 CPU-s. That a second run writes the same bytes is checked in
    // calibrate-jobs.test.ts: four runs of one calibration, in this process, on 1 and 2 local workers and through
    // Redis, each writing its file as this command does.)
    expect(text).toMatch(/^ ep_global_maxpool_f32 +3 +[\d.]+% /m); // its row: 3 cases, the instructions max error
    expect(text).toMatch(/instr\. max err/);
    expect(text).toContain(`wrote ${file}`);
    expect(text).toContain(`wrote ${worstFile}`);
    // Every suite case of the key (the 8 global max pools), not only the --only ones.
    expect(text).toMatch(/worst-case calibration: 1 data-dependent kernel key \(every suite case of each\) from 8 models, each on 16 vectors/);
    const worst = readWorstCaseCalibrationFile(worstFile);
    // Made with the calibration it goes with (the same kernels), so that a target's pair is current together.
    expect(worst.kernelHeaders).toEqual(readCalibrationFile(file).kernelHeaders);
    expect(Object.keys(worst.kernels)).toEqual(['ep_global_maxpool_f32']);
    // A plane whose first value is NaN takes a second pass: the worst case is well above the typical count.
    expect(worst.kernels.ep_global_maxpool_f32.worstOverTypical).toBeGreaterThan(2);
    expect(worst.kernels.ep_global_maxpool_f32.fit.cases).toBe(8);
  });

  it('--no-worst-case skips it and says so', async () => {
    const file = path.join(dir, 'skipped.json');
    const out = JSON.parse(await calibrate(['--target', 'stm32f405', '--only', 'gmaxpool.8x8x8', '--out', file, '--no-worst-case', '--json']));
    expect(out.worstCase).toEqual({ made: false, why: '--no-worst-case' });
    expect(fs.existsSync(path.join(dir, 'worst-case', 'skipped.json'))).toBe(false);
    await expect(calibrate(['--target', 'ice40-up5k', '--no-worst-case'])).rejects.toThrow(/--no-worst-case is for MCU targets/);
  });

  it('refuses a partial calibration without --out or --update, and --update without --only', async () => {
    await expect(calibrate(['--target', 'mps2-an386', '--only', 'dense.'])).rejects.toThrow(/--out/);
    await expect(calibrate(['--target', 'mps2-an386', '--update'])).rejects.toThrow(/--only/);
  });

  it('--update refits the selected kernels and keeps the others', async () => {
    const old = loadCalibration('mps2-an386');
    const run = await calibrateTarget(findMcuTarget('mps2-an386'), { only: ['unary.Relu'], update: old, file: null });
    expect(run.fits.map((f) => f.key)).toEqual(['ep_unary_f32:RELU']);
    expect(Object.keys(run.calibration.kernels)).toEqual(Object.keys(old.kernels).sort());
    expect(run.calibration.kernels.ep_conv2d_s8).toEqual(old.kernels.ep_conv2d_s8);
    expect(run.calibration.kernels['ep_unary_f32:RELU'].instructions).toEqual(old.kernels['ep_unary_f32:RELU'].instructions);
  });

  it('--update refuses to keep a kernel whose header changed since it was fitted', async () => {
    const old = loadCalibration('mps2-an386');
    const changed = { ...old, kernelHeaders: { ...old.kernelHeaders, 'ep_int8_dense.h': '0'.repeat(64) } };
    await expect(calibrateTarget(findMcuTarget('mps2-an386'), { only: ['unary.Relu'], update: changed, file: null })).rejects.toThrow(/ep_dense_s8/);
  });
});
