// `edgeprune train`, `eval` and `prune` end to end on the bundled digits, and their errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { runCli } from '../support/cli.js';
import { rawModel } from '../support/raw-onnx.js';
import { runOnnxruntime } from '../support/ort.js';
import { maxAbsDiff } from '../../src/conformance/compare.js';

const DIGITS = path.resolve('examples/digits/digits.csv.gz');
let dir: string;
let mlp: string;
let cnn: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-prune-'));
  mlp = path.join(dir, 'mlp.onnx');
  cnn = path.join(dir, 'cnn.onnx');
  const [a, b] = await Promise.all([
    runCli(['train', DIGITS, '--arch', 'mlp', '--epochs', '8', '--out', mlp, '--json'], { timeout: 120_000 }),
    runCli(['train', DIGITS, '--arch', 'cnn', '--epochs', '8', '--out', cnn, '--json'], { timeout: 120_000 }),
  ]);
  expect(a.exitCode, a.stderr).toBe(0);
  expect(b.exitCode, b.stderr).toBe(0);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function ortMatches(file: string, sample: number[]): Promise<void> {
  const g = loadOnnx(file);
  const input = g.inputs[0];
  const x = Tensor.fromNumbers('float32', input.shape as number[], sample);
  const ours = runGraph(g, { [input.name]: x }).get(g.outputs[0].name)!;
  const theirs = (await runOnnxruntime(fs.readFileSync(file), { [input.name]: x })).get(g.outputs[0].name)!;
  expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-4);
}

const sample = Array.from({ length: 64 }, (_, i) => (i * 7) % 17);

