// templates/verilog/lib/ep_fifo.v and ep_fork.v in Verilator: a FIFO passes every beat in order under random input
// gaps and output stalls, at every depth from 1 to 5 (full and empty at once, wrap-around); a fork whose branches are a
// FIFO (the skip path) and a pipeline of a different length, joined by ep_add_stream (a residual block without its
// convolutions), gives Int8Add(x, x) on every pixel, each beat taken once by each branch, under gaps and stalls.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8Add } from '../../src/ops/int8-add.js';
import { addMultipliers } from '../../src/ops/util/int8-add-params.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { evalOp } from '../c-kernels/harness.js';
import { runStream } from './pixel-stream.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);
const f32 = (v: number) => Tensor.fromNumbers('float32', [], [v]);
const s8 = (v: number) => Tensor.fromNumbers('int8', [], [v]);
const BYTES = 3;
const BEATS = 200;
const PORTS = (w: number) => `input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${w}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${w}:0] out_data`;

describe('ep_fifo.v and ep_fork.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fork-fifo-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const build = (sub: string, body: string, files: string[]) => {
    const top = path.join(dir, sub, 'ep_fifo_tb_top.v');
    fs.mkdirSync(path.dirname(top));
    fs.writeFileSync(top, `module ep_fifo_tb_top (\n    ${PORTS(8 * BYTES - 1)}\n);\n${body}endmodule\n`);
    return buildVerilatorHarness({
      top: 'ep_fifo_tb_top',
      verilog: [top, ...files.map(lib)],
      testbench: [lib('tb/ep_fifo_tb.cpp')],
      headers: [lib('tb/ep_stream_tb.h'), lib('tb/ep_pixel_stream_tb.h')],
    });
  };
  const r = new Random(77);
  const beats = Array.from({ length: BEATS }, () => Array.from({ length: BYTES }, () => -128 + Math.floor(r.next() * 256)));

  it.each([1, 2, 3, 5])('a FIFO of depth %i passes every beat in order, with gaps and stalls', async (depth) => {
    const harness = await build(`fifo-${depth}`, `    ep_fifo #(.BYTES(${BYTES}), .DEPTH(${depth})) fifo (.clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data));
`, ['ep_fifo.v']);
    for (const [inputGapSeed, stallSeed] of [[0, 0], [5, 9], [13, 0], [0, 21]]) {
      const run = await runStream(harness, dir, beats, { inBytes: BYTES, outBytes: BYTES, outputs: BEATS, frameBeats: BEATS, inputGapSeed, stallSeed }, `FIFO depth ${depth}`);
      expect(run.outputs.map((o) => o.values)).toEqual(beats);
    }
  });

  it('a fork into a FIFO and a pipeline, joined by ep_add_stream: Int8Add(x, x) on every pixel, with gaps and stalls', async () => {
    const node = { name: 'add', opType: 'Int8Add', domain: 'ai.edgeprune', inputs: [], outputs: [], attrs: {} };
    const [sa, sb, sy] = [0.04, 0.05, 0.07];
    const m = addMultipliers(f32(sa), f32(sb), f32(sy), node);
    const w = 8 * BYTES - 1;
    // The main path: three FIFOs of depth 1 in a row (it holds up to three beats); the skip path: a FIFO of four.
    const harness = await build('residual', `    wire a_valid, a_ready, b_valid, b_ready, s_valid, s_ready, p1_valid, p1_ready, p2_valid, p2_ready, m_valid, m_ready;
    wire [${w}:0] a_data, b_data, s_data, p1_data, p2_data, m_data;
    ep_fork #(.BYTES(${BYTES})) split (.clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .a_valid(a_valid), .a_ready(a_ready), .a_data(a_data), .b_valid(b_valid), .b_ready(b_ready), .b_data(b_data));
    ep_fifo #(.BYTES(${BYTES}), .DEPTH(4)) skip (.clk(clk), .rst(rst), .in_valid(a_valid), .in_ready(a_ready), .in_data(a_data),
        .out_valid(s_valid), .out_ready(s_ready), .out_data(s_data));
    ep_fifo #(.BYTES(${BYTES}), .DEPTH(1)) main1 (.clk(clk), .rst(rst), .in_valid(b_valid), .in_ready(b_ready), .in_data(b_data),
        .out_valid(p1_valid), .out_ready(p1_ready), .out_data(p1_data));
    ep_fifo #(.BYTES(${BYTES}), .DEPTH(1)) main2 (.clk(clk), .rst(rst), .in_valid(p1_valid), .in_ready(p1_ready), .in_data(p1_data),
        .out_valid(p2_valid), .out_ready(p2_ready), .out_data(p2_data));
    ep_fifo #(.BYTES(${BYTES}), .DEPTH(1)) main3 (.clk(clk), .rst(rst), .in_valid(p2_valid), .in_ready(p2_ready), .in_data(p2_data),
        .out_valid(m_valid), .out_ready(m_ready), .out_data(m_data));
    ep_add_stream #(.C(${BYTES}), .A_ZP(-3), .B_ZP(5), .MA(31'd${m.a.multiplier}), .SA(6'd${m.a.shift}), .MB(31'd${m.b.multiplier}), .SB(6'd${m.b.shift}),
        .MY(31'd${m.y.multiplier}), .SY(6'd${m.y.shift}), .Y_ZP(2), .ACT_MIN(-128), .ACT_MAX(127)) add (
        .clk(clk), .rst(rst), .a_valid(s_valid), .a_ready(s_ready), .a_data(s_data), .b_valid(m_valid), .b_ready(m_ready), .b_data(m_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data));
`, ['ep_fork.v', 'ep_fifo.v', 'ep_add_stream.v', 'ep_requant.v']);
    const x = Tensor.fromNumbers('int8', [BEATS, BYTES], beats.flat());
    // Branch a is the Add's input a (zero point -3, scale sa), branch b its input b: the same pixels read twice.
    const y = evalOp(Int8Add, [x, f32(sa), s8(-3), x, f32(sb), s8(5), f32(sy), s8(2)], { act_min: { kind: 'int', value: -128 }, act_max: { kind: 'int', value: 127 } });
    const flat = Array.from(y.data as Int8Array);
    const want = beats.map((_, p) => flat.slice(p * BYTES, (p + 1) * BYTES));
    for (const [inputGapSeed, stallSeed] of [[0, 0], [3, 7], [0, 11]]) {
      const run = await runStream(harness, dir, beats, { inBytes: BYTES, outBytes: BYTES, outputs: BEATS, frameBeats: BEATS, inputGapSeed, stallSeed }, 'fork, FIFOs and add');
      expect(run.outputs.map((o) => o.values)).toEqual(want);
    }
  });
});
