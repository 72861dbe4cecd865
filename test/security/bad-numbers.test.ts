// Bad numbers never score: NaN models score 0%, non-finite data is refused with its row and column (exit 2), diverging
// training stops with a clear error, verify compares NaN outputs by meaning, and every data mistake exits 2 with one line.
// Most refusals run in this process (runInProcess: the command's program and error report); each command refused here
// (prune, build, train, eval, verify) is refused by a real process too (runCli), which proves the exit and the one line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTensors, maxAbsDiff } from '../../src/conformance/compare.js';
import { writeNpy } from '../../src/data/npy.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Tensor } from '../../src/ir/tensor.js';
import { writeOnnx } from '../../src/onnx/export.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { sameFloat32Outputs } from '../../src/verify/output-bits.js';
import { runCli, type CliResult } from '../support/cli.js';
import { runInProcess } from '../support/in-process-cli.js';

const MLP = path.resolve('examples/models/digits-mlp.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
let dir: string;
let nanModel: string;
let zeroByZero: string;

/** One CSV row of 64 pixels and a label. */
const row = (label: number, cell = (i: number) => String((i * 7 + label) % 17)) => `${Array.from({ length: 64 }, (_, i) => cell(i)).join(',')},${label}`;
const csv = (name: string, lines: string[]) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};
const rows = (n: number) => Array.from({ length: n }, (_, i) => row(i % 10));

/** The one-line error of a user mistake: exit 2, no stack trace, no "internal error". */
function expectUserError(r: CliResult, pattern: RegExp): void {
  expect(r.exitCode, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^edgeprune: error: /);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-bad-numbers-'));
  // The digits MLP with every float weight NaN: every output is NaN.
  const g = loadOnnx(MLP);
  for (const t of g.initializers.values()) if (t.dtype === 'float32') (t.data as Float32Array).fill(NaN);
  nanModel = path.join(dir, 'all-nan.onnx');
  writeOnnx(g, nanModel);
  // (x - x) / (x - x): NaN from finite inputs, whose sign bit differs between x86 (0xffc00000) and ARM (0x7fc00000).
  const b = new GraphBuilder('zero_by_zero');
  const x = b.input('x', 'float32', [1, 4]);
  const zero = b.op('Sub', [x, x], {}, 'zero');
  b.output(b.op('Div', [zero, zero], {}, 'nan'));
  zeroByZero = path.join(dir, 'zero-by-zero.onnx');
  writeOnnx(b.build(), zeroByZero);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a NaN model never scores', () => {
  it('an all-NaN model scores 0% in eval, its loss is NaN (null in JSON), and a warning says why', async () => {
    const text = await runCli(['eval', nanModel, '--data', DIGITS]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/accuracy 0\.00% · top-5 0\.00% · loss NaN/);
    expect(text.stderr).toMatch(/warning: 1797 of 1797 samples gave NaN or infinite outputs: they count as wrong/);
    const json = await runCli(['eval', nanModel, '--data', DIGITS, '--json']);
    const r = JSON.parse(json.stdout);
    expect(r).toMatchObject({ accuracy: 0, topK: 0, loss: null, nonFiniteOutputs: 1797, samples: 1797 });
  });

  it('prune and build refuse a model whose weights are NaN instead of pruning it', async () => {
    const out = path.join(dir, 'pruned.onnx');
    expectUserError(await runCli(['prune', nanModel, '--data', DIGITS, '--out', out]), /node 'fc1' \(Gemm\): its weight 'fc1\.weight' holds NaN \(4096 of 4096 values are not finite\)/);
    expect(fs.existsSync(out)).toBe(false);
    // (--workers 0: the build refuses the model after its fine-tuner is made, which by default starts a local worker)
    const build = await runCli(['build', nanModel, '--data', DIGITS, '--ram-kb', '4', '--workers', '0', '--out', path.join(dir, 'build')], { timeout: 120_000 });
    expectUserError({ ...build, stderr: build.stderr.split('\n').filter((l) => l.startsWith('edgeprune:')).join('\n') }, /its weight 'fc1\.weight' holds NaN/);
    expect(fs.existsSync(path.join(dir, 'build'))).toBe(false);
  });

  it('training that blows up stops with exit 2 naming the layer, the epoch and what to do', async () => {
    const r = await runCli(['train', DIGITS, '--arch', 'mlp', '--epochs', '2', '--lr', '1e30', '--out', path.join(dir, 'diverged.onnx')], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/edgeprune: error: training diverged in epoch [12] of 2(, batch \d+ of \d+)?: .*layer '\w+' \(weight '[\w.]+': \d+ of \d+ values are (NaN|-?Infinity)\); lower the learning rate \(--lr, now 1e\+30\), or check the data for extreme values/);
    expect(fs.existsSync(path.join(dir, 'diverged.onnx'))).toBe(false);
  });
});

