// templates/verilog/lib/ep_scatter.v in Verilator: one vector beat in flat NCHW order (byte c*N + p) out as N pixel
// beats in raster order (channel c of pixel p at byte c), pixel p offered 1 + p cycles after the vector is taken, back
// to back without a gap between vectors, and under random input gaps and output stalls.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { mismatches, runStream } from './pixel-stream.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);

describe('ep_scatter.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-scatter-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [5, 3],
    [1, 2],
  ])('%i pixel(s) of %i channel(s): NCHW vector → pixel beats, one per cycle, under stalls too', async (n, c) => {
    const work = path.join(dir, `${n}x${c}`);
    fs.mkdirSync(work, { recursive: true });
    const top = path.join(work, 'ep_scatter_tb_top.v');
    fs.writeFileSync(
      top,
      `module ep_scatter_tb_top (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * n * c - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${8 * c - 1}:0] out_data
);
    ep_scatter #(.N(${n}), .C(${c})) scatter (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`,
    );
    const harness = await buildVerilatorHarness({
      top: 'ep_scatter_tb_top',
      verilog: [top, lib('ep_scatter.v')],
      testbench: [lib('tb/ep_scatter_tb.cpp')],
      headers: [lib('tb/ep_stream_tb.h'), lib('tb/ep_pixel_stream_tb.h')],
    });
    const r = new Random(70 + n);
    const vectors = Array.from({ length: 4 }, () => Array.from({ length: n * c }, () => -128 + Math.floor(r.next() * 256)));
    const want = vectors.flatMap((v) => Array.from({ length: n }, (_, p) => Array.from({ length: c }, (_, k) => v[k * n + p])));
    for (const [frameGap, inputGapSeed, stallSeed] of [[0, 0, 0], [2, 0, 0], [1, 5, 9]]) {
      const what = `${n}x${c}, vector gap ${frameGap}, input gap seed ${inputGapSeed}, stall seed ${stallSeed}`;
      const run = await runStream(harness, dir, vectors, { inBytes: n * c, outBytes: c, outputs: want.length, frameBeats: 1, frameGap, inputGapSeed, stallSeed }, `simulating ${what}`);
      expect(mismatches(run, want, (i) => `pixel ${i}`), what).toEqual([]);
      if (inputGapSeed !== 0 || stallSeed !== 0) continue;
      // Pixel p of vector v offered (and taken) 1 + p cycles after the vector.
      expect(run.outputs.map((o, i) => o.cycle - run.frames[Math.floor(i / n)]), what).toEqual(want.map((_, i) => 1 + (i % n)));
      // Back to back: the next vector is taken with the last pixel, so the pixels leave one per cycle.
      if (frameGap === 0) expect(run.outputs.map((o) => o.cycle - run.outputs[0].cycle)).toEqual(want.map((_, i) => i));
    }
  });
});
