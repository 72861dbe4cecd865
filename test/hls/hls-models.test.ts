// Whole quantized models as HLS C++ C-simulated with g++ against the interpreter, layer by layer, bit for bit: the jet
// MLP (dense and 80% pruned) at reuse factor 1 and folded, with an ArgMax head, the digits MLP quantized on the digits
// (dense and 80% pruned, folded), the digits CNN (conv, max pool, flatten, dense) at RF 1 and folded and with an
// average pool, the residual digits CNN, and a corrupted design caught at its first diverging layer.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSplit } from '../../src/cli/data-options.js';
import { lowerToHls } from '../../src/emit/hls/hls-design.js';
import { loadModel } from '../../src/import/load-model.js';
import { runGraph } from '../../src/ir/interpreter.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { jetInputs, pruneWeights, quantizedJetMlp } from '../../src/models/jet-mlp.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { quantizeModel } from '../../src/quant/quantize.js';
import { simulateHlsDesign } from '../../src/verify/verify-hls.js';
import type { Graph } from '../../src/ir/graph.js';
import { digitsCnn, withAveragePool } from '../verilog/digits-cnn.js';

const VECTORS = 100;

async function simulate(g: Graph, feeds: Record<string, Tensor>[], reuseFactors?: Record<string, number>) {
  return simulateHlsDesign(lowerToHls(g, { reuseFactors }), g, feeds);
}

function expectBitExact(r: Awaited<ReturnType<typeof simulate>>, vectors: number): void {
  expect(r.mismatches).toEqual([]);
  expect(r.firstDivergingLayer).toBeNull();
  expect(r.perLayer.every((l) => l.mismatches === 0)).toBe(true);
  expect(r.vectors).toBe(vectors);
  expect(r.passed).toBe(true);
}

async function digitsMlp(sparsity: number): Promise<{ g: Graph; feeds: Record<string, Tensor>[] }> {
  let float = await loadModel(path.resolve('examples/models/digits-mlp.onnx'));
  if (sparsity) float = pruneWeights(float, sparsity);
  const split = loadSplit(path.resolve('examples/digits/digits.csv.gz'), { seed: 0, validation: 0.15, test: 0.2 });
  const g = quantizeModel(float, calibrationInputs(float, split.train, 200)).graph;
  const feeds = calibrationInputs(float, split.test, VECTORS).map((f) => ({ [g.inputs[0].name]: f[float.inputs[0].name] }));
  return { g, feeds };
}

