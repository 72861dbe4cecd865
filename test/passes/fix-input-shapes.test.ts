// A dynamic leading batch dimension runs as 1 with a one-line notice; other dynamic dimensions still need --input-shape.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { runCli } from '../support/cli.js';
import { rawModel } from '../support/raw-onnx.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-batch-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const reluModel = (shape: (number | string)[]) => rawModel({
  opset: 13, inputs: [{ name: 'x', shape }], outputs: [{ name: 'y', shape }],
  nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
});

function load(shape: (number | string)[], inputShapes?: Record<string, number[]>) {
  const notices: string[] = [];
  const g = loadOnnxBytes(reluModel(shape), 'm.onnx', { inputShapes, onNotice: (t) => notices.push(t) });
  return { shape: g.inputs[0].shape, output: g.outputs[0].shape, notices };
}

describe('dynamic batch dimension', () => {
  it("a symbolic batch ('N', 'batch_size'), -1 or 0 on axis 0 becomes 1, with one notice", () => {
    expect(load(['N', 3, 8, 8])).toEqual({
      shape: [1, 3, 8, 8], output: [1, 3, 8, 8],
      notices: ["input 'x' has a dynamic batch dimension 'N': using 1 (set it with --input-shape x=1x3x8x8)"],
    });
    expect(load(['batch_size', 4]).notices).toEqual(["input 'x' has a dynamic batch dimension 'batch_size': using 1 (set it with --input-shape x=1x4)"]);
    expect(load([-1, 4])).toEqual({ shape: [1, 4], output: [1, 4], notices: ["input 'x' has a dynamic batch dimension '-1': using 1 (set it with --input-shape x=1x4)"] });
    expect(load([0, 4])).toEqual({ shape: [1, 4], output: [1, 4], notices: ["input 'x' has a dynamic batch dimension '0': using 1 (set it with --input-shape x=1x4)"] });
  });

  it('--input-shape sets the batch without a notice, a static batch gives none', () => {
    expect(load(['N', 4], { x: [8, 4] })).toEqual({ shape: [8, 4], output: [8, 4], notices: [] });
    expect(load([0, 4], { x: [2, 4] })).toEqual({ shape: [2, 4], output: [2, 4], notices: [] });
    expect(load([1, 4])).toEqual({ shape: [1, 4], output: [1, 4], notices: [] });
    // A 0 batch given explicitly is an empty batch (the ONNX node tests feed one).
    expect(load([0, 4], { x: [0, 4] })).toEqual({ shape: [0, 4], output: [0, 4], notices: [] });
  });

  it('other dynamic dimensions still need --input-shape (and no notice is given before the error)', () => {
    const notices: string[] = [];
    let error: unknown;
    try {
      loadOnnxBytes(reluModel(['N', 'C', 8]), 'm.onnx', { onNotice: (t) => notices.push(t) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe("the model has dynamic input dimensions: 'x' (NxCx8); edgeprune needs static shapes");
    expect((error as UserError).hint).toBe('fix them, e.g. --input-shape x=1x1x8');
    expect(notices).toEqual([]);
    expect(load(['N', 'C', 8], { x: [1, 3, 8] }).shape).toEqual([1, 3, 8]);
    expect(() => load([-1, -1], {})).toThrow(/dynamic input dimensions: 'x' \(-1x-1\)/);
  });

  it('the CLI prints the notice as one line on stderr and keeps stdout for the output', async () => {
    const file = path.join(dir, 'batch.onnx');
    fs.writeFileSync(file, reluModel(['N', 4]));
    const r = await runCli(['inspect', file, '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stderr).toBe("edgeprune: notice: input 'x' has a dynamic batch dimension 'N': using 1 (set it with --input-shape x=1x4)");
    expect(JSON.parse(r.stdout).inputs[0].shape).toEqual([1, 4]);
  });

  it('a hostile input or dimension name reaches the terminal escaped', async () => {
    const file = path.join(dir, 'hostile-batch.onnx');
    fs.writeFileSync(file, rawModel({
      opset: 13, inputs: [{ name: 'x\u001b[2J', shape: ['N\r\n', 4] }], outputs: [{ name: 'y', shape: ['N\r\n', 4] }],
      nodes: [{ op: 'Relu', inputs: ['x\u001b[2J'], outputs: ['y'] }],
    }));
    const r = await runCli(['inspect', file, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe("edgeprune: notice: input 'x\\x1b[2J' has a dynamic batch dimension 'N\\r\\n': using 1 (set it with --input-shape x\\x1b[2J=1x4)");
  });
});
