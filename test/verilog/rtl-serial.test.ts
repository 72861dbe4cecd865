// Folded dense layers chained by serial streams (one int8 element per beat, ep_dense_folded SERIAL_IN/SERIAL_OUT):
// the int8 jet MLP (16-64-32-32-5) with every layer folded to one multiplier takes its vectors through block RAM,
// not flip-flops; the emitter puts a collector (ep_collect) only where a whole vector is needed (before a layer at
// reuse factor 1 and at the core's output). Bit-exact with the interpreter in Verilator on every layer's trace, with
// output stalls; the measured latency and II are the design's (designLatency, designInitiationInterval).
import { describe, expect, it } from 'vitest';
import { simulateDesign } from '../../hw-sim/verilator/run-model.js';
import { designInitiationInterval, designLatency } from '../../src/emit/verilog/emit-rtl.js';
import { lowerToRtl } from '../../src/emit/verilog/lower-rtl.js';
import type { Graph } from '../../src/ir/graph.js';
import { jetInputs, quantizedJetMlp } from '../../src/models/jet-mlp.js';

/** Every Int8Gemm at reuse factor N_IN·N_OUT (one multiplier), or `rf` where given. */
function serialFactors(g: Graph, rf: Record<string, number> = {}): Record<string, number> {
  return Object.fromEntries(
    g.nodes.filter((n) => n.opType === 'Int8Gemm').map((n) => {
      const [nOut, nIn] = g.initializers.get(n.inputs[3])!.shape;
      return [n.name, rf[n.name] ?? nOut * nIn];
    }),
  );
}

const param = (l: { hardware?: { params: { name: string; value: string }[] } }, name: string) => l.hardware?.params.find((p) => p.name === name)?.value;

describe('folded dense layers on serial streams', () => {
  it('jet MLP, every layer on one multiplier: the vectors between layers in block RAM, bit-exact with stalls, cycles as scheduled', async () => {
    const g = quantizedJetMlp({ sparsity: 0.5 });
    const reuseFactors = serialFactors(g);
    const design = lowerToRtl(g, { reuseFactors });
    const hw = design.layers.filter((l) => l.hardware);
    expect(hw.map((l) => [l.hardware!.module, param(l, 'SERIAL_IN'), param(l, 'SERIAL_OUT')])).toEqual([
      ['ep_dense_folded', '0', '1'],
      ['ep_dense_folded', '1', '1'],
      ['ep_dense_folded', '1', '1'],
      ['ep_dense_folded', '1', '1'],
      ['ep_collect', undefined, undefined],
    ]);
    expect(design.output.format).toEqual({ kind: 'vector', elements: 5 });
    const r = await simulateDesign(design, g, jetInputs(g, 12, 4), { reuseFactors, stallSeed: 3 });
    expect(r.perLayer.map((l) => [l.node, l.mismatches, l.firstMismatch])).toEqual(r.perLayer.map((l) => [l.node, 0, null]));
    expect(r.passed).toBe(true);
    expect(r.latencyCycles).toBe(designLatency(design));
    // fc2 (64·32 words) paces the chain.
    expect(r.initiationInterval).toBe(designInitiationInterval(design));
    expect(designInitiationInterval(design)).toBe(64 * 32);
  });

  it('a layer at more than one multiplier or at reuse factor 1 gets the whole vector through a collector', async () => {
    const g = quantizedJetMlp();
    const names = g.nodes.filter((n) => n.opType === 'Int8Gemm').map((n) => n.name);
    // fc2 on two multipliers (RF 1024), fc3 fully parallel (RF 1), fc4 on one.
    const reuseFactors = serialFactors(g, { [names[1]]: 1024, [names[2]]: 1 });
    const design = lowerToRtl(g, { reuseFactors });
    expect(design.layers.filter((l) => l.hardware).map((l) => [l.hardware!.module, param(l, 'SERIAL_IN') ?? '-'])).toEqual([
      ['ep_dense_folded', '0'],
      ['ep_collect', '-'],
      ['ep_dense_folded', '0'],
      ['ep_collect', '-'],
      ['ep_dense_rf1', '-'],
      ['ep_dense_folded', '0'],
      ['ep_collect', '-'],
    ]);
    const r = await simulateDesign(design, g, jetInputs(g, 6, 9), { reuseFactors, stallSeed: 8 });
    expect(r.perLayer.every((l) => l.mismatches === 0)).toBe(true);
    expect(r.passed).toBe(true);
    expect(r.latencyCycles).toBe(designLatency(design));
  });
});
