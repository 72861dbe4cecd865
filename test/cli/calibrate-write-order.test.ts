// `edgeprune calibrate` writes the calibration and its worst-case calibration together, after both are made: when
// the worst-case step fails, the pair on disk is the one before (here: none, and an existing pair left byte for byte).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The worst-case step fails as a QEMU run that dies would make it fail; the typical calibration before it is real.
vi.mock('../../src/cost/calibrate-worst-case.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/cost/calibrate-worst-case.js')>()),
  calibrateWorstCase: async () => {
    throw new Error('the worst-case step failed (a stand-in for a QEMU run that died)');
  },
}));

const { runInProcess } = await import('../support/in-process-cli.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-calibrate-order-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `edgeprune calibrate <args>` in this process: it must fail with the stand-in's error (an internal error: exit 1). */
async function calibrateFails(args: string[]): Promise<void> {
  const r = await runInProcess(['calibrate', ...args]);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(/worst-case step failed/);
}

describe('edgeprune calibrate when its worst-case step fails', () => {
  it('writes neither file, and leaves an existing pair as it was', async () => {
    const fresh = path.join(dir, 'fresh.json');
    await calibrateFails(['--target', 'stm32f405', '--only', 'unary.Relu', '--out', fresh]);
    expect(fs.existsSync(fresh)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'worst-case', 'fresh.json'))).toBe(false);

    const kept = path.join(dir, 'kept.json');
    const keptWorst = path.join(dir, 'worst-case', 'kept.json');
    fs.mkdirSync(path.dirname(keptWorst), { recursive: true });
    fs.writeFileSync(kept, 'the old calibration\n');
    fs.writeFileSync(keptWorst, 'the old worst-case calibration\n');
    await calibrateFails(['--target', 'stm32f405', '--only', 'unary.Relu', '--out', kept]);
    expect(fs.readFileSync(kept, 'utf8')).toBe('the old calibration\n');
    expect(fs.readFileSync(keptWorst, 'utf8')).toBe('the old worst-case calibration\n');
  }, 300_000);
});
