// Malformed graphs are user errors (exit 2) naming the value or node: two producers, dangling reads, cycles, duplicates.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { runCli } from '../support/cli.js';
import { rawModel, type RawModel } from '../support/raw-onnx.js';

const { onnx } = onnxProto;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-structure-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const w = Tensor.fromNumbers('float32', [4], [1, 2, 3, 4]);

function model(nodes: RawModel['nodes'], extra: Partial<RawModel> = {}): RawModel {
  return { opset: 13, inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'y' }], initializers: { w }, nodes, ...extra };
}

function loadError(bytes: Uint8Array): string {
  try {
    loadOnnxBytes(bytes, 'bad.onnx');
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('the model loaded');
}

/** Edit the encoded model (for what rawModel cannot write: duplicate initializers, duplicate attributes). */
function patched(m: RawModel, edit: (p: onnxProto.onnx.ModelProto) => void): Uint8Array {
  const p = onnx.ModelProto.decode(rawModel(m));
  edit(p);
  return onnx.ModelProto.encode(p).finish();
}

describe('graph structure', () => {
  it('two nodes producing one tensor: exit 2 from the CLI, naming the value and both nodes', async () => {
    const m = model([{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'a' }, { op: 'Sigmoid', inputs: ['x'], outputs: ['y'], name: 'b' }]);
    expect(loadError(rawModel(m))).toBe("value 'y' is produced twice: by node 'a' (Relu) and by node 'b' (Sigmoid)");
    const file = path.join(dir, 'two-producers.onnx');
    fs.writeFileSync(file, rawModel(m));
    for (const command of [['inspect', file], ['compile', file, '--out', path.join(dir, 'out')]]) {
      const r = await runCli(command);
      expect(r.exitCode, String(r.stderr)).toBe(2);
      expect(r.stderr).toMatch(/^edgeprune: error: value 'y' is produced twice: by node 'a' \(Relu\) and by node 'b' \(Sigmoid\); every value of an ONNX graph has exactly one producer/);
    }
  });

  it('a node output that is also a graph input or an initializer', () => {
    expect(loadError(rawModel(model([{ op: 'Relu', inputs: ['w'], outputs: ['x'], name: 'a' }, { op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }]))))
      .toBe("value 'x' is produced twice: by a graph input and by node 'a' (Relu)");
    expect(loadError(rawModel(model([{ op: 'Relu', inputs: ['x'], outputs: ['w'], name: 'a' }, { op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }]))))
      .toBe("value 'w' is produced twice: by an initializer and by node 'a' (Relu)");
  });

  it('a node reading a value nothing produces', () => {
    expect(loadError(rawModel(model([{ op: 'Add', inputs: ['x', 'ghost'], outputs: ['y'], name: 'a' }]))))
      .toBe("node 'a' (Add) reads 'ghost', which no node, graph input or initializer produces");
  });

  it('a graph without outputs: exit 2 from the CLI, not an internal error in the templates (fuzz, session 23)', async () => {
    const bytes = rawModel(model([{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'a' }], { outputs: [] }));
    expect(loadError(bytes)).toBe('the graph has no outputs: the model computes nothing');
    const file = path.join(dir, 'no-outputs.onnx');
    fs.writeFileSync(file, bytes);
    const r = await runCli(['compile', file, '--out', path.join(dir, 'no-outputs')]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/^edgeprune: error: the graph has no outputs: the model computes nothing; the model is malformed/);
    expect(fs.existsSync(path.join(dir, 'no-outputs'))).toBe(false);
  });

  it('a cycle', () => {
    const m = model([
      { op: 'Add', inputs: ['x', 'c'], outputs: ['a'], name: 'first' },
      { op: 'Relu', inputs: ['a'], outputs: ['c'], name: 'second' },
      { op: 'Relu', inputs: ['a'], outputs: ['y'], name: 'third' },
    ]);
    expect(loadError(rawModel(m))).toBe("the graph has a cycle: 3 nodes ('first', 'second', 'third') wait, directly or not, for their own outputs");
  });

  it('nodes listed out of execution order are put in order (and otherwise keep the file order)', () => {
    const m = model([
      { op: 'Relu', inputs: ['b'], outputs: ['y'], name: 'last' },
      { op: 'Neg', inputs: ['x'], outputs: ['n'], name: 'independent' },
      { op: 'Add', inputs: ['x', 'w'], outputs: ['b'], name: 'first' },
    ], { outputs: [{ name: 'y' }, { name: 'n' }] });
    const g = loadOnnxBytes(rawModel(m), 'unordered.onnx');
    expect(g.nodes.map((n) => n.name)).toEqual(['independent', 'first', 'last']);
    const out = runGraph(g, { x: Tensor.fromNumbers('float32', [1, 4], [-5, 0, 0, 0]) });
    expect(Array.from(out.get('y')!.data as Float32Array)).toEqual([0, 2, 3, 4]);
  });

  it('duplicate initializers, graph inputs, graph outputs and attributes; a nameless input', () => {
    const relu = model([{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'r' }]);
    expect(loadError(patched(relu, (p) => p.graph!.initializer!.push(p.graph!.initializer![0])))).toBe("'bad.onnx' defines initializer 'w' twice");
    expect(loadError(patched(relu, (p) => p.graph!.input!.push(p.graph!.input![0])))).toBe("'bad.onnx' lists graph input 'x' twice");
    expect(loadError(patched(relu, (p) => p.graph!.output!.push(p.graph!.output![0])))).toBe("'bad.onnx' lists graph output 'y' twice");
    expect(loadError(patched(relu, (p) => (p.graph!.input![0].name = '')))).toBe("'bad.onnx' has a graph input without a name");
    const flatten = model([{ op: 'Flatten', inputs: ['x'], outputs: ['y'], name: 'f', attrs: { axis: 1 } }]);
    expect(loadError(patched(flatten, (p) => p.graph!.node![0].attribute!.push(p.graph!.node![0].attribute![0])))).toBe("node 'f' (Flatten) has attribute 'axis' twice");
  });

  it('an attribute named __proto__ stays an attribute, which the op refuses', () => {
    const bytes = patched(model([{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'r' }]), (p) => {
      p.graph!.node![0].attribute = [{ name: '__proto__', type: onnx.AttributeProto.AttributeType.INT, i: 1 }];
    });
    expect(loadError(bytes)).toBe("node 'r' (Relu): unsupported attribute '__proto__' (this op takes no attributes)");
  });
});
