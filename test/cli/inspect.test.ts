// `edgeprune inspect`: the table, the JSON report, and one clear error line with exit code 2 for bad input.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/report-error.js';
import { UserError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { runCli } from '../support/cli.js';
import { rawModel } from '../support/raw-onnx.js';

const MODEL = path.resolve('examples/models/mnist-like-cnn.onnx');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-inspect-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

async function expectUserError(args: string[], pattern: RegExp): Promise<void> {
  const r = await runCli(args);
  expect(r.exitCode, String(r.stderr)).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^edgeprune: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('edgeprune inspect', () => {
  it('prints the JSON report with layers and totals', async () => {
    const r = await runCli(['inspect', MODEL, '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.layers.map((l: { op: string }) => l.op)).toEqual(['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm']);
    for (const l of report.layers) for (const k of ['name', 'op', 'params', 'macs', 'sparsity']) expect(l).toHaveProperty(k);
    expect(report.totals).toMatchObject({ params: 5994, macs: 786_560, weightBytes: 5994 * 4 });
    // The peak is at the first ReLU: its input and output, 8x28x28 floats each.
    expect(report.totals.peakActivationBytes).toBe(2 * 8 * 28 * 28 * 4);
    // The arena the C library plans: the ReLU runs in place, so the first conv's output and the pool's share less.
    expect(report.arena).toEqual({ bytes: 31_360, lowerBoundBytes: 31_360, refused: null });
    expect(report.layers[0]).toMatchObject({ name: 'conv1', params: 208, macs: 156_800, sparsity: 0 });
  });

  it('prints a table with totals', async () => {
    const r = await runCli(['inspect', MODEL]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stdout).toMatch(/conv1\s+Conv\s+1x1x28x28\s+1x8x28x28\s+208\s+156,800/);
    expect(r.stdout).toMatch(/totals: 5,994 parameters · 786,560 MACs/);
    expect(r.stdout).toMatch(/peak activations: 49\.0 KiB/);
    expect(r.stdout).toMatch(/arena: 30\.6 KiB, the C library's static RAM as compile plans it \(lower bound 30\.6 KiB\)/);
  });

  it('says why no arena is planned when the C backend refuses the model', async () => {
    // int16 Add: the interpreter runs it, the C backend runs Add on float32 only (ONNX elem type 5 = int16).
    const file = write('int16-add.onnx', rawModel({
      opset: 13, inputs: [{ name: 'x', shape: [1, 4], elemType: 5 }, { name: 'y', shape: [1, 4], elemType: 5 }], outputs: [{ name: 'z', elemType: 5 }],
      nodes: [{ op: 'Add', inputs: ['x', 'y'], outputs: ['z'], name: 'add16' }],
    }));
    const r = await runCli(['inspect', file, '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.arena).toMatchObject({ bytes: null, lowerBoundBytes: null });
    expect(report.arena.refused).toMatch(/^not supported by the C backend: node 'add16' \(Add\): value 'x' is int16/);
    expect((await runCli(['inspect', file])).stdout).toMatch(/arena: not planned: not supported by the C backend: node 'add16'/);
  });

  it('reports weight sparsity', async () => {
    const w = Tensor.fromNumbers('float32', [4, 4], [0, 1, 0, 2, 0, 0, 3, 0, 4, 0, 0, 0, 5, 6, 0, 0]);
    const file = write('sparse.onnx', rawModel({
      opset: 13, inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'y' }], initializers: { w },
      nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
    }));
    const report = JSON.parse((await runCli(['inspect', file, '--json'])).stdout);
    expect(report.layers[0].sparsity).toBeCloseTo(10 / 16, 10);
  });
});

describe('edgeprune inspect errors', () => {
  it('a missing file', () => expectUserError(['inspect', path.join(dir, 'nope.onnx')], /does not exist/));

  it('a file that is not ONNX', () => expectUserError(['inspect', write('text.onnx', 'hello, this is not a model\n'.repeat(20))], /not (a valid ONNX model|an ONNX model)/));

  it('a truncated protobuf', async () => {
    const bytes = fs.readFileSync(MODEL);
    await expectUserError(['inspect', write('truncated.onnx', bytes.subarray(0, Math.floor(bytes.length / 2)))], /truncated or corrupt|not an ONNX model/);
  });

  it('a corrupt protobuf', async () => {
    const bytes = Buffer.from(fs.readFileSync(MODEL));
    for (let i = 0; i < 64; i++) bytes[i * 7] = 0xff;
    await expectUserError(['inspect', write('corrupt.onnx', bytes)], /not a valid ONNX model|not an ONNX model|corrupt/);
  });

  it('unsupported ops: every op with its nodes, and the supported set', async () => {
    const file = write('lstm.onnx', rawModel({
      opset: 13, inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'z' }],
      nodes: [
        { op: 'Hardmax', inputs: ['x'], outputs: ['a'], name: 'hm1' },
        { op: 'Relu', inputs: ['a'], outputs: ['b'] },
        { op: 'Hardmax', inputs: ['b'], outputs: ['c'], name: 'hm2' },
        { op: 'Celu', inputs: ['c'], outputs: ['z'], name: 'celu' },
      ],
    }));
    await expectUserError(['inspect', file], /2 unsupported ops: Hardmax \(nodes 'hm1', 'hm2'\); Celu \(node 'celu'\); supported ops: .*Conv.*Relu/);
  });

  it('a dynamic shape without --input-shape, then fixed with it', async () => {
    const file = write('dynamic.onnx', rawModel({
      opset: 13, inputs: [{ name: 'x', shape: ['N', 'F'] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    }));
    await expectUserError(['inspect', file], /dynamic input dimensions: 'x' \(NxF\).*--input-shape x=1x1/);
    const r = await runCli(['inspect', file, '--input-shape', 'x=2x4', '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(JSON.parse(r.stdout).inputs[0].shape).toEqual([2, 4]);
  });

  it('a malformed --input-shape', () => expectUserError(['inspect', MODEL, '--input-shape', 'input=1xAx28'], /not of the form/));

  it('an unknown option exits 2', async () => {
    const r = await runCli(['inspect', MODEL, '--bogus']);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
  });
});

describe('error reporting', () => {
  it('internal errors exit 1 with a one-line message, stack only with --debug', () => {
    const lines: string[] = [];
    expect(reportError(new TypeError('boom'), false, (t) => lines.push(t))).toBe(1);
    expect(lines.join('')).toMatch(/^edgeprune: internal error: boom .*--debug/);
    expect(lines.join('')).not.toMatch(/\n\s+at /);
    const debugLines: string[] = [];
    reportError(new TypeError('boom'), true, (t) => debugLines.push(t));
    expect(debugLines.join('')).toMatch(/\n\s+at /);
    expect(reportError(new UserError('bad'), false, () => {})).toBe(2);
  });
});
