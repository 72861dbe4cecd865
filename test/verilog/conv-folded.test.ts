// templates/verilog/lib/ep_conv_folded.v in Verilator: the streaming int8 convolution folded onto P multipliers (weights
// in a ROM), bit-exact with the interpreter's Int8Conv on random layers ('same' 3x3 at three foldings, stride 2,
// unpadded) and on the digits CNN's conv2 (1,152 products per pixel on 8 multipliers); three frames back to back, with
// gaps and under random input gaps and output stalls; the first frame's outputs at the documented cycles
// (t_k + 1 + k*(R - 1) + R + 4 after its first pixel, R = C_OUT*K*K*C_IN/P issue cycles per output pixel).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, type VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { convWrapper, convReference, modelConv, randomConv, type ConvLayer, type ConvSpec } from './conv-layers.js';
import { digitsCnn } from './digits-cnn.js';
import { checkPixelStream, randomImage, type StreamLayer } from './pixel-stream.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);

async function foldedHarness(l: ConvLayer, p: number, dir: string): Promise<VerilatorHarness> {
  const top = path.join(dir, 'ep_conv_folded_tb_top.v');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(top, convWrapper(l, p));
  return buildVerilatorHarness({
    top: 'ep_conv_folded_tb_top',
    verilog: [top, lib('ep_conv_folded.v'), lib('ep_window_stream.v'), lib('ep_requant.v')],
    testbench: [lib('tb/ep_conv_folded_tb.cpp')],
    headers: [lib('tb/ep_stream_tb.h'), lib('tb/ep_pixel_stream_tb.h')],
  });
}

/** The layer as a stream under test with ep_conv_folded.v's documented cycles. */
function folded(l: ConvLayer, p: number): StreamLayer {
  const r = (l.cOut * l.K * l.K * l.cIn) / p;
  return { ...l, name: `${l.name}, P = ${p}`, latency: 0, outputCycle: (k, t) => t + 1 + k * (r - 1) + r + 4 };
}

const SAME: ConvSpec = { name: "'same' 3x3, 2→3 channels, 6x7, ReLU", H: 6, W: 7, K: 3, pad: 1, stride: 1, cIn: 2, cOut: 3, sparsity: 0.1, xZero: 37, yZero: -20, actMin: -20, actMax: 127 };
const CASES: [ConvSpec, number][] = [
  [SAME, 1],
  [SAME, 6],
  [SAME, 18],
  [{ name: '3x3 stride 2 pad 1, 2→2 channels, 7x8', H: 7, W: 8, K: 3, pad: 1, stride: 2, cIn: 2, cOut: 2, sparsity: 0, xZero: -9, yZero: 0, actMin: -128, actMax: 127 }, 9],
  [{ name: '3x3 unpadded, 3→1 channel, 5x4', H: 5, W: 4, K: 3, pad: 0, stride: 1, cIn: 3, cOut: 1, sparsity: 0.2, xZero: 100, yZero: -5, actMin: -128, actMax: 100 }, 3],
];

describe('ep_conv_folded.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-conv-folded-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(CASES.map(([s, p], i) => [s.name, p, s, i] as const))('%s, P = %i: bit-exact with Int8Conv, at the documented cycles', async (_n, p, spec, i) => {
    const layer = randomConv(spec, 300 + i);
    const harness = await foldedHarness(layer, p, path.join(dir, `case-${i}`));
    const r = new Random(1700 + i);
    const images = [0, 1, 2].map(() => randomImage(r, spec.cIn, spec.H, spec.W));
    await checkPixelStream(folded(layer, p), harness, dir, images, images.map((img) => convReference(layer, img)));
  });

  it("the digits CNN's conv2 (8→16, 3x3) on 8 multipliers: bit-exact with the quantized model's run", async () => {
    const cnn = await digitsCnn(2);
    const node = cnn.nodes('Int8Conv')[1];
    const [, , H, W] = cnn.values[0].get(node.inputs[0])!.shape;
    const layer = modelConv(cnn.graph, node, H, W);
    expect(layer.cOut * layer.K * layer.K * layer.cIn).toBe(1152);
    const images = cnn.values.map((v) => Array.from(v.get(node.inputs[0])!.data as Int8Array));
    const want = cnn.values.map((v) => Array.from(v.get(node.outputs[0])!.data as Int8Array));
    await checkPixelStream(folded(layer, 8), await foldedHarness(layer, 8, path.join(dir, 'conv2')), dir, images, want);
  });
});
