// templates/verilog/lib/ep_dense_rf1.v in Verilator: an int8 dense layer at reuse factor 1, bit-exact with the
// interpreter's Int8Gemm on every vector (dense, 80%-pruned, one input, ReLU clamp with the input zero point at -128;
// narrowed: exact ACC_BITS and 16- or 8-bit multipliers, with vectors driving every accumulator to both ends of its
// range), with and without output stalls, at II = 1 and a latency of three cycles.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, runVerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { extremeVectors, layerWidths, randomLayer, reference, wrapper, type LayerSpec } from './dense-layers.js';

const SPECS: LayerSpec[] = [
  { name: 'dense 16→8', nIn: 16, nOut: 8, sparsity: 0, xZero: 3, yZero: -2, actMin: -128, actMax: 127 },
  { name: '80%-pruned 64→32', nIn: 64, nOut: 32, sparsity: 0.8, xZero: -7, yZero: 5, actMin: -128, actMax: 127 },
  { name: 'one input 1→3', nIn: 1, nOut: 3, sparsity: 0, xZero: 0, yZero: 0, actMin: -128, actMax: 127 },
  { name: 'ReLU clamp, x zero point -128, 5→1', nIn: 5, nOut: 1, sparsity: 0, xZero: -128, yZero: -128, actMin: -128, actMax: 127 },
  { name: 'narrowed dense 16→8, 16-bit multipliers', nIn: 16, nOut: 8, sparsity: 0, xZero: 3, yZero: -2, actMin: -128, actMax: 127, multBits: 16 },
  { name: 'narrowed 80%-pruned 64→32, 16-bit multipliers', nIn: 64, nOut: 32, sparsity: 0.8, xZero: -7, yZero: 5, actMin: -128, actMax: 127, multBits: 16 },
  { name: 'narrowed 3→2, x zero point -128, 8-bit multipliers', nIn: 3, nOut: 2, sparsity: 0, xZero: -128, yZero: 0, actMin: -128, actMax: 127, multBits: 8 },
];
const RANDOM_VECTORS = 200;
describe('ep_dense_rf1.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-dense-rf1-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(SPECS.map((s, i) => [s.name, s, i] as const))('%s: bit-exact with Int8Gemm, II 1, latency 3, under stalls too', async (_n, spec, i) => {
    const layer = randomLayer(spec, 100 + i);
    const widths = layerWidths(layer);
    if (spec.multBits !== undefined) expect(widths.accBits).toBeLessThan(24);
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
    const vectors = [...extremeVectors(layer), ...Array.from({ length: RANDOM_VECTORS }, () => Array.from({ length: spec.nIn }, () => -128 + Math.floor(r.next() * 256)))];
    const count = vectors.length;
    const file = path.join(dir, `vectors-${i}.txt`);
    fs.writeFileSync(file, vectors.map((v) => v.join(' ')).join('\n'));
    const want = reference(layer, vectors);
    for (const stallSeed of ['0', '7']) {
      const lines = (await runVerilatorHarness(harness, [String(spec.nIn), String(spec.nOut), file, stallSeed], `simulating ${spec.name}`)).trim().split('\n');
      const got = lines.slice(0, count).map((l) => l.split(' ').map(Number));
      const wrong = got.flatMap((g, v) => (g.join() === want[v].join() ? [] : [`vector ${v}: Verilator ${g.join(',')}, interpreter ${want[v].join(',')}`]));
      expect(wrong.slice(0, 3), `stall seed ${stallSeed}`).toEqual([]);
      const stats = Object.fromEntries(lines.slice(count).map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
      expect(stats.latency).toBe(3);
      // Without stalls one vector per clock: the last output count - 1 cycles after the first.
      if (stallSeed === '0') expect(stats.cycles).toBe(3 + count - 1);
      else expect(stats.cycles).toBeGreaterThan(3 + count - 1);
    }
  });
});
