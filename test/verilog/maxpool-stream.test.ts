// templates/verilog/lib/ep_maxpool_stream.v in Verilator: int8 max pooling on a pixel stream, bit-exact with the
// interpreter's MaxPool (2x2 stride 2, odd image sizes whose last row and column no window reads, overlapping 3x3
// windows, 3x3 stride 2 with padding that never wins) and with the quantized digits CNN's pool on real images; three
// frames back to back, with gaps and with random input gaps and output stalls; outputs 2 cycles after the step that
// completes their window.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, type VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { Tensor } from '../../src/ir/tensor.js';
import { MaxPool } from '../../src/ops/max-pool.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { attr, evalOp } from '../c-kernels/harness.js';
import { digitsCnn } from './digits-cnn.js';
import { checkPixelStream, randomImage, type StreamLayer } from './pixel-stream.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);
const POOL_LATENCY = 2;

async function poolHarness(l: StreamLayer, dir: string): Promise<VerilatorHarness> {
  const top = path.join(dir, 'ep_maxpool_stream_tb_top.v');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    top,
    `module ep_maxpool_stream_tb_top (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * l.cIn - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${8 * l.cIn - 1}:0] out_data
);
    ep_maxpool_stream #(.H(${l.H}), .W(${l.W}), .C(${l.cIn}), .K(${l.K}), .STRIDE(${l.stride}), .PAD(${l.pad})) pool (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`,
  );
  return buildVerilatorHarness({
    top: 'ep_maxpool_stream_tb_top',
    verilog: [top, lib('ep_maxpool_stream.v'), lib('ep_window_stream.v')],
    testbench: [lib('tb/ep_maxpool_stream_tb.cpp')],
    headers: [lib('tb/ep_stream_tb.h'), lib('tb/ep_pixel_stream_tb.h')],
  });
}

/** The interpreter's MaxPool on one NCHW int8 image. */
function poolReference(l: StreamLayer, image: number[]): number[] {
  const y = evalOp(MaxPool, [Tensor.fromNumbers('int8', [1, l.cIn, l.H, l.W], image)], {
    kernel_shape: attr.ints([l.K, l.K]),
    strides: attr.ints([l.stride, l.stride]),
    pads: attr.ints([l.pad, l.pad, l.pad, l.pad]),
  });
  return Array.from(y.data as Int8Array);
}

const CASES: Omit<StreamLayer, 'cOut' | 'latency'>[] = [
  { name: '2x2 stride 2, 3 channels, 6x8', H: 6, W: 8, K: 2, pad: 0, stride: 2, cIn: 3 },
  { name: '2x2 stride 2, 2 channels, 7x9 (last row and column unread)', H: 7, W: 9, K: 2, pad: 0, stride: 2, cIn: 2 },
  { name: '3x3 stride 1 (overlapping), 1 channel, 5x7', H: 5, W: 7, K: 3, pad: 0, stride: 1, cIn: 1 },
  { name: '3x3 stride 2 pad 1, 2 channels, 7x7', H: 7, W: 7, K: 3, pad: 1, stride: 2, cIn: 2 },
];

describe('ep_maxpool_stream.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-maxpool-stream-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: bit-exact with MaxPool, at the documented cycles', async (_n, c, i) => {
    const layer: StreamLayer = { ...c, cOut: c.cIn, latency: POOL_LATENCY };
    const harness = await poolHarness(layer, path.join(dir, `case-${i}`));
    const r = new Random(900 + i);
    // Mostly negative pixels: a padded tap that won (reading anything above -128) would show.
    const images = [0, 1, 2].map(() => randomImage(r, c.cIn, c.H, c.W).map((v) => (v > 0 && layer.pad > 0 ? -v : v)));
    await checkPixelStream(layer, harness, dir, images, images.map((img) => poolReference(layer, img)));
  });

  it("the digits CNN's pool (2x2 stride 2 on 8x8x16): bit-exact with the quantized model's run", async () => {
    const cnn = await digitsCnn(3);
    const [node] = cnn.nodes('MaxPool');
    const [, C, H, W] = cnn.values[0].get(node.inputs[0])!.shape;
    const layer: StreamLayer = { name: node.name, H, W, K: 2, pad: 0, stride: 2, cIn: C, cOut: C, latency: POOL_LATENCY };
    expect(node.attrs.kernel_shape).toEqual(attr.ints([2, 2]));
    expect(node.attrs.strides).toEqual(attr.ints([2, 2]));
    const images = cnn.values.map((v) => Array.from(v.get(node.inputs[0])!.data as Int8Array));
    const want = cnn.values.map((v) => Array.from(v.get(node.outputs[0])!.data as Int8Array));
    await checkPixelStream(layer, await poolHarness(layer, path.join(dir, 'digits')), dir, images, want);
  });
});
