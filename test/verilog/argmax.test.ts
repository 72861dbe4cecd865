// templates/verilog/lib/ep_argmax.v in Verilator: the index of the largest int8 value, ties to the first index and
// (select_last_index) to the last, bit-exact with the interpreter's ArgMax on vectors full of ties, under output stalls
// too, at II = 1 and a latency of one cycle; 300 classes need a two-byte index.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, runVerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { Tensor } from '../../src/ir/tensor.js';
import { ArgMax } from '../../src/ops/arg-max.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { attr, evalOp } from '../c-kernels/harness.js';

/** The wrapper the testbench drives: two ep_argmax on one stream (first index, last index), indices side by side. */
function wrapper(n: number, idxBytes: number): string {
  return `module ep_argmax_tb_top (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * n - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${16 * idxBytes - 1}:0] out_data
);
    /* verilator lint_off UNUSEDSIGNAL */
    wire last_ready, last_valid;
    /* verilator lint_on UNUSEDSIGNAL */
    ep_argmax #(.N(${n}), .IDX_BYTES(${idxBytes}), .SELECT_LAST(0)) first (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data[${8 * idxBytes - 1}:0])
    );
    ep_argmax #(.N(${n}), .IDX_BYTES(${idxBytes}), .SELECT_LAST(1)) last (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(last_ready), .in_data(in_data),
        .out_valid(last_valid), .out_ready(out_ready), .out_data(out_data[${16 * idxBytes - 1}:${8 * idxBytes}])
    );
endmodule
`;
}

function reference(vectors: number[][], selectLast: boolean): number[] {
  const n = vectors[0].length;
  const x = Tensor.fromNumbers('int8', [vectors.length, n], vectors.flat());
  const y = evalOp(ArgMax, [x], { axis: attr.int(1), keepdims: attr.int(0), select_last_index: attr.int(selectLast ? 1 : 0) });
  return Array.from(y.data as BigInt64Array, Number);
}

const CASES = [
  { name: '5 classes', n: 5, idxBytes: 1 },
  { name: 'one value', n: 1, idxBytes: 1 },
  { name: '300 classes, two-byte index', n: 300, idxBytes: 2 },
];
const VECTORS = 200;

describe('ep_argmax.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-argmax-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: the interpreter\'s index (first and last of ties), II 1, latency 1, under stalls too', async (_n, c, i) => {
    const top = path.join(dir, `case-${i}`, 'ep_argmax_tb_top.v');
    fs.mkdirSync(path.dirname(top));
    fs.writeFileSync(top, wrapper(c.n, c.idxBytes));
    const lib = (f: string) => repoPath('templates/verilog/lib', f);
    const harness = await buildVerilatorHarness({
      top: 'ep_argmax_tb_top',
      verilog: [top, lib('ep_argmax.v')],
      testbench: [lib('tb/ep_argmax_tb.cpp')],
      headers: [lib('tb/ep_stream_tb.h')],
    });
    const r = new Random(900 + i);
    // Half the vectors from a few values (many ties), half over the whole int8 range; the extremes included.
    const vectors = Array.from({ length: VECTORS }, (_, v) => Array.from({ length: c.n }, () => (v % 2 === 0 ? [-128, -1, 0, 127][r.int(4)] : r.int(256) - 128)));
    vectors[0] = new Array<number>(c.n).fill(-128);
    vectors[1] = new Array<number>(c.n).fill(127);
    const file = path.join(dir, `vectors-${i}.txt`);
    fs.writeFileSync(file, vectors.map((v) => v.join(' ')).join('\n'));
    const first = reference(vectors, false);
    const last = reference(vectors, true);
    if (c.n > 1) expect(first).not.toEqual(last); // the ties make the two rules differ
    for (const stallSeed of ['0', '11']) {
      const lines = (await runVerilatorHarness(harness, [String(c.n), String(c.idxBytes), file, stallSeed], `simulating ep_argmax ${c.name}`)).trim().split('\n');
      const got = lines.slice(0, VECTORS).map((l) => l.split(' ').map(Number));
      const wrong = got.flatMap((g, v) => (g[0] === first[v] && g[1] === last[v] ? [] : [`vector ${v}: Verilator ${g.join(',')}, interpreter ${first[v]},${last[v]}`]));
      expect(wrong.slice(0, 3), `stall seed ${stallSeed}`).toEqual([]);
      expect(got).toHaveLength(VECTORS);
      const stats = Object.fromEntries(lines.slice(VECTORS).map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
      expect(stats.latency).toBe(1);
      if (stallSeed === '0') expect(stats.cycles).toBe(1 + VECTORS - 1);
      else expect(stats.cycles).toBeGreaterThan(1 + VECTORS - 1);
    }
  });
});
