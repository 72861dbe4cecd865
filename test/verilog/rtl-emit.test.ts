// The RTL emitter without simulation: identifiers and comments from hostile names (unit and through a whole model
// that Verilator's lint then accepts), deterministic bytes, and the refusals (an op without hardware, a branch, a
// float model) as user errors naming the node, the op, what is supported and what to do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintVerilog } from '../../hw-sim/verilator/lint.js';
import { emitRtl, renderTestbenchTop } from '../../src/emit/verilog/emit-rtl.js';
import { lowerToRtl } from '../../src/emit/verilog/lower-rtl.js';
import { DENSE_RF1 } from '../../src/emit/verilog/lower-dense-rf1.js';
import { packedLiteral } from '../../src/emit/verilog/verilog-literals.js';
import { streamValues } from '../../hw-sim/verilator/run-model.js';
import { staticInfo } from '../../src/ir/graph.js';
import { nodeAttrs } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { VerilogNames, verilogCommentText } from '../../src/emit/verilog/verilog-names.js';
import { UserError } from '../../src/errors.js';
import type { Graph } from '../../src/ir/graph.js';
import { int8MnistLikeCnn } from '../../src/models/int8-sample-models.js';
import { jetMlp, quantizedJetMlp } from '../../src/models/jet-mlp.js';
import { VERILOG_RESERVED } from '../../src/util/escape.js';
import { HOSTILE_MODEL_NAMES, HOSTILE_NAMES, plainNames } from '../support/hostile-names.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { feeds, residualModel } from '../quant/quant-models.js';
import { int8ChainModel } from './rtl-models.js';

const SIMPLE_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Verilog source without its comments (// to the end of the line, block comments), for checks on the code alone. */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
}

function refusal(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(2);
    return e as UserError;
  }
  throw new Error('not refused');
}