describe('non-finite data is refused with its file, row and column', () => {
  it('a CSV with Infinity cells does not train: exit 2 at the cell', async () => {
    const file = csv('infinity.csv', [...rows(40), row(3, (i) => (i === 9 ? 'Infinity' : '1'))]);
    expectUserError(await runInProcess(['train', file, '--arch', 'mlp', '--epochs', '1', '--out', path.join(dir, 'inf.onnx')]), /data file '.*infinity\.csv' row 41, column 10: 'Infinity' is not a finite number/);
    expect(fs.existsSync(path.join(dir, 'inf.onnx'))).toBe(false);
  });

  it('a first row with NaN is data, not a header: refused at row 1', async () => {
    const file = csv('nan-first.csv', [row(1, (i) => (i === 0 ? 'NaN' : '2')), ...rows(30)]);
    expectUserError(await runInProcess(['eval', MLP, '--data', file]), /row 1, column 1: 'NaN' is not a finite number/);
  });

  it.each([
    ['inf', "'inf' is not a finite number"],
    ['-inf', "'-inf' is not a finite number"],
    ['', 'the cell is empty'],
    ['1e39', "'1e39' overflows float32"],
  ])('eval refuses a %j cell', async (cell, reason) => {
    const file = csv(`cell-${cell || 'empty'}.csv`, [...rows(12), row(2, (i) => (i === 63 ? cell : '0'))]);
    expectUserError(await runInProcess(['eval', MLP, '--data', file]), new RegExp(`row 13, column 64: ${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('NaN in x.npy is refused with its row and column', async () => {
    const npy = path.join(dir, 'npy-nan');
    fs.mkdirSync(npy);
    const x = Array.from({ length: 20 * 64 }, (_, i) => i % 16);
    x[5 * 64 + 17] = NaN;
    writeNpy(path.join(npy, 'x.npy'), [20, 64], x);
    writeNpy(path.join(npy, 'y.npy'), [20], Array.from({ length: 20 }, (_, i) => i % 10), 'i8');
    expectUserError(await runInProcess(['eval', MLP, '--data', npy]), /x\.npy' row 6, column 18: the feature is NaN, not a finite number/);
  });
});

describe('verify and non-finite numbers', () => {
  it('refuses Inf inputs from a CSV with their row and column, before building anything', async () => {
    const file = csv('verify-inf.csv', [row(0), row(1, (i) => (i === 2 ? '-Infinity' : '1'))]);
    expectUserError(await runCli(['verify', MLP, '--data', file]), /row 2, column 3: '-Infinity' is not a finite number/);
  });

  it('a model that maps finite inputs to NaN verifies: any NaN equals any NaN on host and target', async () => {
    const r = await runCli(['verify', zeroByZero, '--vectors', '2', '--json'], { timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ passed: true, hostBitIdentical: true, maxAbsError: 0, vectors: 2 });
  });

  it('the output comparison: NaN payloads and signs are equal, infinities only to themselves, other bits exactly', () => {
    const bits = (...words: number[]) => {
      const b = new Uint8Array(words.length * 4);
      words.forEach((w, i) => new DataView(b.buffer).setUint32(i * 4, w, true));
      return b;
    };
    expect(sameFloat32Outputs(bits(0x7fc00000, 0x3f800000), bits(0xffc00000, 0x3f800000))).toBe(true);
    expect(sameFloat32Outputs(bits(0x7fc00001), bits(0x7f800001))).toBe(true);
    expect(sameFloat32Outputs(bits(0x7f800000), bits(0x7f800000))).toBe(true);
    expect(sameFloat32Outputs(bits(0x7f800000), bits(0xff800000))).toBe(false);
    expect(sameFloat32Outputs(bits(0x7f800000), bits(0x7fc00000))).toBe(false);
    expect(sameFloat32Outputs(bits(0x00000000), bits(0x80000000))).toBe(false);
    expect(sameFloat32Outputs(bits(0x3f800000), bits(0x3f800001))).toBe(false);
    expect(sameFloat32Outputs(bits(1), bits(1, 2))).toBe(false);
  });

  it('against the interpreter an infinity matches only the same infinity, and |C - interpreter| ignores matching NaNs', () => {
    const t = (...v: number[]) => Tensor.fromNumbers('float32', [v.length], v);
    expect(compareTensors(t(1), t(Infinity), { atol: 1e-4, rtol: 1e-4 })).toMatch(/element 0 is 1, expected Infinity/);
    expect(compareTensors(t(Infinity), t(1e30), { atol: 1e-4, rtol: 1e-4 })).not.toBeNull();
    expect(compareTensors(t(-Infinity), t(-Infinity))).toBeNull();
    expect(compareTensors(t(NaN, 2), t(NaN, 2))).toBeNull();
    expect(maxAbsDiff(t(NaN, Infinity, 1), t(NaN, Infinity, 1.5))).toBe(0.5);
    expect(maxAbsDiff(t(NaN), t(1))).toBe(Infinity);
  });
});

describe('data mistakes exit 2 with the cause (they exited 1 as a bug, or 0 with NaN figures)', () => {
  it('too few rows for the split: says how many there are and how many a class needs', async () => {
    const file = csv('three.csv', rows(3));
    const pattern = /data '.*three\.csv' has 3 samples \(class 0: 1, class 1: 1, class 2: 1\), too few for a validation part: .* a class needs at least 4 samples; give more data/;
    expectUserError(await runCli(['build', MLP, '--data', file, '--ram-kb', '4', '--out', path.join(dir, 'b3')]), pattern);
    expectUserError(await runInProcess(['train', file, '--arch', 'mlp', '--out', path.join(dir, 't3.onnx')]), pattern);
    expectUserError(await runInProcess(['prune', MLP, '--data', file, '--out', path.join(dir, 'p3.onnx')]), pattern);
    expectUserError(await runInProcess(['prune', MLP, '--data', csv('ten.csv', rows(40)), '--validation', '0', '--out', path.join(dir, 'p0.onnx')]), /--validation 0 leaves no validation samples, and this command needs them/);
  });

  it('a folder of the wrong kind, an empty one, a file or a dangling link where a set folder belongs', async () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expectUserError(await runCli(['eval', MLP, '--data', empty]), /data folder '.*empty' is empty; expected x\.npy \+ y\.npy, or ONNX test_data_set_\*/);
    // verify takes the data formats eval takes: the same message.
    expectUserError(await runInProcess(['verify', MLP, '--data', empty]), /data folder '.*empty' is empty; expected x\.npy \+ y\.npy, or ONNX test_data_set_\*/);
    const fileSet = path.join(dir, 'file-set');
    fs.mkdirSync(fileSet);
    fs.writeFileSync(path.join(fileSet, 'test_data_set_0'), 'x');
    expectUserError(await runInProcess(['eval', MLP, '--data', fileSet]), /test_data_set_0' is a file; test_data_set_\* entries must be folders/);
    expectUserError(await runInProcess(['verify', MLP, '--data', fileSet]), /test_data_set_0' is a file/);
    const dangling = path.join(dir, 'dangling');
    fs.mkdirSync(dangling);
    fs.symlinkSync(path.join(dangling, 'gone'), path.join(dangling, 'test_data_set_0'));
    expectUserError(await runInProcess(['eval', MLP, '--data', dangling]), /test data folder '.*test_data_set_0' is a broken symbolic link/);
  });

  it('a corrupt gzip file, ragged rows, a shape that does not fit the model, a data set with no samples, --top-k 0', async () => {
    const gz = path.join(dir, 'corrupt.csv.gz');
    fs.writeFileSync(gz, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]));
    expectUserError(await runInProcess(['eval', MLP, '--data', gz]), /data file '.*corrupt\.csv\.gz' is a corrupt gzip file/);
    expectUserError(await runInProcess(['eval', MLP, '--data', csv('ragged.csv', [...rows(12), '1,2,3'])]), /row 13 has 3 columns, expected 65 \(as in row 1\)/);
    expectUserError(await runInProcess(['eval', MLP, '--data', csv('narrow.csv', ['1,2,3,0', '4,5,6,1'])]), /has 3 features per sample \(3\), but the model's input 'input' takes 64 per sample \(64\)/);
    const none = path.join(dir, 'none');
    fs.mkdirSync(none);
    writeNpy(path.join(none, 'x.npy'), [0, 64], []);
    writeNpy(path.join(none, 'y.npy'), [0], [], 'i8');
    expectUserError(await runInProcess(['eval', MLP, '--data', none]), /data '.*x\.npy' holds no samples/);
    expectUserError(await runInProcess(['eval', MLP, '--data', csv('k.csv', rows(12)), '--top-k', '0']), /--top-k must be an integer from 1 to 1,000,000 in decimal notation, got '0'/);
  });
});
