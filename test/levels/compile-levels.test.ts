// The levels library without a toolchain: weights shared with the full model's arrays (no copy for the digits CNN's
// dense and conv layers), the strided kernels, the level table (escaped), refusals, and deterministic bytes.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { int, value, weight, type CStep } from '../../src/emit/c/c-step.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { UserError } from '../../src/errors.js';
import { loadModel } from '../../src/import/load-model.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compileLevelsToC } from '../../src/levels/compile-levels.js';
import { levelFiguresView } from '../../src/levels/level-figures.js';
import { prefixLevels } from '../../src/levels/prefix-levels.js';
import { leadingBlockStride, shareLevelWeights, weightsByKey } from '../../src/levels/share-weights.js';
import { int8MnistLikeCnn } from '../../src/models/int8-sample-models.js';
import { loadOnnxBytes } from '../../src/onnx/load-onnx.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { predictCost, predictLowered } from '../../src/cost/predict.js';
import { levelGraph } from '../../src/levels/nested-levels.js';
import { kerasCnn } from '../support/exporter-style-models.js';

const cnn = await loadModel(path.resolve('examples/models/digits-cnn.onnx'));
const levels = prefixLevels(cnn, [1, 0.7, 0.45]);

const f32 = (shape: number[], values: number[]) => Tensor.fromNumbers('float32', shape, values);

