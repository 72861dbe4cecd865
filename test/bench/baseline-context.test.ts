// The panel's baseline context reads data as build does: an IDX folder's t10k files are the test set (no --test split).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baselineContext } from '../../bench/baselines/run-baseline.js';
import { writeImageSet } from '../support/idx.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-baseline-context-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('baselineContext', () => {
  it('takes an IDX folder\'s t10k files as the test set, as build does', async () => {
    writeImageSet(dir, 'train', 40, { classes: 4 });
    writeImageSet(dir, 't10k', 12, { classes: 4, seed: 3 });
    const ctx = await baselineContext(path.resolve('examples/models/mnist-like-cnn.onnx'), dir, 'stm32f405', 0);
    try {
      expect(ctx.data.test.count).toBe(12);
      expect(ctx.data.train.count + ctx.data.validation.count).toBe(40);
      expect(ctx.denseTest).toBeGreaterThanOrEqual(0);
    } finally {
      ctx.trainer.dispose();
    }
  });
});
