// templates/verilog/lib/ep_dense_folded.v in Verilator: an int8 dense layer folded at reuse factors > 1 (weights in a
// block-RAM ROM, one shared requantizer), bit-exact with the interpreter's Int8Gemm on every vector (dense,
// 80%-pruned, one input, ReLU clamp with the input zero point at -128, a per-tensor weight scale, 12-bit multipliers,
// shift-and-add products, small ROMs in block RAM, int32-extreme biases), at several reuse factors each, with and without output stalls and input gaps; latency RF + 6 and
// initiation interval RF cycles, as the module's header states. A reuse factor outside the rule stops elaboration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVerilatorHarness, runVerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { foldedWrapper, randomLayer, reference, type FoldedOptions, type LayerSpec } from './dense-layers.js';

interface FoldCase {
  spec: LayerSpec;
  /** Reuse factors to run: N_OUT times a divisor of N_IN. */
  rfs: number[];
  /** One weight scale for every output (the requantization constants then need no ROM). */
  perTensor?: boolean;
  /** Biases near the int32 limits (the accumulator at its full 32 bits). */
  extremeBias?: boolean;
  /** Weight scales with this many significant bits: multipliers with trailing zeros (narrowed by the module). */
  multiplierBits?: number;
  /** Module options (products as shifts and adds, small ROMs in block RAM). */
  options?: FoldedOptions;
}

/** `v` rounded to `bits` significant bits (exact in float32 for bits <= 24). */
const roundSignificant = (v: number, bits: number) => {
  const step = 2 ** (Math.floor(Math.log2(v)) - bits + 1);
  return Math.round(v / step) * step;
};

const CASES: FoldCase[] = [
  { spec: { name: 'dense 16→8', nIn: 16, nOut: 8, sparsity: 0, xZero: 3, yZero: -2, actMin: -128, actMax: 127 }, rfs: [8, 32, 128] },
  { spec: { name: '80%-pruned 64→32', nIn: 64, nOut: 32, sparsity: 0.8, xZero: -7, yZero: 5, actMin: -128, actMax: 127 }, rfs: [256, 512], options: { smallRomsInBram: true } },
  { spec: { name: 'one input 1→3', nIn: 1, nOut: 3, sparsity: 0, xZero: 0, yZero: 0, actMin: -128, actMax: 127 }, rfs: [3] },
  { spec: { name: 'ReLU clamp, x zero point -128, 12→1', nIn: 12, nOut: 1, sparsity: 0, xZero: -128, yZero: -128, actMin: -128, actMax: 127 }, rfs: [2, 3, 12], options: { lutProducts: true } },
  { spec: { name: 'per-tensor scale 10→5', nIn: 10, nOut: 5, sparsity: 0.3, xZero: 1, yZero: 0, actMin: -20, actMax: 100 }, rfs: [10], perTensor: true },
  { spec: { name: '12-bit multipliers 16→8', nIn: 16, nOut: 8, sparsity: 0.5, xZero: -3, yZero: 7, actMin: -128, actMax: 127 }, rfs: [16], multiplierBits: 12, options: { smallRomsInBram: true } },
  { spec: { name: 'shift-and-add products 16→4', nIn: 16, nOut: 4, sparsity: 0.2, xZero: -128, yZero: -5, actMin: -128, actMax: 127 }, rfs: [16], options: { lutProducts: true, smallRomsInBram: true } },
  { spec: { name: 'int32-extreme biases 4→2', nIn: 4, nOut: 2, sparsity: 0, xZero: 0, yZero: 0, actMin: -128, actMax: 127 }, rfs: [4], extremeBias: true },
  { spec: { name: 'serial out 16→8', nIn: 16, nOut: 8, sparsity: 0.3, xZero: 2, yZero: -1, actMin: -128, actMax: 127 }, rfs: [16, 64], options: { serialOut: true } },
  { spec: { name: 'serial in and out 24→6', nIn: 24, nOut: 6, sparsity: 0.5, xZero: -128, yZero: -128, actMin: -128, actMax: 127 }, rfs: [144], options: { serialIn: true, serialOut: true, lutProducts: true } },
  { spec: { name: 'serial in 5→3 (N_IN not a power of 2)', nIn: 5, nOut: 3, sparsity: 0, xZero: 4, yZero: 2, actMin: -50, actMax: 127 }, rfs: [15], options: { serialIn: true, smallRomsInBram: true } },
  { spec: { name: 'serial in and out, one output 8→1', nIn: 8, nOut: 1, sparsity: 0, xZero: 0, yZero: 0, actMin: -128, actMax: 127 }, rfs: [8], options: { serialIn: true, serialOut: true } },
];
const VECTORS = 40;
const lib = (f: string) => repoPath('templates/verilog/lib', f);

