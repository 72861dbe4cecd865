// int8 levels without a toolchain: quantizeLevels gives a kept channel level 0's int8 bytes and scale (also with one
// per-tensor scale, and in a layer whose inputs the level narrowed: the leading block of level 0's rows), the library
// shares those arrays (prefixes, or rows read through a row stride by the int8 ldw kernels) and stores per level the
// rest, and the refusals.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/import/load-model.js';
import { cloneGraph, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compileInt8LevelsToC } from '../../src/levels/compile-levels.js';
import { levelSharing } from '../../src/levels/level-sharing.js';
import { levelGraph } from '../../src/levels/nested-levels.js';
import { prefixLevels } from '../../src/levels/prefix-levels.js';
import { quantizeLevels, sharedWeightScales, type LayerScales } from '../../src/levels/quantize-levels.js';
import { quantizeModel } from '../../src/quant/quantize.js';

const mlp = await loadModel(path.resolve('examples/models/digits-mlp.onnx'));
// Digits features are in [0, 16]: a deterministic spread of them.
const calibration = Array.from({ length: 8 }, (_, i) => ({ input: Tensor.fromNumbers('float32', [1, 64], Array.from({ length: 64 }, (_, j) => ((i * 7 + j * 5) % 17))) }));

function levelsOf(g: Graph): Graph[] {
  const levels = prefixLevels(g, [1, 0.5]);
  return levels.keep.map((_, k) => levelGraph(levels, k));
}

const initializer = (g: Graph, name: string): Tensor => {
  const t = g.initializers.get(name);
  if (!t) throw new Error(`no initializer '${name}'`);
  return t;
};

const scales = (values: number[], rowElements: number): LayerScales => ({ scales: Tensor.fromNumbers('float32', [values.length], values), channels: values.length, rowElements });

