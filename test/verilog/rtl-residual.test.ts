// A residual CNN through the RTL emitter: examples/models/digits-residual-cnn.onnx (conv1, then conv2 → conv3 added
// to conv1's output, max pool, average pool, dense) quantized on the digits. The block becomes ep_fork, the main
// path's streaming convs, ep_fifo on the skip path (sized from the schedule) and ep_add_stream; bit-exact with the
// interpreter layer by layer in Verilator, with output stalls and images back to back; the measured latency and II
// are the design's. A block whose main path is folded is refused, saying why.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateDesign } from '../../hw-sim/verilator/run-model.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { designInitiationInterval, designLatency } from '../../src/emit/verilog/emit-rtl.js';
import { lowerToRtl } from '../../src/emit/verilog/lower-rtl.js';
import { UserError } from '../../src/errors.js';
import type { Graph } from '../../src/ir/graph.js';
import { loadModel } from '../../src/import/load-model.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { quantizeModel } from '../../src/quant/quantize.js';

async function residualCnn(images: number): Promise<{ graph: Graph; feeds: Record<string, import('../../src/ir/tensor.js').Tensor>[] }> {
  const float = await loadModel(path.resolve('examples/models/digits-residual-cnn.onnx'));
  const data = loadDataset(path.resolve('examples/digits/digits.csv.gz'));
  const graph = quantizeModel(float, calibrationInputs(float, data), { multiplierBits: 15 }).graph;
  const input = graph.inputs[0].name;
  return { graph, feeds: calibrationInputs(float, data, images).map((f) => ({ [input]: f[float.inputs[0].name] })) };
}

describe('a residual CNN in RTL', () => {
  it('fork, main path, skip FIFO and join: bit-exact layer by layer with stalls; latency and II as scheduled', async () => {
    const { graph, feeds } = await residualCnn(8);
    const design = lowerToRtl(graph);
    const hw = design.layers.filter((l) => l.hardware);
    expect(hw.map((l) => l.hardware!.module)).toEqual([
      'ep_scatter', 'ep_conv_stream', 'ep_fork', 'ep_conv_stream', 'ep_conv_stream', 'ep_fifo', 'ep_add_stream',
      'ep_maxpool_stream', 'ep_avgpool_stream', 'ep_collect', 'ep_dense_rf1',
    ]);
    // The skip FIFO holds what conv2 and conv3 have taken and not answered: more than two image rows.
    const depth = Number(hw.find((l) => l.hardware!.module === 'ep_fifo')!.hardware!.params.find((p) => p.name === 'DEPTH')!.value);
    expect(depth).toBeGreaterThan(2 * 8);
    expect(depth).toBeLessThanOrEqual(64);
    const r = await simulateDesign(design, graph, feeds, { stallSeed: 6 });
    expect(r.perLayer.map((l) => [l.node, l.module, l.mismatches, l.firstMismatch])).toEqual(r.perLayer.map((l) => [l.node, l.module, 0, null]));
    expect(r.passed).toBe(true);
    expect(r.latencyCycles).toBe(designLatency(design));
    expect(r.initiationInterval).toBe(designInitiationInterval(design));
  });

  it('refuses a block whose main path is folded (the skip FIFO is sized for one pixel per cycle), naming the node', async () => {
    const { graph } = await residualCnn(1);
    const conv2 = graph.nodes.find((n) => n.name === 'conv2')!;
    const w = graph.initializers.get(conv2.inputs[3])!.shape;
    try {
      lowerToRtl(graph, { reuseFactors: { conv2: w[1] * w[2] * w[3] } });
      expect.unreachable('a folded main path was accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as Error).message).toMatch(/residual block joined by node 'residual': node 'conv2' on its main path takes \d+ cycles for 64 beats/);
    }
  });
});
