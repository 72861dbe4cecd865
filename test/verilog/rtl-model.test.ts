// Whole quantized models as RTL in Verilator, bit-exact with the interpreter layer by layer: the jet-tagging-shaped
// MLP (latency 12 cycles at II 1), its 80%-weight-pruned form (4x fewer multipliers), the digits MLP quantized on the
// digits (under random output stalls), a model ending in ArgMax, and a corrupted design caught at its first
// diverging layer.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateDesign, simulateRtl } from '../../hw-sim/verilator/run-model.js';
import { loadSplit } from '../../src/cli/data-options.js';
import { designLatency, emitRtl } from '../../src/emit/verilog/emit-rtl.js';
import { lowerToRtl } from '../../src/emit/verilog/lower-rtl.js';
import { loadModel } from '../../src/import/load-model.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { jetInputs, quantizedJetMlp } from '../../src/models/jet-mlp.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { quantizeModel } from '../../src/quant/quantize.js';

const VECTORS = 100;

/** Every multiplier a design builds: one per non-zero weight, and each requantizer's. */
function multipliers(design: ReturnType<typeof lowerToRtl>): number {
  return design.layers.reduce((s, l) => s + (l.hardware ? l.hardware.multipliers.weights + l.hardware.multipliers.requantizers : 0), 0);
}

describe('whole models in Verilator against the interpreter', () => {
  it('the jet MLP 16-64-32-32-5: 100 vectors bit-exact, latency 12 cycles at II 1', async () => {
    const g = quantizedJetMlp();
    const r = await simulateRtl(g, jetInputs(g, VECTORS, 3));
    expect(r.mismatches).toEqual([]);
    expect(r.firstDivergingLayer).toBeNull();
    expect(r.passed).toBe(true);
    expect(r.vectors).toBe(VECTORS);
    expect(r.perLayer.map((l) => [l.node, l.module, l.mismatches])).toEqual([1, 2, 3, 4].map((i) => [`fc${i}`, 'ep_dense_rf1', 0]));
    expect(r.latencyCycles).toBe(designLatency(lowerToRtl(g)));
    expect(r.latencyCycles).toBeLessThanOrEqual(12);
    expect(r.initiationInterval).toBe(1);
    expect(r.cycles).toBe(r.latencyCycles + VECTORS - 1);
  });

  it('the jet MLP 80% weight-pruned: bit-exact under stalls too, with at least 4x fewer multipliers than dense', async () => {
    const g = quantizedJetMlp({ sparsity: 0.8 });
    const r = await simulateRtl(g, jetInputs(g, VECTORS, 4), { stallSeed: 9 });
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.initiationInterval).toBe(1);
    expect(multipliers(lowerToRtl(quantizedJetMlp()))).toBeGreaterThanOrEqual(4 * multipliers(lowerToRtl(g)));
  });

  it('the digits MLP quantized on the digits: bit-exact on 100 test digits with random output stalls', async () => {
    const float = await loadModel(path.resolve('examples/models/digits-mlp.onnx'));
    const split = loadSplit(path.resolve('examples/digits/digits.csv.gz'), { seed: 0, validation: 0.15, test: 0.2 });
    const g = quantizeModel(float, calibrationInputs(float, split.train, 200)).graph;
    const r = await simulateRtl(g, calibrationInputs(float, split.test, VECTORS), { stallSeed: 3 });
    expect(r.mismatches).toEqual([]);
    expect(r.perLayer.every((l) => l.mismatches === 0)).toBe(true);
    expect(r.passed).toBe(true);
    expect(r.vectors).toBe(VECTORS);
  });

  it('a model ending in ArgMax: the class index of every vector, one cycle after the logits', async () => {
    const g = quantizedJetMlp({ head: 'argmax', sparsity: 0.8 });
    expect(g.nodes.at(-1)!.opType).toBe('ArgMax');
    const feeds = jetInputs(g, VECTORS, 5);
    const r = await simulateRtl(g, feeds, { stallSeed: 21 });
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.perLayer.at(-1)).toMatchObject({ node: 'class', module: 'ep_argmax', mismatches: 0 });
    expect(r.latencyCycles).toBe(13);
    // Not a constant index: the vectors reach several classes.
    const classes = new Set(feeds.map((f) => Number(runGraph(g, f).get(g.outputs[0].name)!.data[0])));
    expect(classes.size).toBeGreaterThan(1);
  });

  it('a corrupted design (a wrong bias in fc2) fails and names fc2 as the first diverging layer', async () => {
    const g = quantizedJetMlp({ sparsity: 0.8 });
    const design = lowerToRtl(g);
    const bias = design.layers[1].hardware!.params.find((p) => p.name === 'BIAS')!;
    const [width, hex] = bias.value.split("'h");
    bias.value = `${width}'h${(BigInt(`0x${hex}`) + 5000n).toString(16)}`; // output 0's bias + 5000
    expect(emitRtl(g).files[0].content).not.toContain(bias.value);
    const r = await simulateDesign(design, g, jetInputs(g, 20, 6));
    expect(r.passed).toBe(false);
    expect(r.firstDivergingLayer).toMatchObject({ layer: 1, node: 'fc2', op: 'Int8Gemm' });
    expect(r.perLayer[0].mismatches).toBe(0);
    expect(r.perLayer[1].mismatches).toBeGreaterThan(0);
    expect(r.perLayer[1].firstMismatch!.got).not.toEqual(r.perLayer[1].firstMismatch!.want);
  });
});
