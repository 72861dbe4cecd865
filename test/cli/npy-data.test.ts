// NumPy data (x.npy + y.npy) through `edgeprune train` and `eval`: the same numbers as the CSV it was written from.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import { writeNpy } from '../../src/data/npy.js';
import { runCli } from '../support/cli.js';

const DIGITS = path.resolve('examples/digits/digits.csv.gz');
let dir: string;
let npyDir: string;
let model: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-npy-'));
  npyDir = path.join(dir, 'digits');
  fs.mkdirSync(npyDir);
  const ds = readCsvDataset(DIGITS);
  writeNpy(path.join(npyDir, 'x.npy'), [ds.count, ...ds.featureShape], ds.features);
  writeNpy(path.join(npyDir, 'y.npy'), [ds.count], ds.labels, 'i8');
  fs.copyFileSync(path.join(npyDir, 'y.npy'), path.join(dir, 'labels.npy'));
  model = path.join(dir, 'mlp.onnx');
  const r = await runCli(['train', path.join(npyDir, 'x.npy'), '--arch', 'mlp', '--epochs', '4', '--out', model, '--json'], { timeout: 120_000 });
  expect(r.exitCode, r.stderr).toBe(0);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('NumPy data through train and eval', () => {
  it('trains from x.npy (labels from y.npy beside it) a model for the feature shape the file holds', async () => {
    const inspect = await runCli(['inspect', model, '--json']);
    expect(inspect.exitCode, String(inspect.stderr)).toBe(0);
    const info = JSON.parse(inspect.stdout) as { inputs: { shape: number[] }[]; outputs: { shape: number[] }[]; layers: { op: string }[] };
    expect(info.inputs[0].shape).toEqual([1, 64]);
    expect(info.outputs[0].shape).toEqual([1, 10]);
    expect(info.layers.map((l) => l.op)).toContain('Gemm');
  });

  it('evaluates x.npy, its folder and --labels exactly as the CSV the arrays came from', async () => {
    const evalOn = async (args: string[]) => {
      const r = await runCli(['eval', model, ...args, '--split', 'test', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const e = JSON.parse(r.stdout);
      return { samples: e.samples, accuracy: e.accuracy, loss: e.loss, task: e.task };
    };
    const csv = await evalOn(['--data', DIGITS]);
    expect(csv).toMatchObject({ task: 'classification', samples: 359 });
    expect(csv.accuracy).toBeGreaterThan(0.7);
    expect(await evalOn(['--data', path.join(npyDir, 'x.npy')])).toEqual(csv);
    expect(await evalOn(['--data', npyDir])).toEqual(csv);
    expect(await evalOn(['--data', path.join(npyDir, 'x.npy'), '--labels', path.join(dir, 'labels.npy')])).toEqual(csv);
  });

  it('refuses x.npy without labels, and labels of another length, with exit 2 and the flag to use', async () => {
    const lone = path.join(dir, 'lone');
    fs.mkdirSync(lone);
    fs.copyFileSync(path.join(npyDir, 'x.npy'), path.join(lone, 'x.npy'));
    const missing = await runCli(['eval', model, '--data', path.join(lone, 'x.npy')]);
    expect(missing.exitCode, String(missing.stderr)).toBe(2);
    expect(missing.stderr).toMatch(/^edgeprune: error: no labels for '.*x\.npy': '.*y\.npy' does not exist; give the labels file with --labels$/);
    writeNpy(path.join(lone, 'y.npy'), [3], [1, 2, 3], 'i8');
    const short = await runCli(['train', path.join(lone, 'x.npy'), '--arch', 'mlp', '--out', path.join(dir, 'never.onnx')]);
    expect(short.exitCode, String(short.stderr)).toBe(2);
    expect(short.stderr).toMatch(/y\.npy' has shape \(3\), so 3 rows; '.*x\.npy' has 1797/);
    expect(fs.existsSync(path.join(dir, 'never.onnx'))).toBe(false);
  });
});
