// `edgeprune calibrate`: a partial calibration (--only) through the command, in process: the fit report, an atomically
// written, valid file (the same bytes on a second run: calibrate-jobs.test.ts), and the refusal to overwrite the
// target's calibration with a partial one; --update, which refits some kernels in it and keeps the others.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerCalibrate } from '../../src/cli/commands/calibrate.js';
import { calibrateTarget } from '../../src/cost/calibrate.js';
import { loadCalibration, readCalibrationFile } from '../../src/cost/calibration.js';
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
  });

  // (That a second run writes the same bytes is checked in calibrate-jobs.test.ts: four runs of this calibration, in
  // this process, on 1 and 2 local workers and through Redis, each writing its file as this command does.)
  it('prints the fit quality', async () => {
    const a = path.join(dir, 'a.json');
    const text = await calibrate(['--target', 'stm32f405', '--only', 'unary.Relu,softmax.', '--out', a]);
    expect(Object.keys(readCalibrationFile(a).kernels)).toEqual(['ep_softmax_f32', 'ep_unary_f32:RELU']);
    expect(text).toMatch(/ep_softmax_f32/);
    expect(text).toMatch(/instr\. max err/);
    expect(text).toContain(`wrote ${a}`);
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