describe('Verilog names', () => {
  it('turns every hostile name into a distinct simple identifier, never a keyword, a port or a taken name', () => {
    const names = new VerilogNames(['clk', 'in_valid', 'ep_dense_rf1']);
    const texts = [...HOSTILE_NAMES.map((n) => n.text), 'clk', 'in_valid', 'ep_dense_rf1', 'module', 'wire', '$display', '\\escaped ', 'a$b', 'é', '9lives', '', '', 'x', 'conv.1', 'conv_1'];
    const ids = texts.map((t) => names.unique(t));
    for (const [i, id] of ids.entries()) {
      expect(id, JSON.stringify(texts[i])).toMatch(SIMPLE_IDENTIFIER);
      expect(VERILOG_RESERVED.has(id), id).toBe(false);
      expect(id.length).toBeLessThanOrEqual(72);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('clk');
    expect(ids).not.toContain('ep_dense_rf1');
    expect(names.unique('fc1', '_out_valid')).toBe('fc1_out_valid');
    // The same names in the same order: the same identifiers.
    const again = new VerilogNames(['clk', 'in_valid', 'ep_dense_rf1']);
    expect(texts.map((t) => again.unique(t))).toEqual(ids);
  });

  it('writes comment text that cannot end a comment, continue a line or carry a control or non-ASCII character', () => {
    for (const { label, text } of HOSTILE_NAMES) {
      const c = verilogCommentText(text);
      expect(c, label).not.toMatch(/\*\/|\/\*|\/\/|[\u0000-\u001f\u007f-\uffff]|\\$/);
      expect(`// ${c}`.split('\n')).toHaveLength(1);
    }
  });
});

describe('the RTL of a model with hostile names', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-rtl-names-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every name out of the code: sanitized instances, escaped comments, and Verilator -Wall lint passes', async () => {
    const hostile = emitRtl(int8ChainModel(HOSTILE_MODEL_NAMES));
    const plain = emitRtl(int8ChainModel(plainNames()));
    const layers = HOSTILE_NAMES.length + 1; // one Int8Gemm per name, and the ArgMax
    for (const e of [hostile, plain]) {
      const source = e.files[0].content;
      expect(source.match(/^\s*ep_dense_rf1 #\(/gm)).toHaveLength(layers - 1);
      expect(source.match(/^\s*ep_argmax #\(/gm)).toHaveLength(1);
      // ASCII only, one line per comment, no directive or escaped identifier in the code.
      expect(source).not.toMatch(/[^\n\u0020-\u007e]/);
      expect(code(source)).not.toMatch(/[`$\\]/);
    }
    // Outside the comments, the code is the plain model's but for the identifiers made from the node names.
    const words = (e: typeof hostile) => code(e.files[0].content).split(/\s+/).filter(Boolean);
    expect(words(hostile)).toHaveLength(words(plain).length);
    const instances = [...hostile.files[0].content.matchAll(/^\s*\) (\w+) \($/gm)].map((m) => m[1]);
    expect(instances).toHaveLength(layers);
    expect(new Set(instances).size).toBe(layers);
    for (const id of instances) expect(id).toMatch(SIMPLE_IDENTIFIER);
    const top = path.join(dir, hostile.files[0].name);
    const wrapper = path.join(dir, 'ep_model_tb_top.v');
    fs.writeFileSync(top, hostile.files[0].content);
    fs.writeFileSync(wrapper, renderTestbenchTop(hostile.design));
    const lint = await lintVerilog('ep_model_tb_top', [wrapper, top, ...hostile.library]);
    expect(lint.messages).toEqual([]);
    expect(lint.clean).toBe(true);
  });
});

describe('the RTL emitter', () => {
  it('gives the same bytes for the same model, quantized twice', () => {
    const a = emitRtl(quantizedJetMlp({ sparsity: 0.8 }));
    const b = emitRtl(quantizedJetMlp({ sparsity: 0.8 }));
    expect(a.files).toEqual(b.files);
    expect(renderTestbenchTop(a.design)).toBe(renderTestbenchTop(b.design));
    expect(a.files[0].content).toContain('the float head and tail run on the host');
  });

  it('refuses an op without hardware, naming the node, the op, what is supported and what to do', () => {
    // Int8GlobalAveragePool has no lowering (Int8Conv has: test/verilog/rtl-cnn.test.ts): the node renamed in place.
    const cnn = int8MnistLikeCnn();
    const pooled = { ...cnn, nodes: cnn.nodes.map((n) => (n.name === 'conv1' ? { ...n, opType: 'Int8GlobalAveragePool' } : n)) };
    const e = refusal(() => emitRtl(pooled));
    expect(e.message).toMatch(/^node 'conv1' \(Int8GlobalAveragePool\): the RTL emitter has no hardware for ai\.edgeprune\.Int8GlobalAveragePool; it supports Int8Gemm with one input row, at reuse factor 1 \(ep_dense_rf1\); .*Int8Conv .*ep_conv_stream.*MaxPool.*Flatten or Reshape of a pixel stream/);
    expect(e.hint).toMatch(/edgeprune compile --target <mcu>/);
  });

  it('refuses a node its lowering cannot take, saying why (a reuse factor the module lacks)', () => {
    const e = refusal(() => lowerToRtl(quantizedJetMlp({ sparsity: 0.8 }), { reuseFactors: { fc2: 4 } }));
    expect(e.message).toMatch(/^node 'fc2' \(Int8Gemm\): the RTL emitter cannot build it: reuse factor 4 was asked; ep_dense_rf1 runs at reuse factor 1/);
  });

  it('refuses a branching graph that is no residual block, a global average pool and a float model', () => {
    // fc1's output also leaves the model: two readers, not a fork and a join.
    const jet = quantizedJetMlp({ sparsity: 0.8 });
    const fc1 = jet.nodes.find((n) => n.name === 'fc1')!;
    const branching: Graph = { ...jet, outputs: [...jet.outputs, { name: fc1.outputs[0], dtype: 'int8', shape: [1, 64] }] };
    expect(refusal(() => emitRtl(branching)).message).toMatch(/feeds 2 readers; the RTL emitter builds a chain of layers, and residual blocks/);
    // The residual block is built; its GlobalAveragePool has no hardware.
    const residual: Graph = quantizeModel(residualModel(), feeds(residualModel(), 4)).graph;
    expect(refusal(() => emitRtl(residual)).message).toMatch(/the RTL emitter has no hardware for ai\.edgeprune\.Int8GlobalAveragePool/);
    expect(refusal(() => emitRtl(jetMlp())).message).toMatch(/^input 'input' is float32 and not read by one QuantizeLinear to int8/);
    expect(refusal(() => lowerToRtl(quantizedJetMlp({ sparsity: 0.8 }), { top: 'ep_argmax' })).message).toMatch(/cannot name the top module/);
    expect(refusal(() => lowerToRtl(quantizedJetMlp({ sparsity: 0.8 }), { top: 'wire' })).message).toMatch(/cannot name the top module/);
  });

  it('names the top module after the graph, never a library module\'s name', () => {
    const g = quantizedJetMlp({ sparsity: 0.8 });
    expect(lowerToRtl(g).top).toBe('jet_mlp');
    expect(lowerToRtl(g, { top: 'my_core' }).top).toBe('my_core');
    for (const [name, top] of [['ep_dense_rf1', 'model_ep_dense_rf1'], ['ep_future_module', 'model_ep_future_module'], ['module', 'module_'], ['', 'model']]) {
      expect(lowerToRtl({ ...g, name }).top, name).toBe(top);
    }
  });
});

describe('a permuted input vector (what a Flatten of pixels delivers)', () => {
  it('permutes the dense layer\'s weight columns to the order of the beat, and the trace compares in that order', () => {
    const g = quantizedJetMlp();
    const node = g.nodes.find((n) => n.name === 'fc1')!;
    const order = Array.from({ length: 16 }, (_, i) => (i * 5) % 16); // a permutation of 0..15
    const ctx = (o?: number[]) => ({
      graph: g, node, attrs: nodeAttrs(node), reuseFactor: 1, productsInLogic: false,
      input: { kind: 'vector' as const, elements: 16, ...(o ? { order: o } : {}) },
      type: (n: string) => staticInfo(g, n), constant: (n: string) => g.initializers.get(n),
    });
    const w = Array.from(g.initializers.get(node.inputs[3])!.data as Int8Array);
    const permuted = w.map((_, i) => w[Math.floor(i / 16) * 16 + order[i % 16]]);
    const param = (o?: number[]) => DENSE_RF1.lower(ctx(o)).hardware!.params.find((p) => p.name === 'WEIGHTS')!.value;
    expect(param()).toBe(packedLiteral(w, 8));
    expect(param(order)).toBe(packedLiteral(permuted, 8));
    // The bias folds the same sum whatever the order.
    const bias = (o?: number[]) => DENSE_RF1.lower(ctx(o)).hardware!.params.find((p) => p.name === 'BIAS')!.value;
    expect(bias(order)).toBe(bias());
    const x = Tensor.fromNumbers('int8', [1, 16], Array.from({ length: 16 }, (_, i) => i - 8));
    expect(streamValues(x, { kind: 'vector', elements: 16, order })).toEqual(order.map((i) => i - 8));
  });
});
