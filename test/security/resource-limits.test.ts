// Bounded resources on any input: sizes are checked against src/ir/limits.ts before anything is allocated or computed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import Table from 'cli-table3';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../src/cli/format.js';
import { terminalText } from '../../src/util/escape.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { UserError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { withLimits } from '../../src/ir/limits.js';
import { Tensor } from '../../src/ir/tensor.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { runCli } from '../support/cli.js';
import { rawModel, type RawModel } from '../support/raw-onnx.js';

const { onnx } = onnxProto;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-limits-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const i64 = (values: number[]) => Tensor.fromNumbers('int64', [values.length], values);
const f32 = (shape: number[], values: number[]) => Tensor.fromNumbers('float32', shape, values);

/** The UserError message loading the model gives (fails the test when it loads or throws anything else). */
function loadError(m: RawModel): string {
  try {
    loadOnnxBytes(rawModel(m), 'hostile.onnx');
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('the model loaded');
}

/** y = x + f(c): a run-time output whose other operand is folded from constants. */
function plusFolded(nodes: RawModel['nodes'], initializers: Record<string, Tensor>, xShape = [1]): RawModel {
  return {
    opset: 13, inputs: [{ name: 'x', shape: xShape }], outputs: [{ name: 'y' }], initializers,
    nodes: [...nodes, { op: 'Add', inputs: ['x', 'folded'], outputs: ['y'] }],
  };
}

describe('tensor sizes', () => {
  it('a Conv input with a 2^31 dimension is refused at import, naming the input, the size and the limit', async () => {
    const m: RawModel = {
      opset: 13, inputs: [{ name: 'x', shape: [1, 1, 2 ** 31, 1] }], outputs: [{ name: 'y' }], initializers: { w: f32([1, 1, 1, 1], [1]) },
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] }],
    };
    expect(loadError(m)).toBe("graph input 'x' would have 2,147,483,648 elements (shape 1x1x2147483648x1), more than the limit of 16,777,216 per tensor");
    const file = path.join(dir, 'conv.onnx');
    fs.writeFileSync(file, rawModel(m));
    const r = await runCli(['compile', file, '--out', path.join(dir, 'conv-out')]);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/^edgeprune: error: graph input 'x' would have 2,147,483,648 elements/);
  });

  it('an Expand bomb (a 2 KB model asking for 16384x16384) is refused before the output exists', () => {
    const m = plusFolded([{ op: 'Expand', inputs: ['c', 's'], outputs: ['folded'], name: 'bomb' }], { c: f32([1], [1]), s: i64([16384, 16384]) });
    expect(loadError(m)).toBe("node 'bomb' (Expand): output 'folded' would have 268,435,456 elements (shape 16384x16384), more than the limit of 16,777,216 per tensor");
  });

  it('ConstantOfShape 2^28, and int64 values past the byte limit, are refused', () => {
    expect(loadError(plusFolded([{ op: 'ConstantOfShape', inputs: ['s'], outputs: ['folded'], name: 'fill' }], { s: i64([2 ** 28]) })))
      .toBe("node 'fill' (ConstantOfShape): output 'folded' would have 268,435,456 elements (shape 268435456), more than the limit of 16,777,216 per tensor");
    const int64Fill = { op: 'ConstantOfShape', inputs: ['s'], outputs: ['folded'], name: 'fill', attrs: { value: Tensor.fromNumbers('int64', [1], [3]) } };
    expect(loadError({ ...plusFolded([int64Fill], { s: i64([4096, 4096]) }), inputs: [{ name: 'x', shape: [1], elemType: 7 }] }))
      .toBe("node 'fill' (ConstantOfShape): output 'folded' would take 134,217,728 bytes (int64, shape 4096x4096), more than the limit of 67,108,864 bytes per tensor");
  });

  it('a rank past the limit, and negative dimensions, are refused', () => {
    const rank40 = Array.from({ length: 40 }, () => 1);
    expect(loadError({ opset: 13, inputs: [{ name: 'x', shape: rank40 }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }))
      .toBe("graph input 'x' has rank 40, more than the limit of 32");
    const reshape = { op: 'Reshape', inputs: ['c', 's'], outputs: ['folded'], name: 'neg' };
    expect(loadError(plusFolded([reshape], { c: f32([4], [1, 2, 3, 4]), s: i64([-2, -2]) }))).toMatch(/^node 'neg' \(Reshape\)/);
  });

  it('an initializer whose dims claim more than its data holds is refused before its tensor is allocated', () => {
    const bytes = rawModel({ opset: 13, inputs: [{ name: 'x', shape: [1] }], outputs: [{ name: 'y' }], initializers: { w: f32([1], [1]) }, nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }] });
    // Patch w's dims from [1] to [4096, 4096] (the raw data stays 4 bytes).
    const model = onnx.ModelProto.decode(bytes);
    model.graph!.initializer![0].dims = [4096, 4096];
    expect(() => loadOnnxBytes(onnx.ModelProto.encode(model).finish(), 'claims.onnx')).toThrow(/initializer 'w' holds 1 values but its shape needs 16777216/);
  });
});

