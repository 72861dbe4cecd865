// templates/verilog/lib/ep_collect.v in Verilator: N pixel beats of C channels into one vector beat in stream order
// (byte p*C + c = channel c of pixel p), back to back at one pixel per cycle with the vector one cycle after its last
// pixel, under random input gaps and output stalls; and on the digits CNN's pool output, where that order is the
// interpreter's NCHW Flatten permuted (vector byte p*C + c = Flatten element c*N + p).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, type VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { digitsCnn } from './digits-cnn.js';
import { mismatches, runStream, toBeats } from './pixel-stream.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);

async function collectHarness(n: number, c: number, dir: string): Promise<VerilatorHarness> {
  const top = path.join(dir, 'ep_collect_tb_top.v');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    top,
    `module ep_collect_tb_top (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * c - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${8 * n * c - 1}:0] out_data
);
    ep_collect #(.N(${n}), .C(${c})) collect (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`,
  );
  return buildVerilatorHarness({
    top: 'ep_collect_tb_top',
    verilog: [top, lib('ep_collect.v')],
    testbench: [lib('tb/ep_collect_tb.cpp')],
    headers: [lib('tb/ep_stream_tb.h'), lib('tb/ep_pixel_stream_tb.h')],
  });
}

/** Collect the beats (N per vector) three ways; every vector must be `want`'s, and on time when nothing stalls. */
async function checkCollect(n: number, c: number, harness: VerilatorHarness, dir: string, beats: number[][], want: number[][]): Promise<void> {
  const base = { inBytes: c, outBytes: n * c, outputs: want.length, frameBeats: n };
  for (const [frameGap, inputGapSeed, stallSeed] of [[0, 0, 0], [2, 0, 0], [1, 5, 9]]) {
    const what = `${n}x${c}, frame gap ${frameGap}, input gap seed ${inputGapSeed}, stall seed ${stallSeed}`;
    const run = await runStream(harness, dir, beats, { ...base, frameGap, inputGapSeed, stallSeed }, `simulating ${what}`);
    expect(mismatches(run, want, (i) => `vector ${i}`), what).toEqual([]);
    if (inputGapSeed !== 0 || stallSeed !== 0) continue;
    // The vector one cycle after its last pixel (taken N - 1 cycles after its first); back to back, N cycles apart.
    expect(run.outputs.map((o, v) => o.cycle - run.frames[v]), what).toEqual(want.map(() => n));
    if (frameGap === 0) expect(run.frames.map((f, v) => f - run.frames[0] - v * n)).toEqual(want.map(() => 0));
  }
}

describe('ep_collect.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-collect-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [5, 3],
    [1, 2],
  ])('%i pixel(s) of %i channel(s): the vector in stream order, one pixel per cycle, under stalls too', async (n, c) => {
    const r = new Random(40 + n);
    const beats = Array.from({ length: 4 * n }, () => Array.from({ length: c }, () => -128 + Math.floor(r.next() * 256)));
    const want = [0, 1, 2, 3].map((v) => beats.slice(v * n, (v + 1) * n).flat());
    await checkCollect(n, c, await collectHarness(n, c, path.join(dir, `${n}x${c}`)), dir, beats, want);
  });

  it("the digits CNN's pool output (4x4x16): the NCHW Flatten permuted to pixel-major order", async () => {
    const cnn = await digitsCnn(3);
    const [flatten] = cnn.nodes('Flatten');
    const [, C, H, W] = cnn.values[0].get(flatten.inputs[0])!.shape;
    const n = H * W;
    const beats = cnn.values.flatMap((v) => toBeats(v.get(flatten.inputs[0])!.data as Int8Array, C, H, W));
    const want = cnn.values.map((v) => {
      const flat = v.get(flatten.outputs[0])!.data as Int8Array;
      return Array.from({ length: n * C }, (_, i) => flat[(i % C) * n + Math.floor(i / C)]);
    });
    await checkCollect(n, C, await collectHarness(n, C, path.join(dir, 'digits')), dir, beats, want);
  });
});
