// templates/verilog/lib/ep_add_stream.v in Verilator: Int8Add of two pixel streams (the join of a residual block),
// bit-exact with the interpreter's Int8Add on every channel of every pixel, for scales that make either input the
// larger one, equal scales, zero points at the int8 ends and a fused ReLU/ReLU6-like clamp; the two inputs arriving
// with independent gaps and the output stalled; latency 4 cycles and one pixel per cycle when nothing waits. An input
// shift below 21 stops elaboration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, runVerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8Add } from '../../src/ops/int8-add.js';
import { addMultipliers } from '../../src/ops/util/int8-add-params.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { evalOp } from '../c-kernels/harness.js';

interface AddCase {
  name: string;
  channels: number;
  scales: [number, number, number];
  zeroPoints: [number, number, number];
  clamp: [number, number];
  /** Pixel values of a and b (default: uniform int8, the four extremes first). */
  pixels?: (r: Random, channels: number) => [number[][], number[][]];
  /** Distinct output values the case must reach (default: 40, or half the clamp's span). */
  minDistinct?: number;
}

/**
 * Inputs whose rescaled values a' land exactly on half an LSB: with scales 1 and 1 + 2^-20, M_a = 2^30 - 2^10 and
 * a' = d_a · (2^19 - 0.5), so the half-up rounding of a' decides y = a' + b' (the output scale makes M_y = 1): b = -a
 * plus or minus one keeps the sum within int8.
 */
const halfLsbPixels = (r: Random, channels: number): [number[][], number[][]] => {
  const a = Array.from({ length: 300 }, () => Array.from({ length: channels }, () => -30 + Math.floor(r.next() * 61)));
  return [a, a.map((p) => p.map((v) => -v + Math.floor(r.next() * 3) - 1))];
};

const CASES: AddCase[] = [
  { name: 'a the larger scale, 8 channels', channels: 8, scales: [0.05, 0.02, 0.06], zeroPoints: [3, -7, 1], clamp: [-128, 127] },
  { name: 'b the larger scale, zero points at the ends', channels: 3, scales: [0.011, 0.09, 0.1], zeroPoints: [-128, 127, 100], clamp: [-128, 127] },
  { name: 'equal scales, fused ReLU', channels: 4, scales: [0.03, 0.03, 0.045], zeroPoints: [0, 0, -128], clamp: [-128, 127] },
  { name: 'a tight clamp, one channel', channels: 1, scales: [0.2, 0.13, 0.5], zeroPoints: [10, -20, 0], clamp: [-6, 6] },
  { name: "a' exactly half an LSB (the inputs' rounding decides)", channels: 2, scales: [1, 1 + 2 ** -20, (1 + 2 ** -20) * 2 ** -19], zeroPoints: [0, 0, 0], clamp: [-128, 127], pixels: halfLsbPixels, minDistinct: 20 },
];
const PIXELS = 300;
const lib = (f: string) => repoPath('templates/verilog/lib', f);
const f32 = (v: number) => Tensor.fromNumbers('float32', [], [v]);
const s8 = (v: number) => Tensor.fromNumbers('int8', [], [v]);

function wrapper(c: AddCase, shiftOverride?: number): string {
  const node = { name: 'add', opType: 'Int8Add', domain: 'ai.edgeprune', inputs: [], outputs: [], attrs: {} };
  const m = addMultipliers(f32(c.scales[0]), f32(c.scales[1]), f32(c.scales[2]), node);
  const w = 8 * c.channels - 1;
  return `module ep_add_stream_tb_top (
    input wire clk, input wire rst,
    input wire a_valid, output wire a_ready, input wire [${w}:0] a_data,
    input wire b_valid, output wire b_ready, input wire [${w}:0] b_data,
    output wire out_valid, input wire out_ready, output wire [${w}:0] out_data
);
    ep_add_stream #(
        .C(${c.channels}), .A_ZP(${c.zeroPoints[0]}), .B_ZP(${c.zeroPoints[1]}),
        .MA(31'd${m.a.multiplier}), .SA(6'd${shiftOverride ?? m.a.shift}), .MB(31'd${m.b.multiplier}), .SB(6'd${m.b.shift}),
        .MY(31'd${m.y.multiplier}), .SY(6'd${m.y.shift}), .Y_ZP(${c.zeroPoints[2]}), .ACT_MIN(${c.clamp[0]}), .ACT_MAX(${c.clamp[1]})
    ) add (
        .clk(clk), .rst(rst), .a_valid(a_valid), .a_ready(a_ready), .a_data(a_data), .b_valid(b_valid), .b_ready(b_ready),
        .b_data(b_data), .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`;
}