describe('levels library (C)', () => {
  it('shares every weight array of the digits CNN with level 0: slices by prefix, dense and conv rows through a stride', () => {
    expect(levels.keep).toEqual([{}, { conv1: 6, conv2: 11, fc1: 22 }, { conv1: 4, conv2: 7, fc1: 14 }]);
    const lib = compileLevelsToC(levels, { prefix: 'lv' });
    expect(lib.copiedBytes).toBe(0);
    const kinds = lib.levels.map((l) => Object.fromEntries(l.weights.map((w) => [w.key, w.kind])));
    for (const k of [1, 2]) {
      expect(kinds[k]).toMatchObject({ 'conv1.weight': 'prefix', 'conv1.bias': 'prefix', 'conv2.weight': 'strided', 'fc1.weight': 'strided', 'logits.weight': 'strided', 'logits.bias': 'identical' });
    }
    // One copy of each array: exactly the single-model library's weights.
    const alone = compileToC(cnn, { prefix: 'lv', sparse: 'never' });
    expect(lib.weightBytes).toBe(alone.view.weightBytes);
    expect(lib.files.get('lv_weights.c')).toBe(alone.files.get('lv_weights.c')!.replace(/sha256 [0-9a-f]+/, /sha256 [0-9a-f]+/.exec(lib.files.get('lv_weights.c')!)![0]));
    const c = lib.files.get('lv.c')!;
    // Level 1's conv2 reads 6 of the 8 input channels' filters (row stride 8*3*3 = 72), fc1 176 of 256 columns.
    expect(c).toContain('ep_conv2d_ldw_f32(LV_ARENA_F32(');
    expect(c).toMatch(/ep_conv2d_ldw_f32\([^;]*lv_w_conv2_weight, lv_w_conv2_bias, [^;]*, 6, 8, 8, 11, 3, 3, [^;]*, 1, 72, 0\.0f, INFINITY\);/);
    expect(c).toMatch(/ep_dense_ldw_f32\([^;]*lv_w_fc1_weight, lv_w_fc1_bias, [^;]*, 1, 176, 22, 256, 0\.0f, INFINITY\);/);
    // Level 0 keeps the plain kernels.
    expect(c).toMatch(/lv_l0_step\d+\(void\) \{\n {2}ep_dense_f32\([^;]*lv_w_fc1_weight/);
    expect(lib.arenaBytes).toBe(Math.max(...lib.levels.map((l) => l.plan.arenaBytes)));
    expect(c).toContain(`static EP_ALIGN(8) uint8_t lv_arena[${lib.arenaBytes}]`);
    expect(c).toContain('static int (*const lv_level_runs[3])(void) = { lv_l0_run, lv_l1_run, lv_l2_run };');
    expect(c).toContain('if (!lv_has_level(level)) return LV_NO_SUCH_LEVEL;');
    expect(c).not.toMatch(/malloc/);
  });

  it('prices each level\'s strided calls as its own graph\'s unstrided ones (cost model)', () => {
    const lib = compileLevelsToC(levels, { prefix: 'lv' });
    const target = findMcuTarget('stm32f405');
    for (const [k, program] of lib.levels.entries()) {
      expect(predictLowered(program, target).instructions, `level ${k}`).toBe(predictCost(levelGraph(levels, k), target, { sparse: 'never' }).instructions);
    }
    expect(lib.levels[2].steps.flatMap((s) => s.calls).map((c) => c.kernel)).toContain('ep_dense_ldw_f32');
  });

  it('is deterministic', () => {
    const a = compileLevelsToC(levels, { prefix: 'lv', figures: [{ accuracy: 0.9 }, { accuracy: 0.8 }, { accuracy: 0.7 }] });
    const b = compileLevelsToC(prefixLevels(cnn, [1, 0.7, 0.45]), { prefix: 'lv', figures: [{ accuracy: 0.9 }, { accuracy: 0.8 }, { accuracy: 0.7 }] });
    expect([...a.files]).toEqual([...b.files]);
  });

  it('writes the figures every level gives into the level table, escaped, and refuses a figure some levels lack', () => {
    const lib = compileLevelsToC(levels, { prefix: 'lv', figures: [{ label: 'full */ "x"\n', instructionsWorstCase: 139750, accuracy: 0.97 }, { label: 'b', instructionsWorstCase: 80000, accuracy: 0.96 }, { label: 'c', instructionsWorstCase: 50000, accuracy: 0.9 }] });
    const h = lib.files.get('lv.h')!;
    expect(h).toContain('  unsigned arena_bytes;');
    expect(h).toContain('  const char *label;');
    expect(h).toContain('  unsigned long instructions_worst_case;');
    expect(h).toContain('  float accuracy;');
    expect(h).toContain('#define LV_LEVEL_COUNT 3');
    const c = lib.files.get('lv.c')!;
    expect(c).toContain(`  { ${lib.levels[0].plan.arenaBytes}u, "full */ \\"x\\"\\012", 139750ul, 0.97f },`);
    expect(c).toContain(`  { ${lib.levels[2].plan.arenaBytes}u, "c", 50000ul, 0.9f },`);
    const bare = compileLevelsToC(levels, { prefix: 'lv' }).files.get('lv.h')!;
    expect(bare).not.toContain('accuracy');
    expect(() => levelFiguresView([{ accuracy: 0.9 }, {}], [1, 1])).toThrow(/given for 1 of 2 levels/);
    expect(() => levelFiguresView([{ accuracy: 1.5 }], [1])).toThrow(/not in \[0, 1\]/);
  });

  it('copies, and counts, a level\'s dense weights behind an NHWC flatten (a channel is no prefix of the features)', () => {
    const keras = loadOnnxBytes(kerasCnn(), 'model.onnx', { inputShapes: { input_1: [1, 8, 8, 1] } });
    const lib = compileLevelsToC(prefixLevels(keras, [1, 0.5]), { prefix: 'k' });
    const kinds = Object.fromEntries(lib.levels[1].weights.map((w) => [w.key, w.kind]));
    expect(kinds).toMatchObject({ 'Conv_1.weight_bnfolded': 'prefix', 'dense/kernel:T': 'copy' });
    expect(lib.copiedBytes).toBe(2 * 10 * 4 * 4 * 4);
    expect(lib.weightBytes).toBe(lib.levels[0].weights.reduce((s, w) => s + w.bytes, 0) + lib.copiedBytes);
    expect(lib.files.get('k_weights.c')).toMatch(/const float k_w_dense_kernel_T_level1\[320\]/);
  });

  it('refuses a library whose shared and copied weights exceed the target\'s flash', () => {
    const bytes = compileLevelsToC(levels).weightBytes;
    const board = findMcuTarget('stm32f405');
    expect(() => compileLevelsToC(levels, { target: { ...board, flash: { ...board.flash, bytes: bytes - 1 } } })).toThrow(UserError);
    expect(() => compileLevelsToC(levels, { target: { ...board, flash: { ...board.flash, bytes } } })).not.toThrow();
  });

  it('refuses an int8 model with a UserError', () => {
    expect(() => compileLevelsToC({ full: int8MnistLikeCnn(), keep: [{}] })).toThrow(UserError);
    expect(() => compileLevelsToC({ full: int8MnistLikeCnn(), keep: [{}] })).toThrow(/float32 only/);
  });
});

describe('level weight sharing', () => {
  const full = f32([3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const fullSteps = (): CStep[] => [{ nodes: ['fc'], summary: 'Gemm', inputs: ['x'], outputs: ['y'], calls: [{ kernel: 'ep_dense_f32', args: [value('x'), weight('w', full), weight('b', f32([3], [1, 2, 3])), value('y'), int(1), int(4), int(3)] }] }];
  const levelStep = (w: Tensor, b: Tensor, kernel = 'ep_dense_f32'): CStep[] => [{ nodes: ['fc'], summary: 'Gemm', inputs: ['x'], outputs: ['y'], calls: [{ kernel, args: [value('x'), weight('w', w), weight('b', b), value('y'), int(1), int(w.shape[1]), int(w.shape[0]), int(-1), int(1)] }] }];

  it('finds the row stride of a leading block, and nothing for other slices', () => {
    const key = (t: Tensor) => ({ key: 'w', tensor: t });
    expect(leadingBlockStride(key(f32([2, 3], [1, 2, 3, 5, 6, 7])), key(full))).toBe(4);
    expect(leadingBlockStride(key(f32([2, 3], [2, 3, 4, 6, 7, 8])), key(full))).toBeUndefined();
    expect(leadingBlockStride(key(f32([4, 1], [1, 5, 9, 13])), key(full))).toBeUndefined();
  });

  it('points a strided dense layer at the full array with its row stride, and copies what is no slice under a fresh key', () => {
    const taken = new Set(['w', 'b', 'w:level1']);
    const shared = shareLevelWeights(weightsByKey(fullSteps()), levelStep(f32([2, 3], [1, 2, 3, 5, 6, 7]), f32([2], [9, 9])), 1, taken);
    const call = shared.steps[0].calls[0];
    expect(call.kernel).toBe('ep_dense_ldw_f32');
    expect(call.args[1]).toMatchObject({ kind: 'weight', weight: { key: 'w', tensor: full } });
    expect(call.args[7]).toEqual(int(4));
    expect(call.args[2]).toMatchObject({ kind: 'weight', weight: { key: 'b:level1' } });
    expect(shared.weights).toEqual([{ key: 'w', kind: 'strided', bytes: 24 }, { key: 'b', kind: 'copy', bytes: 8 }]);
    // A copy whose natural key is taken gets another.
    const again = shareLevelWeights(weightsByKey(fullSteps()), levelStep(f32([1, 4], [0, 0, 0, 0]), f32([1], [1])), 1, taken);
    expect(again.steps[0].calls[0].args[1]).toMatchObject({ weight: { key: 'w:level1_2' } });
    expect(again.steps[0].calls[0].args[2]).toMatchObject({ weight: { key: 'b' } });
    expect(again.weights.map((w) => w.kind)).toEqual(['copy', 'prefix']);
  });

  it('copies a leading block for a kernel that takes no row stride', () => {
    const shared = shareLevelWeights(weightsByKey(fullSteps()), levelStep(f32([2, 3], [1, 2, 3, 5, 6, 7]), f32([2], [1, 2]), 'ep_matmul_f32'), 2, new Set(['w', 'b']));
    expect(shared.steps[0].calls[0].kernel).toBe('ep_matmul_f32');
    expect(shared.weights.map((w) => w.kind)).toEqual(['copy', 'prefix']);
  });
});
