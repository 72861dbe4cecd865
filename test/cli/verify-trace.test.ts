// verify --trace: a trace build returns every layer's output; each is compared with the interpreter's (int8 bit-exact,
// float32 within the tolerance), and a broken layer is named as the first that diverges, with its largest difference.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderVerify } from '../../src/cli/commands/verify.js';
import { cFloat } from '../../src/emit/c/c-literals.js';
import { loadModel } from '../../src/import/load-model.js';
import type { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import { int8DigitsMlp } from '../../src/models/int8-sample-models.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { terminalName } from '../../src/util/escape.js';
import { compareLayers, coordinates } from '../../src/verify/layer-trace.js';
import { tensorBytes } from '../../src/verify/output-bits.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { HarnessClient, type RawTraceValue } from '../../hw-sim/protocol/client.js';
import { loadVectors, type VectorSet } from '../../src/verify/vectors.js';
import { verifyOnTarget } from '../../src/verify/verify-mcu.js';
import { runCli } from '../support/cli.js';
import { HOSTILE_MODEL_NAMES } from '../support/hostile-names.js';
import { int8CorpusModelFile } from '../support/int8-models.js';

const FLOAT_MLP = path.resolve('examples/models/digits-mlp.onnx');
const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Replace the first element of the weight array `ident` in model_weights.c (the test fails if it is not there). */
function patchFirstElement(files: Map<string, string>, ident: string, literal: string): void {
  const text = files.get('model_weights.c')!;
  const pattern = new RegExp(`(${ident}\\[\\d+\\][^=]*= \\{\\n\\s*)([^,\\n]+)`);
  expect(pattern.test(text), `${ident} in model_weights.c`).toBe(true);
  files.set('model_weights.c', text.replace(pattern, (_, head: string) => `${head}${literal}`));
}

/** The graph with element 0 of constant `name` replaced by `value`. */
function withFirstElement(g: Graph, name: string, value: number): Graph {
  const t = g.initializers.get(name)!;
  const data = t.data.slice() as typeof t.data;
  data[0] = value;
  const initializers = new Map(g.initializers);
  initializers.set(name, new Tensor(t.dtype, t.shape, data));
  return { ...g, initializers };
}

/** Over the vectors, the largest |altered − original| of value `name` in the interpreter, where, and how many elements differ. */
function expectedDivergence(original: Graph, altered: Graph, vectors: VectorSet, name: string, counts: (a: number, b: number) => boolean) {
  let max = 0;
  let at: { vector: number; flat: number } | null = null;
  let differing = 0;
  vectors.inputs.forEach((inputs, vector) => {
    const feeds = Object.fromEntries(original.inputs.map((v, i) => [v.name, inputs[i]]));
    const a = runGraph(altered, feeds, { keepIntermediates: true }).get(name)!;
    const b = runGraph(original, feeds, { keepIntermediates: true }).get(name)!;
    for (let i = 0; i < a.size; i++) {
      const d = Math.abs((a.data[i] as number) - (b.data[i] as number));
      if (counts(a.data[i] as number, b.data[i] as number)) differing++;
      if (d > max) {
        max = d;
        at = { vector, flat: i };
      }
    }
  });
  return { max, at: at as { vector: number; flat: number } | null, differing };
}

describe('coordinates', () => {
  it('turns a flat index into coordinates in the shape, row-major', () => {
    expect(coordinates(0, [1, 8, 14, 14])).toEqual([0, 0, 0, 0]);
    expect(coordinates(14 * 14 * 3 + 14 * 2 + 5, [1, 8, 14, 14])).toEqual([0, 3, 2, 5]);
    expect(coordinates(9, [1, 10])).toEqual([0, 9]);
  });
});

describe('the trace protocol and its checks', () => {
  /** A client whose firmware answers every command with `reply`. */
  const answering = (reply: string) => {
    const client: HarnessClient = new HarnessClient({ write: async () => void setTimeout(() => client.feed(reply), 1) }, 'scripted');
    return client;
  };
  const model = { name: 'm', inputBytes: [], outputBytes: [1] };

  it('collects @EP TRACE lines before the outputs, in order', async () => {
    const r = await answering('@EP TRACE 0 0 0102\n@EP TRACE 2 1 ff\n@EP OUT 0 7f\n@EP RUN 0 - - -\n').run(0, model, [], 500);
    expect(r.trace).toEqual([{ step: 0, output: 0, bytes: new Uint8Array([1, 2]) }, { step: 2, output: 1, bytes: new Uint8Array([255]) }]);
    expect(r.outputs).toEqual([new Uint8Array([127])]);
  });

  it('a run without TRACE lines has no trace; a TRACE line after the outputs is refused', async () => {
    expect('trace' in (await answering('@EP OUT 0 7f\n@EP RUN 0 - - -\n').run(0, model, [], 500))).toBe(false);
    await expect(answering('@EP OUT 0 7f\n@EP TRACE 0 0 01\n@EP RUN 0 - - -\n').run(0, model, [], 500)).rejects.toThrow(/unexpected reply/);
  });

  it('compareLayers refuses a trace that is not the plan\'s: missing, unknown step, wrong size', () => {
    const lib = compileToC(int8DigitsMlp(), { trace: true });
    const inputs = loadVectors(lib.graph, { count: 1, seed: 1 }).inputs[0];
    const reference = runGraph(lib.graph, { [lib.graph.inputs[0].name]: inputs[0] }, { keepIntermediates: true });
    const good = lib.steps.flatMap((s, step) => s.outputs.map((name, output) => ({ step, output, bytes: tensorBytes(reference.get(name)!) })));
    const compare = (trace: RawTraceValue[] | undefined) => compareLayers({ graph: lib.graph, steps: lib.steps, runOn: 'x', exact: true, tolerance: { atol: 0, rtol: 0 }, runs: [{ trace, reference }] });
    expect(compare(good).firstDiverging).toBeNull();
    expect(() => compare(undefined)).toThrow(/no layer trace/);
    expect(() => compare(good.slice(1))).toThrow(/traced 3 layer outputs, the model has 4/);
    expect(() => compare([...good, { step: 9, output: 0, bytes: new Uint8Array(1) }])).toThrow(/step 9 output 0/);
    expect(() => compare(good.map((t, i) => (i === 1 ? { ...t, bytes: t.bytes.slice(1) } : t)))).toThrow(/expected 32 int8 elements/);
    const flipped = good.map((t, i) => (i === 2 ? { ...t, bytes: t.bytes.map((b, j) => (j === 7 ? b ^ 1 : b)) } : t));
    const r = compare(flipped);
    expect(r.firstDiverging).toMatchObject({ step: 2, value: 'fc2_out' });
    expect(r.layers[2]).toMatchObject({ mismatches: 1, maxAbsDiff: 1, maxAt: { vector: 0, index: [0, 7] } });
  });

  it('the generated C calls the trace hook only in a trace build', () => {
    const plain = compileToC(int8DigitsMlp()).files.get('model.c')!;
    const traced = compileToC(int8DigitsMlp(), { trace: true }).files.get('model.c')!;
    expect(plain).not.toContain('ephw_trace');
    expect(traced.match(/^ {2}ephw_trace_value\(\d+u, 0u, model_arena \+ \d+, \d+u\);$/gm)).toHaveLength(4);
    expect(traced.split('\n').filter((l) => !l.includes('ephw_trace') && !l.startsWith('/* Trace build')).join('\n').replace(/\n{3,}/g, '\n\n')).toBe(plain.replace(/\n{3,}/g, '\n\n'));
  });
});

describe('verify --trace (host and QEMU builds)', () => {
  const int8Target = findMcuTarget('lm3s6965');

  it('an int8 model that matches: every layer bit-exact, none diverging', async () => {
    const g = int8DigitsMlp();
    const vectors = loadVectors(g, { count: 3, seed: 2 });
    const r = await verifyOnTarget(g, 'int8_digits_mlp', { target: int8Target, vectors, trace: true });
    expect(r.passed).toBe(true);
    const t = r.trace!;
    expect(t.comparison).toBe('bit-exact');
    expect(t.vectors).toBe(3);
    expect(t.layers.map((l) => [l.nodes.join('+'), l.op, l.value])).toEqual([
      ['input_quantize', 'QuantizeLinear', 'input_quantize_out'],
      ['fc1', 'Int8Gemm', 'fc1_out'],
      ['fc2', 'Int8Gemm', 'fc2_out'],
      ['logits', 'DequantizeLinear', 'logits_out'],
    ]);
    for (const l of t.layers) expect([l.mismatches, l.maxAbsDiff, l.maxAt]).toEqual([0, 0, null]);
    expect(t.firstDiverging).toBeNull();
    expect(r.hostTrace!.runOn).toBe('host build');
    expect(r.hostTrace!.layers.map((l) => l.mismatches)).toEqual([0, 0, 0, 0]);
    expect(renderVerify(r)).toContain('every layer matches the interpreter (4 layer outputs)');
    expect(renderVerify(r)).toContain('host build: every layer matches the interpreter (4 layer outputs)');
  });

  it('an int8 model with a broken bias in its C: names fc1 as the first diverging layer, with the interpreter\'s largest difference', async () => {
    const g = int8DigitsMlp();
    const vectors = loadVectors(g, { count: 3, seed: 2 });
    const bias = g.initializers.get('fc1.bias')!.data[0] as number;
    const broken = bias + 5000;
    const r = await verifyOnTarget(g, 'int8_digits_mlp', {
      target: int8Target, vectors, trace: true, patchLibrary: (files) => patchFirstElement(files, 'model_w_fc1_bias', String(broken)),
    });
    const expected = expectedDivergence(g, withFirstElement(g, 'fc1.bias', broken), vectors, 'fc1_out', (a, b) => a !== b);
    expect(expected.max).toBeGreaterThan(0); // the change shows in the interpreter too
    const t = r.trace!;
    expect(r.passed).toBe(false);
    expect(t.firstDiverging).toMatchObject({ step: 1, nodes: ['fc1'], op: 'Int8Gemm', value: 'fc1_out' });
    const [quantize, fc1] = t.layers;
    expect(quantize.mismatches).toBe(0);
    expect(fc1.mismatches).toBe(expected.differing);
    expect(fc1.maxAbsDiff).toBe(expected.max);
    expect(fc1.maxAt).toMatchObject({ vector: expected.at!.vector, index: coordinates(expected.at!.flat, [1, 32]) });
    expect(fc1.maxAt!.index).toEqual([0, 0]); // the bias of output channel 0
    expect(r.hostTrace!.firstDiverging).toEqual(t.firstDiverging); // the host build runs the same broken C
    expect(r.hostTrace!.layers[1]).toEqual(fc1);
    const text = renderVerify(r);
    expect(text).toMatch(/first diverging layer: step 1 'fc1' \(Int8Gemm, value 'fc1_out'\)/);
    expect(text).toContain(`largest difference ${expected.max} at vector ${expected.at!.vector} [0, 0]`);
    expect(text).toMatch(/host build: first diverging layer: step 1 'fc1'/);
    // without --trace, a failure says how to find the layer
    const { trace: _target, hostTrace: _host, ...untraced } = r;
    expect(renderVerify(untraced)).toContain('run again with --trace');
    expect(renderVerify(r)).not.toContain('run again with --trace');
  });

  it('a float model with a broken bias in its C: names fc2 (+ its fused ReLU) as the first diverging layer', async () => {
    const g = await loadModel(FLOAT_MLP);
    const vectors = loadVectors(g, { count: 3, seed: 3 });
    const bias = g.initializers.get('fc2.bias')!.data[0] as number;
    const broken = Math.fround(bias + 2);
    const r = await verifyOnTarget(g, 'digits-mlp', {
      target: findMcuTarget('mps2-an386'), vectors, trace: true, patchLibrary: (files) => patchFirstElement(files, 'model_w_fc2_bias', cFloat(broken)),
    });
    const tol = r.tolerance;
    const expected = expectedDivergence(g, withFirstElement(g, 'fc2.bias', broken), vectors, 'relu_3_out', (a, b) => Math.abs(a - b) > tol.atol + tol.rtol * Math.abs(b));
    expect(expected.max).toBeGreaterThan(0.5);
    const t = r.trace!;
    expect(t.comparison).toBe('tolerance');
    expect(t.firstDiverging).toMatchObject({ step: 1, nodes: ['fc2', 'relu_3'], op: 'Gemm+Relu', value: 'relu_3_out' });
    const [fc1, fc2] = t.layers;
    expect(fc1.mismatches).toBe(0);
    expect(fc1.maxAbsDiff).toBeLessThan(1e-4);
    expect(fc2.mismatches).toBe(expected.differing);
    expect(Math.abs(fc2.maxAbsDiff - expected.max)).toBeLessThan(1e-4);
    expect(fc2.maxAt).toMatchObject({ vector: expected.at!.vector, index: [0, 0] });
    expect(renderVerify(r)).toMatch(/first diverging layer: step 1 'fc2' \+ 'relu_3' \(Gemm\+Relu, value 'relu_3_out'\)/);
  });

  it('the CLI: --trace on a model with hostile names prints every layer escaped, and --json keeps the names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-trace-'));
    made.push(dir);
    const file = path.join(dir, 'hostile.onnx');
    fs.writeFileSync(file, int8CorpusModelFile(HOSTILE_MODEL_NAMES));
    const text = await runCli(['verify', file, '--target', 'lm3s6965', '--vectors', '2', '--trace'], { timeout: 180_000 });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('layer trace: qemu lm3s6965evb against the interpreter, 2 vector(s), bit-exact');
    expect(text.stdout).toMatch(/every layer matches the interpreter \(\d+ layer outputs\)/);
    expect(text.stdout).toMatch(/host build: every layer matches the interpreter/);
    expect(text.stdout).not.toMatch(/[\u001b\u009b\u202e\u0007\r]/);
    const json = await runCli(['verify', file, '--target', 'lm3s6965', '--vectors', '2', '--trace', '--json'], { timeout: 180_000 });
    expect(json.exitCode, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    const layers: { nodes: string[]; mismatches: number }[] = report.trace.layers;
    const names = layers.flatMap((l) => l.nodes);
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const name of names) {
      expect(HOSTILE_MODEL_NAMES.layers.map((n, i) => n || `node_${i}`)).toContain(name);
      expect(text.stdout).toContain(`'${terminalName(name)}'`.slice(0, 30));
    }
    expect(layers.every((l) => l.mismatches === 0)).toBe(true);
    expect(report.trace.firstDiverging).toBeNull();
  });
});
