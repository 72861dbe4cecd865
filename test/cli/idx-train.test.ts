// IDX data through `edgeprune train --arch mnist-cnn|ds-cnn`, `eval` and `compile`: the folder's t10k files as the test set, --limit, and the refusals.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImageSet } from '../support/idx.js';
import { runCli } from '../support/cli.js';

let dir: string;
let data: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-idx-cli-'));
  data = path.join(dir, 'fashion');
  fs.mkdirSync(data);
  writeImageSet(data, 'train', 48, { classes: 4 });
  writeImageSet(data, 't10k', 12, { classes: 4, seed: 3 });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('train on IDX data', () => {
  it('mnist-cnn from the four-file folder: trains on the train files, tests on the t10k files; eval and compile take the model', async () => {
    const model = path.join(dir, 'mnist-cnn.onnx');
    const r = await runCli(['train', data, '--arch', 'mnist-cnn', '--epochs', '1', '--out', model, '--json'], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { samples: { train: number; validation: number; test: number }; testAccuracy: number };
    expect(summary.samples).toEqual({ train: 40, validation: 8, test: 12 });
    const ev = await runCli(['eval', model, '--data', data, '--split', 'test', '--json']);
    expect(ev.exitCode, ev.stderr).toBe(0);
    expect(ev.stdout).toMatch(/"samples": 12\b/);
    const c = await runCli(['compile', model, '--target', 'stm32f405', '--out', path.join(dir, 'c-mnist'), '--json']);
    expect(c.exitCode, c.stderr).toBe(0);
  });

  it('ds-cnn from one images file (labels beside it) with --limit: a seeded stratified subset, then the usual split', async () => {
    const model = path.join(dir, 'ds-cnn.onnx');
    const r = await runCli(['train', path.join(data, 'train-images-idx3-ubyte.gz'), '--arch', 'ds-cnn', '--limit', '20', '--epochs', '1', '--out', model, '--json'], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { samples: { train: number; validation: number; test: number } };
    expect(summary.samples.train + summary.samples.validation + summary.samples.test).toBe(20);
    const c = await runCli(['compile', model, '--target', 'stm32f405', '--out', path.join(dir, 'c-ds'), '--json']);
    expect(c.exitCode, c.stderr).toBe(0);
  });

  it('refuses --test with a folder that brings its test set, --hidden for a fixed layout, and an unknown --arch', async () => {
    const out = path.join(dir, 'never.onnx');
    const test = await runCli(['train', data, '--arch', 'mnist-cnn', '--test', '0.2', '--out', out]);
    expect(test.exitCode, String(test.stderr)).toBe(2);
    expect(test.stderr).toMatch(/--test 0.2: data '.*fashion' brings its own test set/);
    const hidden = await runCli(['train', data, '--arch', 'ds-cnn', '--hidden', '16', '--out', out]);
    expect(hidden.exitCode, String(hidden.stderr)).toBe(2);
    expect(hidden.stderr).toMatch(/--hidden: --arch ds-cnn has a fixed layout/);
    const arch = await runCli(['train', data, '--arch', 'resnet', '--out', out]);
    expect(arch.exitCode, String(arch.stderr)).toBe(2);
    expect(arch.stderr).toMatch(/unknown --arch 'resnet'; known: mlp, cnn, mnist-cnn, ds-cnn/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