describe('int8 levels', () => {
  it('takes level 0\'s scales for a layer with level 0\'s rows or their leading elements (not for wider rows or more channels)', () => {
    const reference = new Map([['fc1', scales([1, 2, 3, 4], 8)], ['fc2', scales([5, 6], 4)], ['head', { ...scales([7], 6), channels: 3 }], ['wide', scales([8], 2)], ['more', scales([9], 2)]]);
    const level = new Map([['fc1', scales([0.5, 2], 8)], ['fc2', scales([4, 6], 2)], ['head', { ...scales([3], 6), channels: 2 }], ['wide', scales([8], 3)], ['more', scales([9, 9], 2)], ['new', scales([1], 1)]]);
    const shared = sharedWeightScales(reference, level);
    expect([...shared.keys()]).toEqual(['fc1', 'fc2', 'head']);
    expect([...shared.get('fc1')!.data]).toEqual([1, 2]);
    expect([...shared.get('fc2')!.data]).toEqual([5, 6]);
    expect([...shared.get('head')!.data]).toEqual([7]);
  });

  it('gives a kept channel level 0\'s int8 weights and scale, also under one per-tensor scale whose largest weight the level removes', () => {
    // fc1's largest |weight| moved to its last output (row 63), which level 1 removes.
    const g = cloneGraph(mlp);
    const fc1 = initializer(mlp, 'fc1.weight').clone();
    const w = fc1.data as Float32Array;
    w[63 * 64 + 5] = 4 * w.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    g.initializers.set('fc1.weight', fc1);
    const floats = levelsOf(g);
    const { graphs, sharedLayers } = quantizeLevels(floats, { method: 'minmax', denseWeights: 'per-tensor', calibration });
    expect(sharedLayers[1]).toEqual(['fc1', 'fc2', 'fc3']);
    const scale0 = initializer(graphs[0], 'fc1.weight_scale');
    const scale1 = initializer(graphs[1], 'fc1.weight_scale');
    expect(scale1.at(0)).toBe(scale0.at(0));
    const q0 = initializer(graphs[0], 'fc1.weight_quantized').data as Int8Array;
    const q1 = initializer(graphs[1], 'fc1.weight_quantized').data as Int8Array;
    expect([...q1]).toEqual([...q0.subarray(0, 32 * 64)]);
    // Quantized on its own, level 1 would scale fc1 by its own largest weight: other bytes, nothing shared.
    const alone = quantizeModel(floats[1], calibration, { method: 'minmax', denseWeights: 'per-tensor' }).graph;
    expect(initializer(alone, 'fc1.weight_scale').at(0)).toBeLessThan(scale0.at(0));
    // fc2 reads the 32 inputs level 1 kept: its int8 rows are the first 32 bytes of level 0's first 32 rows of 64.
    const r0 = initializer(graphs[0], 'fc2.weight_quantized').data as Int8Array;
    const r1 = initializer(graphs[1], 'fc2.weight_quantized').data as Int8Array;
    expect(r1.length).toBe(16 * 32);
    for (let n = 0; n < 16; n++) expect([...r1.subarray(n * 32, n * 32 + 32)], `fc2 row ${n}`).toEqual([...r0.subarray(n * 64, n * 64 + 32)]);
  });

  it('gives a narrowed layer level 0\'s per-channel scales and int8 rows\' leading bytes (the level alone would scale by its own maxima)', () => {
    const floats = levelsOf(mlp);
    const { graphs } = quantizeLevels(floats, { method: 'minmax', denseWeights: 'per-channel', calibration });
    const s0 = initializer(graphs[0], 'fc2.weight_scale').data as Float32Array;
    const s1 = initializer(graphs[1], 'fc2.weight_scale').data as Float32Array;
    expect([...s1]).toEqual([...s0.subarray(0, 16)]);
    const alone = initializer(quantizeModel(floats[1], calibration, { method: 'minmax', denseWeights: 'per-channel' }).graph, 'fc2.weight_scale').data as Float32Array;
    // Some row's largest |weight| is among the 32 inputs level 1 removes: on its own, the level would take a smaller scale.
    expect([...alone].some((v, n) => v < s0[n])).toBe(true);
    const r0 = initializer(graphs[0], 'fc3.weight_quantized').data as Int8Array;
    const r1 = initializer(graphs[1], 'fc3.weight_quantized').data as Int8Array;
    for (let n = 0; n < 10; n++) expect([...r1.subarray(n * 16, n * 16 + 16)], `fc3 row ${n}`).toEqual([...r0.subarray(n * 32, n * 32 + 16)]);
  });

  it('compiles the int8 levels into one library that reads a kept channel\'s weights from level 0\'s arrays and stores biases and multipliers per level', () => {
    const { graphs } = quantizeLevels(levelsOf(mlp), { method: 'minmax', denseWeights: 'per-channel', calibration });
    const lib = compileInt8LevelsToC(graphs, { prefix: 'lv' });
    expect(lib.precision).toBe('int8');
    const kinds = Object.fromEntries(lib.levels[1].weights.map((x) => [x.key, x.kind]));
    expect(kinds['fc1.weight_quantized']).toBe('prefix');
    // fc2 and fc3 read inputs level 1 narrowed: the leading block of level 0's rows, through a row stride.
    expect(kinds['fc2.weight_quantized']).toBe('strided');
    expect(kinds['fc3.weight_quantized']).toBe('strided');
    const sharing = levelSharing(lib);
    expect(sharing[0]).toMatchObject({ level: 0, sharedBytes: 0, ownWeightBytes: 64 * 64 + 32 * 64 + 10 * 32 });
    expect(sharing[1].ownWeightBytes).toBe(0);
    expect(sharing[1].sharedBytes).toBeGreaterThanOrEqual(32 * 64 + 16 * 32 + 10 * 16);
    expect(sharing[1].ownParameterBytes).toBeGreaterThan(0);
    const kernels = lib.levels[1].steps.flatMap((st) => st.calls).map((c) => c.kernel);
    expect(kernels.filter((k) => k === 'ep_dense_ldw_s8')).toHaveLength(2);
    expect(lib.levels[0].steps.flatMap((st) => st.calls).map((c) => c.kernel)).not.toContain('ep_dense_ldw_s8');
    // The row stride (level 0's row length) follows the shapes: rows 1, K 32, N 16, ldw 64; then K 16, N 10, ldw 32
    // (with the kernels inlined: shared, the calls go through the levels' kernel functions, test/levels/int8-levels-shared-qemu.test.ts).
    const inlined = compileInt8LevelsToC(graphs, { prefix: 'lv', kernels: 'inline' }).files.get('lv.c');
    expect(inlined).toMatch(/ep_dense_ldw_s8\([^;]*lv_w_fc2_weight_quantized, [^;]*, 1, 32, 16, 64, -?\d+, -?\d+, -?\d+, -?\d+\);/);
    expect(inlined).toMatch(/ep_dense_ldw_s8\([^;]*lv_w_fc3_weight_quantized, [^;]*, 1, 16, 10, 32, -?\d+, -?\d+, -?\d+, -?\d+\);/);
    expect(lib.weightBytes).toBe(sharing.reduce((s, l) => s + l.ownWeightBytes + l.ownParameterBytes, 0));
    const c = lib.files.get('lv.c')!;
    expect(c).toContain('int lv_run_level(int level, const float *input0, float *output0)');
    // The same levels give the same bytes.
    const again = compileInt8LevelsToC(quantizeLevels(levelsOf(mlp), { method: 'minmax', denseWeights: 'per-channel', calibration }).graphs, { prefix: 'lv' });
    expect(again.files).toEqual(lib.files);
  });

  it('refuses a fixed weight scale below the layer\'s own, and float graphs as int8 levels', () => {
    expect(() => quantizeModel(mlp, calibration, { weightScales: new Map([['fc1', Tensor.fromNumbers('float32', [64], new Array(64).fill(1e-6))]]) })).toThrow(/fixed weight scale .* is below its own/);
    expect(() => compileInt8LevelsToC(levelsOf(mlp))).toThrow(/level 0 is not quantized/);
  });
});