describe('budgets of one model', () => {
  it('initializers past the constant limit are refused, naming the one that passes it', () => {
    const m: RawModel = {
      opset: 13, inputs: [{ name: 'x', shape: [256] }], outputs: [{ name: 'y' }],
      initializers: { a: f32([256], new Array(256).fill(1)), b: f32([256], new Array(256).fill(2)) },
      nodes: [{ op: 'Add', inputs: ['x', 'a'], outputs: ['t'] }, { op: 'Add', inputs: ['t', 'b'], outputs: ['y'] }],
    };
    withLimits({ maxConstantBytes: 1500 }, () => {
      expect(loadError(m)).toBe("initializer 'b' brings the model's constants to 2,048 bytes, more than the limit of 1,500 bytes");
    });
  });

  it('constant folding stops where its work budget ends: the rest stays a run-time node', () => {
    const m = plusFolded([{ op: 'Expand', inputs: ['c', 's'], outputs: ['e'] }, { op: 'Mul', inputs: ['e', 'c'], outputs: ['folded'], name: 'scale' }], { c: f32([1], [2]), s: i64([64, 64]) }, [64, 64]);
    const folded = loadOnnxBytes(rawModel(m), 'fold.onnx');
    expect(folded.nodes.map((n) => n.opType)).toEqual(['Add']);
    // Expand costs 1 + 4096 + its 2 shape values; Mul then needs 4096 + 1 + 4096 more.
    const partly = withLimits({ maxFoldWork: 5000 }, () => loadOnnxBytes(rawModel(m), 'fold.onnx'));
    expect(partly.nodes.map((n) => n.name)).toEqual(['scale', 'Add_2']);
    const x = Tensor.fromNumbers('float32', [64, 64], new Array(4096).fill(1));
    expect(runGraph(partly, { x }).get('y')!.data[0]).toBe(5);
  });

  it('constant folding stops where the constant budget ends', () => {
    const m = plusFolded([{ op: 'ConstantOfShape', inputs: ['s'], outputs: ['folded'], name: 'fill' }], { s: i64([1000]) }, [1000]);
    const g = withLimits({ maxConstantBytes: 2000 }, () => loadOnnxBytes(rawModel(m), 'fill.onnx'));
    expect(g.nodes.map((n) => n.name)).toEqual(['fill', 'Add_1']);
  });

  it('a pool whose windows read too many taps is refused before its plan is built', () => {
    const b = new GraphBuilder('pool');
    b.input('x', 'float32', [1, 1, 64, 64]);
    b.op('MaxPool', ['x'], { kernel_shape: { kind: 'ints', value: [32, 32] } }, 'wide');
    b.output('wide_out');
    const g = b.build();
    const x = Tensor.fromNumbers('float32', [1, 1, 64, 64], new Array(4096).fill(1));
    withLimits({ maxTensorElements: 100_000 }, () => {
      expect(() => runGraph(g, { x })).toThrow("node 'wide' (MaxPool): its windows read 1,115,136 input taps per plane, more than the limit of 100,000");
    });
    expect(runGraph(g, { x }).get('wide_out')!.shape).toEqual([1, 1, 33, 33]);
  });

  it('the interpreter refuses a node whose outputs would pass the live-bytes limit, before running it', () => {
    const b = new GraphBuilder('live');
    b.input('x', 'float32', [1000]);
    const r = b.op('Relu', ['x'], {}, 'first');
    const s = b.op('Sigmoid', [r], {}, 'second');
    b.output(b.op('Add', [r, s], {}, 'third'));
    const g = b.build();
    const x = Tensor.fromNumbers('float32', [1000], new Array(1000).fill(1));
    // x dies after 'first' (8,000 bytes live at most so far); 'third' would hold r, s and its output.
    withLimits({ maxLiveBytes: 10_000 }, () => {
      expect(() => runGraph(g, { x })).toThrow("node 'third' (Add): running it would hold 12,000 bytes of values at once, more than the limit of 10,000");
    });
    expect(runGraph(g, { x }).get('third_out')!.size).toBe(1000);
  });
});

