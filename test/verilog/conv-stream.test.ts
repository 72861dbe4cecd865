// templates/verilog/lib/ep_conv_stream.v in Verilator: streaming int8 convolutions bit-exact with the interpreter's
// Int8Conv (random layers: 'same' 3x3, 5x5 half-pruned, stride 2, unpadded, 1x1 stride 2; zero points that make the
// padding visible), three frames back to back, with frame gaps, and with random input gaps and output stalls; each
// output at the documented cycle (4 after the step t(r, c) that completes its window) and II one pixel per cycle; and
// the int8 digits CNN's conv1 (1→8) and conv2 (8→16, 1,152 products per pixel) on real images, against the
// interpreter's run of the whole quantized model.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, type VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { convReference, convWrapper, modelConv, randomConv, type ConvLayer, type ConvSpec } from './conv-layers.js';
import { digitsCnn } from './digits-cnn.js';
import { checkPixelStream, randomImage } from './pixel-stream.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);
const CONV_LATENCY = 4;

async function convHarness(l: ConvLayer, dir: string): Promise<VerilatorHarness> {
  const top = path.join(dir, 'ep_conv_stream_tb_top.v');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(top, convWrapper(l));
  return buildVerilatorHarness({
    top: 'ep_conv_stream_tb_top',
    verilog: [top, lib('ep_conv_stream.v'), lib('ep_window_stream.v'), lib('ep_requant.v')],
    testbench: [lib('tb/ep_conv_stream_tb.cpp')],
    headers: [lib('tb/ep_stream_tb.h'), lib('tb/ep_pixel_stream_tb.h')],
  });
}

const SPECS: ConvSpec[] = [
  { name: "'same' 3x3, 2→3 channels, 6x7, ReLU", H: 6, W: 7, K: 3, pad: 1, stride: 1, cIn: 2, cOut: 3, sparsity: 0, xZero: 37, yZero: -20, actMin: -20, actMax: 127 },
  { name: "'same' 5x5, 50% pruned, 1→2 channels, 5x6", H: 5, W: 6, K: 5, pad: 2, stride: 1, cIn: 1, cOut: 2, sparsity: 0.5, xZero: -128, yZero: 3, actMin: -128, actMax: 127 },
  { name: '3x3 stride 2 pad 1, 2→2 channels, 7x8', H: 7, W: 8, K: 3, pad: 1, stride: 2, cIn: 2, cOut: 2, sparsity: 0, xZero: -9, yZero: 0, actMin: -128, actMax: 127 },
  { name: '3x3 unpadded, 3→2 channels, 5x4', H: 5, W: 4, K: 3, pad: 0, stride: 1, cIn: 3, cOut: 2, sparsity: 0.2, xZero: 100, yZero: -5, actMin: -128, actMax: 100 },
  { name: '1x1 pointwise stride 2, 3→2 channels, 5x4', H: 5, W: 4, K: 1, pad: 0, stride: 2, cIn: 3, cOut: 2, sparsity: 0, xZero: -3, yZero: 1, actMin: -128, actMax: 127 },
];

describe('ep_conv_stream.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-conv-stream-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(SPECS.map((s, i) => [s.name, s, i] as const))('%s: bit-exact with Int8Conv, at the documented cycles', async (_n, spec, i) => {
    const layer = randomConv(spec, 300 + i);
    const harness = await convHarness(layer, path.join(dir, `case-${i}`));
    const r = new Random(700 + i);
    const images = [0, 1, 2].map(() => randomImage(r, spec.cIn, spec.H, spec.W));
    await checkPixelStream({ ...layer, latency: CONV_LATENCY }, harness, dir, images, images.map((img) => convReference(layer, img)));
  });

  it("the digits CNN's conv1 and conv2: bit-exact with the quantized model's run, at the documented cycles", async () => {
    const cnn = await digitsCnn(3);
    const convs = cnn.nodes('Int8Conv');
    expect(convs.map((n) => n.name)).toEqual(['conv1', 'conv2']);
    for (const node of convs) {
      const [, , H, W] = cnn.values[0].get(node.inputs[0])!.shape;
      const layer = modelConv(cnn.graph, node, H, W);
      expect([layer.K, layer.pad, layer.stride]).toEqual([3, 1, 1]);
      const harness = await convHarness(layer, path.join(dir, node.name));
      const images = cnn.values.map((v) => Array.from(v.get(node.inputs[0])!.data as Int8Array));
      const want = cnn.values.map((v) => Array.from(v.get(node.outputs[0])!.data as Int8Array));
      // The images exercise the layer: not all outputs equal.
      expect(new Set(want.flat()).size).toBeGreaterThan(10);
      await checkPixelStream({ ...layer, latency: CONV_LATENCY }, harness, dir, images, want);
    }
  });
});