/** The interpreter's Int8Add of the two [pixels, channels] tensors. */
function reference(c: AddCase, a: number[][], b: number[][]): number[][] {
  const t = (v: number[][]) => Tensor.fromNumbers('int8', [v.length, c.channels], v.flat());
  const [sa, sb, sy] = c.scales;
  const [za, zb, zy] = c.zeroPoints;
  const y = evalOp(Int8Add, [t(a), f32(sa), s8(za), t(b), f32(sb), s8(zb), f32(sy), s8(zy)], {
    act_min: { kind: 'int', value: c.clamp[0] },
    act_max: { kind: 'int', value: c.clamp[1] },
  });
  const flat = Array.from(y.data as Int8Array);
  return a.map((_, p) => flat.slice(p * c.channels, (p + 1) * c.channels));
}

describe('ep_add_stream.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-add-stream-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const build = (sub: string, top: string) => {
    const file = path.join(dir, sub, 'ep_add_stream_tb_top.v');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, top);
    return buildVerilatorHarness({
      top: 'ep_add_stream_tb_top',
      verilog: [file, lib('ep_add_stream.v'), lib('ep_requant.v')],
      testbench: [lib('tb/ep_add_stream_tb.cpp')],
      headers: [lib('tb/ep_stream_tb.h')],
    });
  };

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: bit-exact with Int8Add, with gaps and stalls; 4 cycles, a pixel a cycle', async (name, c, i) => {
    const harness = await build(`case-${i}`, wrapper(c));
    const r = new Random(40 + i);
    const uniform = () => Array.from({ length: PIXELS }, () => Array.from({ length: c.channels }, () => -128 + Math.floor(r.next() * 256)));
    const [a, b] = c.pixels ? c.pixels(r, c.channels) : [uniform(), uniform()];
    // The extremes of both inputs in every combination, at the front.
    for (const [k, [x, y]] of [[-128, -128], [-128, 127], [127, -128], [127, 127]].entries()) {
      a[k].fill(x);
      b[k].fill(y);
    }
    const fileA = path.join(dir, `a-${i}.txt`);
    const fileB = path.join(dir, `b-${i}.txt`);
    fs.writeFileSync(fileA, a.map((p) => p.join(' ')).join('\n'));
    fs.writeFileSync(fileB, b.map((p) => p.join(' ')).join('\n'));
    const want = reference(c, a, b);
    expect(new Set(want.flat()).size, 'the cases reach more than the clamp').toBeGreaterThan(c.minDistinct ?? Math.min(40, (c.clamp[1] - c.clamp[0]) / 2));
    for (const seeds of [['0', '0', '0'], ['3', '5', '7']]) {
      const lines = (await runVerilatorHarness(harness, [String(c.channels), fileA, fileB, ...seeds], `simulating ${name}`)).trim().split('\n');
      const got = lines.slice(0, PIXELS).map((l) => l.split(' ').map(Number));
      const wrong = got.flatMap((g, p) => (g.join() === want[p].join() ? [] : [`pixel ${p}: Verilator ${g.join(',')}, interpreter ${want[p].join(',')}`]));
      expect(wrong.slice(0, 3), `seeds ${seeds.join(',')}`).toEqual([]);
      expect(got).toHaveLength(PIXELS);
      const stats = Object.fromEntries(lines.slice(PIXELS).map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
      if (seeds[0] === '0') {
        expect(stats.latency).toBe(4);
        expect(stats.cycles).toBe(4 + PIXELS - 1);
      }
    }
  });

  it('an input shift below 21 stops elaboration, naming the rule', async () => {
    await expect(build('illegal', wrapper(CASES[0], 20))).rejects.toThrow(/ep_add_stream_input_shift_must_be_at_least_21/);
  });
});