describe('ep_dense_folded.v in Verilator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-dense-folded-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** The testbench on the wrapper `top` (written under `sub`). */
  const buildFolded = (sub: string, top: string) => {
    const file = path.join(dir, sub, 'ep_dense_folded_tb_top.v');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, top);
    return buildVerilatorHarness({
      top: 'ep_dense_folded_tb_top',
      verilog: [file, lib('ep_dense_folded.v'), lib('ep_requant.v')],
      testbench: [lib('tb/ep_dense_folded_tb.cpp')],
      headers: [lib('tb/ep_stream_tb.h')],
    });
  };

  const runs = CASES.flatMap((c, i) => c.rfs.map((rf) => [`${c.spec.name} at RF ${rf}`, c, rf, i] as const));
  it.each(runs)('%s: bit-exact with Int8Gemm, II = RF, latency = RF + 6 (+ N_IN serial in), under stalls too', async (name, c, rf, i) => {
    const { spec } = c;
    const layer = randomLayer(spec, 300 + i);
    if (c.perTensor) layer.wScale.fill(layer.wScale[0]);
    const bits = c.multiplierBits;
    if (bits) layer.wScale = layer.wScale.map((w) => roundSignificant(w, bits));
    if (c.extremeBias) layer.bias.splice(0, 2, 2 ** 31 - 2 ** 20, -(2 ** 31) + 2 ** 20);
    const harness = await buildFolded(`${i}-${rf}`, foldedWrapper(layer, rf, 'ep_dense_folded_tb_top', c.options));
    const r = new Random(700 + i);
    const vectors = Array.from({ length: VECTORS }, () => Array.from({ length: spec.nIn }, () => -128 + Math.floor(r.next() * 256)));
    const file = path.join(dir, `vectors-${i}-${rf}.txt`);
    fs.writeFileSync(file, vectors.map((v) => v.join(' ')).join('\n'));
    const want = reference(layer, vectors);
    for (const stallSeed of ['0', '11']) {
      const serialIn = c.options?.serialIn === true;
      const args = [String(spec.nIn), String(spec.nOut), String(rf), file, stallSeed, serialIn ? '1' : '0', c.options?.serialOut ? '1' : '0'];
      const lines = (await runVerilatorHarness(harness, args, `simulating ${name}`)).trim().split('\n');
      const got = lines.slice(0, VECTORS).map((l) => l.split(' ').map(Number));
      const wrong = got.flatMap((g, v) => (g.join() === want[v].join() ? [] : [`vector ${v}: Verilator ${g.join(',')}, interpreter ${want[v].join(',')}`]));
      expect(wrong.slice(0, 3), `stall seed ${stallSeed}`).toEqual([]);
      expect(got).toHaveLength(VECTORS);
      const stats = Object.fromEntries(lines.slice(VECTORS).map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
      // The first vector's reads start with its input beat, or (serial in) one cycle after its last element.
      const latency = rf + 6 + (serialIn ? spec.nIn : 0);
      if (stallSeed === '0') {
        expect(stats.latency).toBe(latency);
        expect(stats.interval).toBe(rf);
        expect(stats.cycles).toBe(latency + (VECTORS - 1) * rf);
      } else {
        expect(stats.cycles).toBeGreaterThan(latency + (VECTORS - 1) * rf);
      }
    }
  });

  it.each([
    // 8·3 = 24: 3 does not divide 16.
    ['a reuse factor that is not N_OUT times a divisor of N_IN', 24, {}, /ep_dense_folded_RF_must_be_N_OUT_times_a_divisor_of_N_IN/],
    // RF 64 = 8·8: two multipliers.
    ['a serial input at more than one multiplier', 64, { serialIn: true }, /ep_dense_folded_SERIAL_IN_needs_RF_equal_to_N_IN_times_N_OUT/],
    // The emitter gives 17..32 (foldedAccumulatorBits); a product's 16 bits and a carry need 17.
    ['an accumulator narrower than 17 bits', 16, { accBits: 16 }, /ep_dense_folded_ACC_BITS_must_be_17_to_32/],
  ] as const)('%s stops elaboration, naming the rule', async (name, rf, options, rule) => {
    const spec: LayerSpec = { name, nIn: 16, nOut: 8, sparsity: 0, xZero: 0, yZero: 0, actMin: -128, actMax: 127 };
    await expect(buildFolded(`illegal-${rf}`, foldedWrapper(randomLayer(spec, 1), rf, 'ep_dense_folded_tb_top', options))).rejects.toThrow(rule);
  });
});
