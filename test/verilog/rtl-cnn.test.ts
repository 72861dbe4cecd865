// The int8 digits CNN (examples/models/digits-cnn.onnx quantized on its data set) through the RTL emitter: its NCHW
// vector scattered into pixels, conv1 streaming, conv2 folded (ep_conv_folded), max pool, the Flatten collected in
// pixel-major order (fc1's columns permuted), fc1 folded, fc2; bit-exact with the interpreter in Verilator on 10 images
// (every layer's trace too, with output stalls), the measured latency the design's (designLatency); the refusals of a
// grouped conv and of a reuse factor the folded conv cannot take; the same CNN with an int8 average pool for its max pool.
import { describe, expect, it } from 'vitest';
import { simulateDesign } from '../../hw-sim/verilator/run-model.js';
import { designLatency } from '../../src/emit/verilog/emit-rtl.js';
import { describeFormat } from '../../src/emit/verilog/rtl-layer.js';
import { designInitiationInterval } from '../../src/emit/verilog/fpga-project.js';
import { lowerToRtl } from '../../src/emit/verilog/lower-rtl.js';
import path from 'node:path';
import { loadDataset } from '../../src/data/load-dataset.js';
import type { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { digitsCnn, withAveragePool } from './digits-cnn.js';

/** conv2 on 8 multipliers (R = C_OUT·K·K·C_IN/8) and fc1 on 8 (RF = N_OUT·N_IN/8): a small Verilator build. */
function foldedFactors(g: Graph): Record<string, number> {
  const w = (name: string) => g.initializers.get(name)!.shape;
  const [, conv2] = g.nodes.filter((n) => n.opType === 'Int8Conv');
  const [fc1] = g.nodes.filter((n) => n.opType === 'Int8Gemm');
  const cw = w(conv2.inputs[3]);
  const fw = w(fc1.inputs[3]);
  return { [conv2.name]: (cw[0] * cw[1] * cw[2] * cw[3]) / 8, [fc1.name]: (fw[0] * fw[1]) / 8 };
}

describe('the int8 digits CNN in RTL', () => {
  it('conv2 and fc1 folded: 10 images bit-exact layer by layer, with stalls; latency = designLatency', async () => {
    const cnn = await digitsCnn(10);
    const input = cnn.graph.inputs[0].name;
    const feeds = cnn.values.map((v) => ({ [input]: v.get(input) as Tensor }));
    const reuseFactors = foldedFactors(cnn.graph);
    const design = lowerToRtl(cnn.graph, { reuseFactors });
    expect(design.input.format).toEqual({ kind: 'vector', elements: 64 });
    expect(design.layers.filter((l) => l.hardware).map((l) => l.hardware!.module)).toEqual([
      'ep_scatter', 'ep_conv_stream', 'ep_conv_folded', 'ep_maxpool_stream', 'ep_collect', 'ep_dense_folded', 'ep_collect', 'ep_dense_rf1',
    ]);
    // fc1 sends its outputs one per beat; the collector before fc2 (reuse factor 1) makes them one vector beat.
    expect(design.layers.filter((l) => l.hardware).map((l) => describeFormat(l.outFormat)).slice(5, 7)).toEqual(['a vector of 32 int8 values, one per beat', 'a vector of 32 int8 values in one beat']);
    const r = await simulateDesign(design, cnn.graph, feeds, { reuseFactors, stallSeed: 7 });
    expect(r.perLayer.map((l) => [l.node, l.mismatches, l.firstMismatch])).toEqual(r.perLayer.map((l) => [l.node, 0, null]));
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.latencyCycles).toBe(designLatency(design));
    // Back to back, conv2's frame (64 steps + 64 windows of R − 1 more issue cycles) paces the design.
    expect(r.initiationInterval).toBe(designInitiationInterval(design));
    expect(designInitiationInterval(design)).toBe(64 + 64 * (reuseFactors[cnn.nodes('Int8Conv')[1].name] - 1));
    console.log(`digits CNN: latency ${r.latencyCycles} cycles, worst ${r.worstLatencyCycles}, II ${r.initiationInterval}; per layer ${r.perLayer.map((l) => `${l.module} ${l.latencyCycles}`).join(', ')}`);
    // Later images wait behind conv2 (9,216 cycles a frame), so only the first one's latency is the design's.
    expect(r.worstLatencyCycles).toBeGreaterThanOrEqual(r.latencyCycles);
  });

  it('its max pool replaced by an int8 average pool (ep_avgpool_stream): bit-exact layer by layer, latency = designLatency', async () => {
    const graph = withAveragePool(await digitsCnn(1));
    const reuseFactors = foldedFactors(graph);
    const design = lowerToRtl(graph, { reuseFactors });
    expect(design.layers.filter((l) => l.hardware).map((l) => l.hardware!.module)).toContain('ep_avgpool_stream');
    const data = loadDataset(path.resolve('examples/digits/digits.csv.gz'));
    const input = graph.inputs[0].name;
    const feeds = calibrationInputs(graph, data, 3).map((f) => ({ [input]: f[input] }));
    const r = await simulateDesign(design, graph, feeds, { reuseFactors, stallSeed: 4 });
    expect(r.perLayer.map((l) => [l.node, l.mismatches, l.firstMismatch])).toEqual(r.perLayer.map((l) => [l.node, 0, null]));
    expect(r.passed).toBe(true);
    expect(r.latencyCycles).toBe(designLatency(design));
  });

  it('refuses a grouped conv and a reuse factor ep_conv_folded cannot take, naming the layer and the legal factors', async () => {
    const cnn = await digitsCnn(1);
    const [, conv2] = cnn.nodes('Int8Conv');
    expect(() => lowerToRtl(cnn.graph, { reuseFactors: { [conv2.name]: 7 } })).toThrow(/reuse factor 7 cannot fold a conv of 16·72 products per pixel .*its reuse factors: 1, 16, 32, 48/);
    const grouped = { ...cnn.graph, nodes: cnn.graph.nodes.map((n) => (n === conv2 ? { ...n, attrs: { ...n.attrs, group: { kind: 'int' as const, value: 2 } } } : n)) };
    expect(() => lowerToRtl(grouped)).toThrow(/group 2; the streaming conv takes group 1/);
  });
});
