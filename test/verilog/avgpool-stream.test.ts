// templates/verilog/lib/ep_avgpool_stream.v in Verilator: int8 average pooling on a pixel stream, bit-exact with the
// interpreter's Int8AveragePool: 2x2 stride 2, overlapping 3x3 windows, 3x3 stride 2 with padding counted out
// (count_include_pad 0: border windows of 4 and 6 taps take their own multipliers) and counted in, input and output
// zero points at the ends, a clamp; three frames back to back, with gaps and with random input gaps and output stalls;
// outputs 4 cycles after the step that completes their window.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, type VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { packedLiteral } from '../../src/emit/verilog/verilog-literals.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8AveragePool } from '../../src/ops/int8-average-pool.js';
import { averageMultipliers } from '../../src/ops/util/int8-average.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { attr, evalOp } from '../c-kernels/harness.js';
import { checkPixelStream, randomImage, type StreamLayer } from './pixel-stream.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);
const AVGPOOL_LATENCY = 4;
const f32 = (v: number) => Tensor.fromNumbers('float32', [], [v]);
const s8 = (v: number) => Tensor.fromNumbers('int8', [], [v]);

interface PoolCase extends Omit<StreamLayer, 'cOut' | 'latency'> {
  countPad: boolean;
  /** x_scale, y_scale */
  scales: [number, number];
  /** x_zero_point, y_zero_point */
  zeroPoints: [number, number];
  clamp: [number, number];
}

const CASES: PoolCase[] = [
  { name: '2x2 stride 2, 3 channels, 6x8', H: 6, W: 8, K: 2, pad: 0, stride: 2, cIn: 3, countPad: false, scales: [0.05, 0.04], zeroPoints: [3, -2], clamp: [-128, 127] },
  { name: '3x3 stride 1 (overlapping), 2 channels, 5x7, zero points at the ends', H: 5, W: 7, K: 3, pad: 0, stride: 1, cIn: 2, countPad: false, scales: [0.02, 0.011], zeroPoints: [-128, -128], clamp: [-128, 127] },
  { name: '3x3 stride 1 pad 1, padding counted out (4, 6 and 9 taps), 7x6', H: 7, W: 6, K: 3, pad: 1, stride: 1, cIn: 2, countPad: false, scales: [0.03, 0.02], zeroPoints: [-5, 9], clamp: [-128, 127] },
  { name: '3x3 stride 2 pad 1, padding counted in, a clamp, 7x7', H: 7, W: 7, K: 3, pad: 1, stride: 2, cIn: 1, countPad: true, scales: [0.03, 0.01], zeroPoints: [0, -128], clamp: [-128, 60] },
];

function multipliers(c: PoolCase) {
  const node = { name: 'pool', opType: 'Int8AveragePool', domain: 'ai.edgeprune', inputs: [], outputs: [], attrs: {} };
  const m = averageMultipliers(f32(c.scales[0]), f32(c.scales[1]), node);
  return Array.from({ length: c.K * c.K }, (_, i) => m(i + 1));
}

async function poolHarness(c: PoolCase, dir: string): Promise<VerilatorHarness> {
  const top = path.join(dir, 'ep_avgpool_stream_tb_top.v');
  fs.mkdirSync(dir, { recursive: true });
  const m = multipliers(c);
  fs.writeFileSync(
    top,
    `module ep_avgpool_stream_tb_top (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * c.cIn - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${8 * c.cIn - 1}:0] out_data
);
    ep_avgpool_stream #(
        .H(${c.H}), .W(${c.W}), .C(${c.cIn}), .K(${c.K}), .STRIDE(${c.stride}), .PAD(${c.pad}), .COUNT_PAD(${c.countPad ? 1 : 0}),
        .X_ZP(${c.zeroPoints[0]}), .MULT(${packedLiteral(m.map((x) => x.multiplier), 31)}), .SHIFT(${packedLiteral(m.map((x) => x.shift), 6)}),
        .Y_ZP(${c.zeroPoints[1]}), .ACT_MIN(${c.clamp[0]}), .ACT_MAX(${c.clamp[1]})
    ) pool (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`,
  );
  return buildVerilatorHarness({
    top: 'ep_avgpool_stream_tb_top',
    verilog: [top, lib('ep_avgpool_stream.v'), lib('ep_window_stream.v'), lib('ep_requant.v')],
    testbench: [lib('tb/ep_avgpool_stream_tb.cpp')],
    headers: [lib('tb/ep_stream_tb.h'), lib('tb/ep_pixel_stream_tb.h')],
  });
}

/** The interpreter's Int8AveragePool on one NCHW int8 image. */
function poolReference(c: PoolCase, image: number[]): number[] {
  const y = evalOp(Int8AveragePool, [Tensor.fromNumbers('int8', [1, c.cIn, c.H, c.W], image), f32(c.scales[0]), s8(c.zeroPoints[0]), f32(c.scales[1]), s8(c.zeroPoints[1])], {
    kernel_shape: attr.ints([c.K, c.K]),
    strides: attr.ints([c.stride, c.stride]),
    pads: attr.ints([c.pad, c.pad, c.pad, c.pad]),
    count_include_pad: { kind: 'int', value: c.countPad ? 1 : 0 },
    act_min: { kind: 'int', value: c.clamp[0] },
    act_max: { kind: 'int', value: c.clamp[1] },
  });
  return Array.from(y.data as Int8Array);
}

describe('ep_avgpool_stream.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-avgpool-stream-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: bit-exact with Int8AveragePool, at the documented cycles', async (_n, c, i) => {
    const layer: StreamLayer = { ...c, cOut: c.cIn, latency: AVGPOOL_LATENCY };
    const harness = await poolHarness(c, path.join(dir, `case-${i}`));
    const r = new Random(1300 + i);
    const images = [0, 1, 2].map(() => randomImage(r, c.cIn, c.H, c.W));
    const want = images.map((img) => poolReference(c, img));
    expect(new Set(want.flat()).size, 'the outputs reach more than the clamp').toBeGreaterThan(15);
    await checkPixelStream(layer, harness, dir, images, want);
  });
});