describe('HLS C++ in g++ C simulation against the interpreter', () => {
  it.each([
    ['dense, RF 1', 0, undefined],
    ['80% pruned, RF 1', 0.8, undefined],
    ['dense, folded (fc1 RF 64, fc2 RF 128, fc3 RF 1024, fc4 RF 5)', 0, { fc1: 64, fc2: 128, fc3: 1024, fc4: 5 }],
  ])('the jet MLP 16-64-32-32-5 (%s): 100 vectors bit-exact, every layer', async (_, sparsity, rfs) => {
    const g = quantizedJetMlp({ sparsity });
    const r = await simulate(g, jetInputs(g, VECTORS, 3), rfs);
    expectBitExact(r, VECTORS);
    expect(r.perLayer.map((l) => [l.node, l.reuseFactor])).toEqual([1, 2, 3, 4].map((i) => [`fc${i}`, rfs ? rfs[`fc${i}` as keyof typeof rfs] : 1]));
  });

  it('the jet MLP with an ArgMax head: the class index of every vector', async () => {
    const g = quantizedJetMlp({ head: 'argmax', sparsity: 0.8 });
    const feeds = jetInputs(g, VECTORS, 5);
    const r = await simulate(g, feeds, { fc2: 64 });
    expectBitExact(r, VECTORS);
    expect(r.perLayer.at(-1)).toMatchObject({ node: 'class', op: 'ArgMax', mismatches: 0 });
    const classes = new Set(feeds.map((f) => Number(runGraph(g, f).get(g.outputs[0].name)!.data[0])));
    expect(classes.size).toBeGreaterThan(1);
  });

  it.each([
    [0, 'RF 1'],
    [0.8, 'RF 1'],
    [0, 'folded'],
  ] as const)('the digits MLP (%s of its weights pruned, %s) quantized on the digits: 100 test digits bit-exact', async (sparsity, folded) => {
    const { g, feeds } = await digitsMlp(sparsity);
    const gemms = g.nodes.filter((n) => n.opType === 'Int8Gemm');
    // Folded: every dense layer at N_OUT·2 (two chunks of N_IN/2 products per output).
    const rfs = folded === 'folded' ? Object.fromEntries(gemms.map((n) => [n.name, 2 * g.initializers.get(n.inputs[3])!.shape[0]])) : undefined;
    const r = await simulate(g, feeds, rfs);
    expectBitExact(r, VECTORS);
    expect(r.perLayer.filter((l) => l.op === 'Int8Gemm')).toHaveLength(gemms.length);
  });

  it.each([
    ['RF 1', undefined],
    ['folded: conv1 RF 24, conv2 RF 144, fc1 RF 64, logits RF 20', { conv1: 24, conv2: 144, fc1: 64, logits: 20 }],
  ])('the digits CNN (conv, conv, max pool, flatten, dense, dense) at %s: 100 digits bit-exact, every layer', async (_, rfs) => {
    const cnn = await digitsCnn(VECTORS);
    const input = cnn.graph.inputs[0].name;
    const r = await simulate(cnn.graph, cnn.values.map((v) => ({ [input]: v.get(input)! })), rfs);
    expectBitExact(r, VECTORS);
    expect(r.perLayer.map((l) => `${l.node}:${l.reuseFactor}`)).toEqual(['conv1', 'conv2', 'pool', 'fc1', 'logits'].map((n) => `${n}:${rfs?.[n as keyof typeof rfs] ?? 1}`));
  });

  it('the digits CNN with an int8 average pool for its max pool: 100 digits bit-exact, every layer', async () => {
    const cnn = await digitsCnn(VECTORS);
    const g = withAveragePool(cnn);
    const input = g.inputs[0].name;
    const r = await simulate(g, cnn.values.map((v) => ({ [input]: v.get(input)! })));
    expectBitExact(r, VECTORS);
    expect(r.perLayer.map((l) => l.op)).toEqual(['Int8Conv', 'Int8Conv', 'Int8AveragePool', 'Int8Gemm', 'Int8Gemm']);
  });

  it('the residual digits CNN (an Int8Add of conv1 and conv3, an average pool): 100 digits bit-exact, every layer', async () => {
    const float = await loadModel(path.resolve('examples/models/digits-residual-cnn.onnx'));
    const split = loadSplit(path.resolve('examples/digits/digits.csv.gz'), { seed: 0, validation: 0.15, test: 0.2 });
    const g = quantizeModel(float, calibrationInputs(float, split.train, 200)).graph;
    const feeds = calibrationInputs(float, split.test, VECTORS).map((f) => ({ [g.inputs[0].name]: f[float.inputs[0].name] }));
    const r = await simulate(g, feeds);
    expectBitExact(r, VECTORS);
    expect(r.perLayer.map((l) => l.op)).toEqual(['Int8Conv', 'Int8Conv', 'Int8Conv', 'Int8Add', 'MaxPool', 'Int8AveragePool', 'Int8Gemm']);
  });

  it('builds a design once: the second C simulation of the same C++ comes from the cache', async () => {
    const g = quantizedJetMlp({ seed: 7 });
    const first = await simulate(g, jetInputs(g, 5, 1), { fc4: 10 });
    const second = await simulate(g, jetInputs(g, 5, 2), { fc4: 10 });
    expect(second.csimCached).toBe(true);
    expect(second.durationsMs.build).toBe(0);
    expect(first.passed && second.passed).toBe(true);
  });

  it('a corrupted design (a wrong bias in fc2) fails and names fc2 as the first diverging layer', async () => {
    const g = quantizedJetMlp({ sparsity: 0.8 });
    const design = lowerToHls(g);
    const fc2 = design.layers[1];
    if (fc2.kind !== 'dense') throw new Error('fc2 is dense');
    fc2.bias[0] += 5000;
    const r = await simulateHlsDesign(design, g, jetInputs(g, 20, 6));
    expect(r.passed).toBe(false);
    expect(r.firstDivergingLayer).toMatchObject({ layer: 1, node: 'fc2', op: 'Int8Gemm' });
    expect(r.perLayer[0].mismatches).toBe(0);
    expect(r.perLayer[1].mismatches).toBeGreaterThan(0);
  });
});