describe('train and eval', () => {
  it('trains models that eval confirms with the interpreter', async () => {
    const r = await runCli(['eval', mlp, '--data', DIGITS, '--split', 'test', '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({ task: 'classification', samples: 359, split: 'test' });
    expect(e.accuracy).toBeGreaterThan(0.85);
    expect(e.loss).toBeGreaterThan(0);
    expect(e.topK).toBeGreaterThanOrEqual(e.accuracy);
  });
});

describe('edgeprune prune', () => {
  it('weight-prunes the MLP progressively; the zeros are in the ONNX and onnxruntime runs it', async () => {
    const out = path.join(dir, 'mlp-60.onnx');
    const r = await runCli(['prune', mlp, '--data', DIGITS, '--sparsity', '0.6', '--steps', '3', '--epochs', '2', '--final-epochs', '1', '--max-drop', '5', '--out', out, '--json'], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const log = JSON.parse(r.stdout);
    expect(log.steps[0].kind).toBe('dense');
    expect(log.steps.filter((s: { kind: string }) => s.kind === 'weight').length).toBeGreaterThanOrEqual(3);
    for (const k of ['sparsity', 'params', 'macs', 'validation', 'wallMs']) expect(log.steps[1]).toHaveProperty(k);
    expect(log.final.sparsity).toBeGreaterThan(0.55);
    const inspect = JSON.parse((await runCli(['inspect', out, '--json'])).stdout);
    const fc1 = inspect.layers.find((l: { name: string }) => l.name === 'fc1');
    expect(fc1.sparsity).toBeGreaterThan(0.4);
    expect(inspect.totals.zeroWeights / inspect.totals.weights).toBeCloseTo(log.final.sparsity, 3);
    await ortMatches(out, sample);
    // Progress goes to stderr as plain lines when it is not a terminal.
    expect(r.stderr).toMatch(/step 1 weight → /);
  });

  it('prunes the CNN structurally into a smaller model, written as a TF.js layers model too', async () => {
    const out = path.join(dir, 'cnn-small.onnx');
    const r = await runCli(['prune', cnn, '--data', DIGITS, '--structured', '0.4', '--steps', '2', '--epochs', '2', '--final-epochs', '0', '--max-drop', '10', '--out', out, '--json'], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const log = JSON.parse(r.stdout);
    expect(log.final.macs).toBeLessThanOrEqual(log.dense.macs * 0.62);
    await ortMatches(out, sample);
    const tfjsDir = path.join(dir, 'cnn-tfjs');
    // (--epochs 0: what is checked is the TF.js layers model written for a structurally pruned CNN, not a fine-tune:
    // 1.7 against 2.7 CPU-s)
    const t = await runCli(['prune', out, '--data', DIGITS, '--sparsity', '0.3', '--steps', '1', '--epochs', '0', '--final-epochs', '0', '--max-drop', '10', '--out', tfjsDir], { timeout: 120_000 });
    expect(t.exitCode, t.stderr).toBe(0);
    expect(fs.readdirSync(tfjsDir).sort()).toEqual(['.edgeprune-output', 'group1-shard1of1.bin', 'model.json']); // the marker lets --force replace it later
    const back = JSON.parse((await runCli(['inspect', path.join(tfjsDir, 'model.json'), '--json'])).stdout);
    expect(back.totals.macs).toBe(log.final.macs);
    // The pruned model goes through the MCU backend: compiled, run in QEMU, compared with the interpreter.
    const v = await runCli(['verify', out, '--target', 'mps2-an386', '--data', DIGITS, '--vectors', '3', '--json'], { timeout: 120_000 });
    expect(v.exitCode, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ passed: true, hostBitIdentical: true, macs: log.final.macs });
  });

  it.each(['taylor', 'taylor-activation'])('ranks channels by %s with gradients from the training bridge', async (criterion) => {
    const out = path.join(dir, `cnn-${criterion}.onnx`);
    // --epochs 0: the ranking takes its gradients from the bridge at every step all the same (progressive.ts), without
    // the fine-tunes of the steps and recovery rounds between (taylor: 1.6 against 6.1 CPU-s for the command).
    const r = await runCli(['prune', cnn, '--data', DIGITS, '--structured', '0.3', '--steps', '1', '--epochs', '0', '--final-epochs', '0', '--max-drop', '10', '--criterion', criterion, '--out', out, '--json'], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const log = JSON.parse(r.stdout);
    expect(log.final.macs).toBeLessThanOrEqual(log.dense.macs * 0.72);
    expect(log.final.macs).toBeGreaterThan(0);
  });

  it('warns and prunes without fine-tuning a model the bridge cannot train', async () => {
    const file = path.join(dir, 'mul.onnx');
    const w = Tensor.fromNumbers('float32', [64, 10], Array.from({ length: 640 }, (_, i) => Math.sin(i)));
    fs.writeFileSync(file, rawModel({
      opset: 13, inputs: [{ name: 'x', shape: [1, 64] }], outputs: [{ name: 'y' }],
      initializers: { w, s: Tensor.scalar('float32', 0.5) },
      nodes: [{ op: 'Mul', inputs: ['x', 's'], outputs: ['h'], name: 'scale' }, { op: 'MatMul', inputs: ['h', 'w'], outputs: ['y'] }],
    }));
    const out = path.join(dir, 'mul-pruned.onnx');
    const r = await runCli(['prune', file, '--data', DIGITS, '--sparsity', '0.5', '--steps', '1', '--max-drop', '100', '--out', out], { timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: the model cannot be fine-tuned \(.*node 'scale' \(Mul\).*\); pruning without fine-tuning/);
    expect(r.stdout).toMatch(/could not be fine-tuned/);
  });
});

describe('edgeprune prune errors (exit 2, nothing written)', () => {
  const expectError = async (args: string[], pattern: RegExp) => {
    const out = path.join(dir, `never-${Math.random().toString(36).slice(2)}.onnx`);
    const r = await runCli(['prune', ...args, '--out', out], { timeout: 60_000 });
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(fs.existsSync(out)).toBe(false);
  };

  it('a sparsity outside [0, 1)', () => expectError([mlp, '--data', DIGITS, '--sparsity', '1.5'], /--sparsity must be a fraction from 0 up to \(not including\) 1 in decimal notation, got '1\.5'/));
  it('an unknown criterion', () => expectError([mlp, '--data', DIGITS, '--structured', '0.3', '--criterion', 'random'], /unknown --criterion 'random'; known: l1, l2, redundancy, taylor, taylor-activation, apoz, mean-activation/));
  it('an unreadable data file', () => expectError([mlp, '--data', path.join(dir, 'missing.csv')], /data '.*missing\.csv' does not exist/));
  it('data whose features do not fit the model', async () => {
    const wide = path.join(dir, 'wide.csv');
    fs.writeFileSync(wide, Array.from({ length: 20 }, (_, i) => `${new Array(10).fill(i % 3).join(',')},${i % 2}`).join('\n'));
    await expectError([mlp, '--data', wide], /data '.*wide\.csv' \(train split\) has 10 features per sample \(10\), but the model's input 'input' takes 64 per sample \(64\)/);
  });
  it('labels beyond the model\'s classes', async () => {
    const many = path.join(dir, 'many.csv');
    fs.writeFileSync(many, Array.from({ length: 60 }, (_, i) => `${new Array(64).fill(1).join(',')},${i % 12}`).join('\n'));
    await expectError([mlp, '--data', many], /has labels up to 11, but the model's output 'logits_out' has only 10 classes/);
  });
});
