// templates/verilog/lib/ep_dense_rf1.v in Verilator: an int8 dense layer at reuse factor 1, bit-exact with the
// interpreter's Int8Gemm on every vector (dense, 80%-pruned, one input, ReLU clamp with the input zero point at -128),
// with and without output stalls, at II = 1 and a latency of three cycles.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, runVerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { packedLiteral } from '../../src/emit/verilog/verilog-literals.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Int8Gemm } from '../../src/ops/int8-gemm.js';
import { channelMultipliers } from '../../src/ops/util/int8-params.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { attr, evalOp } from '../c-kernels/harness.js';

interface LayerSpec {
  name: string;
  nIn: number;
  nOut: number;
  sparsity: number;
  xZero: number;
  yZero: number;
  actMin: number;
  actMax: number;
}

const SPECS: LayerSpec[] = [
  { name: 'dense 16→8', nIn: 16, nOut: 8, sparsity: 0, xZero: 3, yZero: -2, actMin: -128, actMax: 127 },
  { name: '80%-pruned 64→32', nIn: 64, nOut: 32, sparsity: 0.8, xZero: -7, yZero: 5, actMin: -128, actMax: 127 },
  { name: 'one input 1→3', nIn: 1, nOut: 3, sparsity: 0, xZero: 0, yZero: 0, actMin: -128, actMax: 127 },
  { name: 'ReLU clamp, x zero point -128, 5→1', nIn: 5, nOut: 1, sparsity: 0, xZero: -128, yZero: -128, actMin: -128, actMax: 127 },
];
const VECTORS = 200;
const f32 = (values: number[]) => Tensor.fromNumbers('float32', [values.length], values);
const s8 = (v: number) => Tensor.fromNumbers('int8', [1], [v]);

interface Layer {
  spec: LayerSpec;
  weights: number[];
  bias: number[];
  wScale: number[];
}

function randomLayer(spec: LayerSpec, seed: number): Layer {
  const r = new Random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r.next() * (hi - lo + 1));
  const weights = Array.from({ length: spec.nIn * spec.nOut }, () => (r.next() < spec.sparsity ? 0 : int(-127, 127)));
  const bias = Array.from({ length: spec.nOut }, () => int(-5000, 5000));
  // Output scales that put the accumulators' spread over the int8 range.
  const wScale = Array.from({ length: spec.nOut }, () => r.uniform(0.5, 2) / (40 * Math.sqrt(spec.nIn) * 127));
  return { spec, weights, bias, wScale };
}

/** The wrapper the testbench drives: ep_dense_rf1 with the layer's constants (bias folded with the input zero point). */
function wrapper(layer: Layer): string {
  const { spec } = layer;
  const mults = channelMultipliers(f32([1]), f32(layer.wScale), f32([1]), spec.nOut, { name: 'rtl_dense', opType: 'Int8Gemm', domain: '', inputs: [], outputs: [], attrs: {} });
  const folded = layer.bias.map((b, o) => b - spec.xZero * layer.weights.slice(o * spec.nIn, (o + 1) * spec.nIn).reduce((s, w) => s + w, 0));
  return `module ep_dense_rf1_tb_top (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * spec.nIn - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${8 * spec.nOut - 1}:0] out_data
);
    ep_dense_rf1 #(
        .N_IN(${spec.nIn}), .N_OUT(${spec.nOut}),
        .WEIGHTS(${packedLiteral(layer.weights, 8)}),
        .BIAS(${packedLiteral(folded, 32)}),
        .MULT(${packedLiteral(mults.map((m) => m.multiplier), 31)}),
        .SHIFT(${packedLiteral(mults.map((m) => m.shift), 6)}),
        .Y_ZP(${spec.yZero}), .ACT_MIN(${spec.actMin}), .ACT_MAX(${spec.actMax})
    ) layer (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
endmodule
`;
}

/** The interpreter's Int8Gemm on every vector (one row each). */
function reference(layer: Layer, vectors: number[][]): number[][] {
  const { spec } = layer;
  const x = Tensor.fromNumbers('int8', [vectors.length, spec.nIn], vectors.flat());
  const y = evalOp(
    Int8Gemm,
    [x, f32([1]), s8(spec.xZero), Tensor.fromNumbers('int8', [spec.nOut, spec.nIn], layer.weights), f32(layer.wScale), f32([1]), s8(spec.yZero), Tensor.fromNumbers('int32', [spec.nOut], layer.bias)],
    { act_min: attr.int(spec.actMin), act_max: attr.int(spec.actMax) },
  );
  const flat = Array.from(y.data as Int8Array);
  return vectors.map((_, i) => flat.slice(i * spec.nOut, (i + 1) * spec.nOut));
}

describe('ep_dense_rf1.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-dense-rf1-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(SPECS.map((s, i) => [s.name, s, i] as const))('%s: bit-exact with Int8Gemm, II 1, latency 3, under stalls too', async (_n, spec, i) => {
    const layer = randomLayer(spec, 100 + i);
    const top = path.join(dir, `case-${i}`, 'ep_dense_rf1_tb_top.v');
    fs.mkdirSync(path.dirname(top));
    fs.writeFileSync(top, wrapper(layer));
    const lib = (f: string) => repoPath('templates/verilog/lib', f);
    const harness = await buildVerilatorHarness({
      top: 'ep_dense_rf1_tb_top',
      verilog: [top, lib('ep_dense_rf1.v'), lib('ep_requant.v')],
      testbench: [lib('tb/ep_dense_rf1_tb.cpp')],
      headers: [lib('tb/ep_stream_tb.h')],
    });
    const r = new Random(500 + i);
    const vectors = Array.from({ length: VECTORS }, () => Array.from({ length: spec.nIn }, () => -128 + Math.floor(r.next() * 256)));
    const file = path.join(dir, `vectors-${i}.txt`);
    fs.writeFileSync(file, vectors.map((v) => v.join(' ')).join('\n'));
    const want = reference(layer, vectors);
    for (const stallSeed of ['0', '7']) {
      const lines = (await runVerilatorHarness(harness, [String(spec.nIn), String(spec.nOut), file, stallSeed], `simulating ${spec.name}`)).trim().split('\n');
      const got = lines.slice(0, VECTORS).map((l) => l.split(' ').map(Number));
      const wrong = got.flatMap((g, v) => (g.join() === want[v].join() ? [] : [`vector ${v}: Verilator ${g.join(',')}, interpreter ${want[v].join(',')}`]));
      expect(wrong.slice(0, 3), `stall seed ${stallSeed}`).toEqual([]);
      const stats = Object.fromEntries(lines.slice(VECTORS).map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
      expect(stats.latency).toBe(3);
      // Without stalls one vector per clock: the last output VECTORS - 1 cycles after the first.
      if (stallSeed === '0') expect(stats.cycles).toBe(3 + VECTORS - 1);
      else expect(stats.cycles).toBeGreaterThan(3 + VECTORS - 1);
    }
  });
});