describe('the target bounds compile before any C is written', () => {
  it("weights past the target's flash are refused by compileToC({ target })", () => {
    const b = new GraphBuilder('big');
    b.input('x', 'float32', [1, 1024]);
    b.initializer('w', Tensor.fromNumbers('float32', [1024, 300], new Array(1024 * 300).fill(0.5)));
    b.output(b.op('MatMul', ['x', 'w'], {}, 'dense'));
    const g = b.build();
    expect(() => compileToC(g, { target: findMcuTarget('stm32f405') })).toThrow(/the model does not fit stm32f405: its weights take 1228800 bytes/);
    expect(compileToC(g, { target: findMcuTarget('stm32h743') }).view.weightBytes).toBe(1228800);
  });
});

describe('inspect of very large models', () => {
  /** The table as cli-table3 draws it in one piece (what renderTable drew before it laid tables out itself). */
  function cliTable3(head: string[], rows: string[][], numeric: boolean[]): string {
    const none = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ' };
    const t = new Table({ head, style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 }, colAligns: head.map((_, i) => (numeric[i] ? 'right' : 'left')), chars: none });
    t.push(...rows);
    return t.toString();
  }

  it('tables are laid out as cli-table3 lays them out (wide characters and escaped colour codes included)', () => {
    const head = ['#', 'name', 'op', 'MACs'];
    const rows = Array.from({ length: 600 }, (_, i) => [String(i), i % 7 ? `layer_${i}` : `名前${'x'.repeat(i % 13)}`, i % 5 ? 'Relu' : '\u001b[1mConv\u001b[0m', (i * 1234).toLocaleString('en-US')]);
    const numeric = [true, false, false, true];
    // renderTable escapes every cell first (the colour codes are shown, not sent), then lays them out.
    const escaped = [head, ...rows].map((r) => r.map((cell) => terminalText(cell)));
    expect(renderTable(head, rows, numeric)).toBe(cliTable3(escaped[0], escaped.slice(1), numeric));
    expect(renderTable(['a', 'b'], [])).toBe(cliTable3(['a', 'b'], [], []));
  });

  it('one huge cell (a Concat of 3,000 inputs) is cut, so that no line of the table grows with it', async () => {
    const n = 3000;
    const file = path.join(dir, 'wide.onnx');
    fs.writeFileSync(file, rawModel({
      opset: 13, inputs: [{ name: 'x', shape: [1, 2] }], outputs: [{ name: 'y' }],
      nodes: [...Array.from({ length: n }, (_, i) => ({ op: 'Relu', inputs: ['x'], outputs: [`r${i}`] })), { op: 'Concat', inputs: Array.from({ length: n }, (_, i) => `r${i}`), outputs: ['y'], attrs: { axis: 1 } }],
    }));
    const r = await runCli(['inspect', file]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.length).toBeGreaterThan(n);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(400);
    expect(lines.find((l) => l.includes(' Concat '))).toMatch(/ 1x2, 1x2, .*… /);
  });
});
