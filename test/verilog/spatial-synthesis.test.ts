// The spatial stream modules through Yosys synth_ice40: the digits CNN's pool and Flatten (ep_maxpool_stream 2x2/2 on
// 8x8x16 into ep_collect of 16 pixels) elaborate with their parameters and take no multiplier and no block RAM, the
// line buffer and the collected vector in flip-flops; and a geometry the window cannot stream (PAD above (K-1)/2, an
// image narrower than the kernel) is refused at elaboration with its reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../hw-sim/yosys/synth.js';
import { repoPath } from '../../src/util/package-root.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);

describe('spatial stream modules in Yosys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-spatial-synth-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, `${name}.v`);
    fs.writeFileSync(file, text);
    return file;
  };

  it("the digits CNN's pool and Flatten on ice40: comparators and registers only", async () => {
    const top = write(
      'pool_top',
      `module pool_top (
    input wire clk, input wire rst, input wire in_valid, output wire in_ready, input wire [127:0] in_data,
    output wire out_valid, input wire out_ready, output wire [2047:0] out_data
);
    wire pooled_valid, pooled_ready;
    wire [127:0] pooled;
    ep_maxpool_stream #(.H(8), .W(8), .C(16), .K(2), .STRIDE(2)) pool (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(pooled_valid), .out_ready(pooled_ready), .out_data(pooled)
    );
    ep_collect #(.N(16), .C(16)) flatten (
        .clk(clk), .rst(rst), .in_valid(pooled_valid), .in_ready(pooled_ready), .in_data(pooled),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`,
    );
    const r = await synthesize({ verilog: [top, lib('ep_maxpool_stream.v'), lib('ep_window_stream.v'), lib('ep_collect.v')], top: 'pool_top', family: 'ice40' });
    expect(r.dsps).toBe(0);
    expect(r.blockRams).toBe(0);
    // The line buffer ((K-1)*W + K = 10 pixels of 128 bits), the pooled pixel and the 2,048-bit vector at least.
    expect(r.flipFlops, JSON.stringify(r)).toBeGreaterThanOrEqual(10 * 128 + 128 + 2048);
    expect(r.luts, JSON.stringify(r)).toBeLessThan(3000);
  });

  it.each([
    ['PAD 2 with a 3x3 kernel', '.H(8), .W(8), .C_IN(1), .C_OUT(1), .K(3), .PAD(2)', /PAD is more than \(K-1\)\/2/],
    ['an image narrower than the kernel', '.H(8), .W(2), .C_IN(1), .C_OUT(1), .K(3), .PAD(1)', /the image width W is less than the kernel K/],
  ])('refuses %s at elaboration, saying why', async (name, params, message) => {
    const top = write(
      `bad_${name.replace(/\W+/g, '_')}`,
      `module bad_top (input wire clk, input wire rst, input wire in_valid, output wire in_ready, input wire [7:0] in_data,
    output wire out_valid, input wire out_ready, output wire [7:0] out_data);
    ep_conv_stream #(${params}) conv (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`,
    );
    await expect(synthesize({ verilog: [top, lib('ep_conv_stream.v'), lib('ep_window_stream.v'), lib('ep_requant.v')], top: 'bad_top', family: 'ice40' })).rejects.toThrow(message);
  });
});
