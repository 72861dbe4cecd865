// predictCost with the committed calibrations: consistent totals, fast, deterministic, and clear about
// what it cannot predict (unknown kernels: an error, or a marked conservative fallback).
import { describe, expect, it } from 'vitest';
import { loadCalibration, type Calibration } from '../../src/cost/calibration.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { CostModelError } from '../../src/cost/kernels.js';
import { lowerForCost } from '../../src/cost/lowered.js';
import { predictCost, predictLowered } from '../../src/cost/predict.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { benchModels, magnitudePruned } from '../../bench/cost-models.js';

const target = findMcuTarget('mps2-an386');
const models = benchModels();

describe('predictCost', () => {
  it('adds up: totals are the sums of the layers plus the library, flash = weights + code, RAM = arena + stack', () => {
    const cal = loadCalibration(target);
    for (const [name, g] of Object.entries(models)) {
      const p = predictCost(g, target);
      const layers = p.layers.reduce((s, l) => s + l.instructions, 0);
      expect(p.instructions, name).toBe(Math.round(layers + cal.library.instructions));
      expect(p.flashBytes).toBe(Math.round(p.weightBytes + p.codeBytes));
      expect(p.weightBytes).toBe(p.layers.reduce((s, l) => s + l.weightBytes, 0));
      expect(p.ramBytes).toBe(p.staticRamBytes + p.stackBytes);
      expect(p.estimatedMs).toBeCloseTo((p.instructions * target.cyclesPerInstruction) / target.clockHz * 1000, 1);
      expect(p.estimateBasis).toMatch(/^estimate: /);
      expect(p.warnings).toEqual([]);
      expect(p.layers.every((l) => !l.fallback)).toBe(true);
    }
  });

  it('counts the shared soft-float multiply then add (library.sharedCode) once per library that calls it', () => {
    const soft = findMcuTarget('lm3s6965');
    const cal = loadCalibration(soft);
    const without: Calibration = { ...cal, library: { ...cal.library, sharedCode: undefined } };
    const withShared: Calibration = { ...cal, library: { ...cal.library, sharedCode: { ep__mac_thumb2: 400, ep__mac_thumb2_slow: 8 } } };
    const cnn = models['mnist-cnn']; // two convs and a dense layer: three callers
    expect(predictCost(cnn, soft, { calibration: withShared }).codeBytes - predictCost(cnn, soft, { calibration: without }).codeBytes).toBe(408);
    const b = new GraphBuilder('pool_only');
    b.output(b.op('MaxPool', [b.input('x', 'float32', [1, 2, 8, 8])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }));
    const pool = b.build();
    expect(predictCost(pool, soft, { calibration: withShared }).codeBytes).toBe(predictCost(pool, soft, { calibration: without }).codeBytes);
  });

  it('is deterministic (its speed: bench/training-speed.ts)', () => {
    const list = Object.values(models);
    const first = list.map((g) => predictCost(g, target));
    for (let r = 0; r < 3; r++) list.forEach((g, i) => expect(predictCost(g, target)).toEqual(first[i]));
  });

  it('follows pruning: fewer channels cost fewer instructions and less flash', () => {
    const full = predictCost(models['digits-cnn'], target);
    const pruned = predictCost(models['digits-cnn-pruned50'], target);
    expect(pruned.instructions).toBeLessThan(full.instructions * 0.6);
    expect(pruned.flashBytes).toBeLessThan(full.flashBytes * 0.6);
    expect(pruned.arenaBytes).toBeLessThan(full.arenaBytes);
  });

  it('predicts the weight-sparse kernels the emitter picks for magnitude-pruned layers', () => {
    const g = magnitudePruned(models['digits-mlp'], 0.8);
    const p = predictCost(g, target);
    expect(p.layers.some((l) => l.kernel === 'ep_sparse_dense_f32')).toBe(true);
    const dense = predictCost(g, target, { sparse: 'never' });
    expect(dense.layers.some((l) => l.kernel === 'ep_sparse_dense_f32')).toBe(false);
    expect(p.instructions).toBeLessThan(dense.instructions);
    expect(p.flashBytes).toBeLessThan(dense.flashBytes);
  });
});

describe('what the model cannot predict', () => {
  const program = () => {
    const low = lowerForCost(models['digits-mlp']);
    // A kernel that the cost model has no formula for (as a new kernel would be before it is added).
    low.steps[1] = { ...low.steps[1], calls: low.steps[1].calls.map((c) => ({ ...c, kernel: 'ep_future_dense_f32' })) };
    return low;
  };

  it("an unknown kernel is a CostModelError naming the step and the kernel (unknownKernels: 'error', the default)", () => {
    expect(() => predictLowered(program(), target)).toThrow(CostModelError);
    expect(() => predictLowered(program(), target)).toThrow(/no formula for kernel 'ep_future_dense_f32'/);
  });

  it("with unknownKernels: 'fallback' the step is predicted conservatively and marked", () => {
    const known = predictLowered(lowerForCost(models['digits-mlp']), target);
    const p = predictLowered(program(), target, { unknownKernels: 'fallback' });
    const layer = p.layers[1];
    expect(layer.fallback).toBe(true);
    expect(layer.instructions).toBeGreaterThan(known.layers[1].instructions);
    expect(layer.codeBytes).toBeGreaterThan(known.layers[1].codeBytes);
    expect(p.warnings.join(' ')).toMatch(/fallback/);
  });

  it('a calibration without the key is refused, and a stale one is reported', () => {
    const cal: Calibration = structuredClone(loadCalibration(target));
    delete cal.kernels['ep_dense_f32'];
    expect(() => predictCost(models['digits-mlp'], target, { calibration: cal })).toThrow(/has no calibration/);
    const stale: Calibration = structuredClone(loadCalibration(target));
    stale.kernelHeaders['ep_dense.h'] = '0'.repeat(64);
    const p = predictCost(models['digits-mlp'], target, { calibration: stale });
    expect(p.warnings.join(' ')).toMatch(/ep_dense_f32.*changed since mps2-an386 was calibrated.*recalibrate/);
  });
});
